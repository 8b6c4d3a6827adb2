// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of RouterOp::verify and of the router operand
// checks it shares with moe.layer (bias, hash routing). The checks that only
// involve the #moe.routing attribute live in invalid-routing-attr.mlir.

//===----------------------------------------------------------------------===//
// Syntax and ODS constraints
//===----------------------------------------------------------------------===//

func.func @missing_routing_keyword(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' expected 'routing'}}
  %w, %ids = moe.router %logits rooting <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @hash_needs_two_operands(%logits: tensor<?x8xf32>,
                                   %tokens: tensor<?xi32>) {
  // expected-error @+1 {{expected ','}}
  %w, %ids = moe.router %logits hash(%tokens) routing <k = 2>
      : (tensor<?x8xf32>, tensor<?xi32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @unranked_logits(%logits: tensor<*xf32>) {
  // expected-error @+1 {{'moe.router' op operand #0 must be ranked tensor of any type values, but got 'tensor<*xf32>'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<*xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// logits
//===----------------------------------------------------------------------===//

func.func @logits_rank(%logits: tensor<8xf32>) {
  // expected-error @+1 {{'moe.router' op expected logits to be a rank-2 tensor [tokens, experts], got 'tensor<8xf32>'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @logits_element_type(%logits: tensor<?x8xi32>) {
  // expected-error @+1 {{'moe.router' op expected logits element type to be f32, f64, f16 or bf16, got 'i32'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xi32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @logits_dynamic_experts(%logits: tensor<?x?xf32>) {
  // expected-error @+1 {{'moe.router' op expected logits dim 1 (experts) to be static}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x?xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// bias
//===----------------------------------------------------------------------===//

func.func @bias_rank(%logits: tensor<?x8xf32>, %bias: tensor<1x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected bias to be a rank-1 tensor [experts], got 'tensor<1x8xf32>'}}
  %w, %ids = moe.router %logits bias %bias routing <k = 2>
      : (tensor<?x8xf32>, tensor<1x8xf32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @bias_element_type(%logits: tensor<?x8xf32>, %bias: tensor<8xi32>) {
  // expected-error @+1 {{'moe.router' op expected bias element type to be f32, f64, f16 or bf16, got 'i32'}}
  %w, %ids = moe.router %logits bias %bias routing <k = 2>
      : (tensor<?x8xf32>, tensor<8xi32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @bias_experts(%logits: tensor<?x8xf32>, %bias: tensor<4xf32>) {
  // expected-error @+1 {{'moe.router' op expected bias dim 0 (experts) to be 8 to match logits, got 4}}
  %w, %ids = moe.router %logits bias %bias routing <k = 2>
      : (tensor<?x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// hash routing
//===----------------------------------------------------------------------===//

// The custom syntax always takes the pair; the generic form can split it.
func.func @hash_token_ids_only(%logits: tensor<?x8xf32>,
                               %tokens: tensor<?xi32>) {
  // expected-error @+1 {{'moe.router' op hash routing needs both token_ids and hash_table}}
  %w, %ids = "moe.router"(%logits, %tokens)
      <{operandSegmentSizes = array<i32: 1, 0, 1, 0>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x8xf32>, tensor<?xi32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @hash_table_only(%logits: tensor<?x8xf32>,
                           %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.router' op hash routing needs both token_ids and hash_table}}
  %w, %ids = "moe.router"(%logits, %table)
      <{operandSegmentSizes = array<i32: 1, 0, 0, 1>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x8xf32>, tensor<100x2xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @hash_with_bias(%logits: tensor<?x8xf32>, %bias: tensor<8xf32>,
                          %tokens: tensor<?xi32>, %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.router' op hash routing takes its expert ids from hash_table; a selection bias has no effect there}}
  %w, %ids = moe.router %logits bias %bias hash(%tokens, %table)
      routing <k = 2>
      : (tensor<?x8xf32>, tensor<8xf32>, tensor<?xi32>, tensor<100x2xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @hash_with_groups(%logits: tensor<?x8xf32>, %tokens: tensor<?xi32>,
                            %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.router' op hash routing takes its expert ids from hash_table; expected routing n_group = 1, got 2}}
  %w, %ids = moe.router %logits hash(%tokens, %table)
      routing <k = 2, n_group = 2, topk_group = 2>
      : (tensor<?x8xf32>, tensor<?xi32>, tensor<100x2xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @token_ids_rank(%logits: tensor<?x8xf32>, %tokens: tensor<?x1xi32>,
                          %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.router' op expected token_ids to be a rank-1 tensor [tokens], got 'tensor<?x1xi32>'}}
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 2>
      : (tensor<?x8xf32>, tensor<?x1xi32>, tensor<100x2xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @token_ids_element_type(%logits: tensor<?x8xf32>,
                                  %tokens: tensor<?xf32>,
                                  %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.router' op expected token_ids element type to be i32 or i64, got 'f32'}}
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 2>
      : (tensor<?x8xf32>, tensor<?xf32>, tensor<100x2xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @token_ids_tokens(%logits: tensor<4x8xf32>, %tokens: tensor<5xi32>,
                            %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.router' op expected token_ids dim 0 (tokens) to be 4 to match logits, got 5}}
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 2>
      : (tensor<4x8xf32>, tensor<5xi32>, tensor<100x2xi32>)
      -> (tensor<4x2xf32>, tensor<4x2xi32>)
  return
}

// -----

func.func @hash_table_rank(%logits: tensor<?x8xf32>, %tokens: tensor<?xi32>,
                           %table: tensor<100xi32>) {
  // expected-error @+1 {{'moe.router' op expected hash_table to be a rank-2 tensor [vocab, k], got 'tensor<100xi32>'}}
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 2>
      : (tensor<?x8xf32>, tensor<?xi32>, tensor<100xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @hash_table_element_type(%logits: tensor<?x8xf32>,
                                   %tokens: tensor<?xi32>,
                                   %table: tensor<100x2xi16>) {
  // expected-error @+1 {{'moe.router' op expected hash_table element type to be i32 or i64, got 'i16'}}
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 2>
      : (tensor<?x8xf32>, tensor<?xi32>, tensor<100x2xi16>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @hash_table_k(%logits: tensor<?x8xf32>, %tokens: tensor<?xi32>,
                        %table: tensor<100x3xi32>) {
  // expected-error @+1 {{'moe.router' op expected hash_table dim 1 (k) to be 2 to match routing k, got 3}}
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 2>
      : (tensor<?x8xf32>, tensor<?xi32>, tensor<100x3xi32>)
      -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// weights
//===----------------------------------------------------------------------===//

func.func @weights_rank(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected weights to be a rank-2 tensor [tokens, k], got 'tensor<?xf32>'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @weights_element_type(%logits: tensor<?x8xbf16>) {
  // expected-error @+1 {{'moe.router' op expected weights element type to be 'bf16' to match logits, got 'f32'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xbf16>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @weights_tokens(%logits: tensor<4x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected weights dim 0 (tokens) to be 4 to match logits, got 5}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<4x8xf32>) -> (tensor<5x2xf32>, tensor<4x2xi32>)
  return
}

// -----

func.func @weights_k(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected weights dim 1 (k) to be 2 to match routing k, got 3}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// ids
//===----------------------------------------------------------------------===//

func.func @ids_rank(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected ids to be a rank-2 tensor [tokens, k], got 'tensor<?x2x1xi32>'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2x1xi32>)
  return
}

// -----

// Ids must be signless: ui32 is rejected.
func.func @ids_element_type(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected ids element type to be i32 or i64, got 'ui32'}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xui32>)
  return
}

// -----

func.func @ids_tokens(%logits: tensor<4x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected ids dim 0 (tokens) to be 4 to match logits, got 3}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<3x2xi32>)
  return
}

// -----

func.func @ids_k(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected ids dim 1 (k) to be 2 to match routing k, got 1}}
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x1xi32>)
  return
}
