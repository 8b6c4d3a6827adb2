// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of RouterGradOp::verify (and the parser).

// The logits are [tokens, experts] with a static expert count.
func.func @logits_rank(%l: tensor<8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected logits to be a rank-2 tensor [tokens, experts], got 'tensor<8xf32>'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<8xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<8xf32>
  return
}

// -----

// Integer logits have no gradient.
func.func @logits_element_type(%l: tensor<4x8xi32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xi32>) {
  // expected-error @+1 {{'moe.router_grad' op expected logits element type to be f32, f64, f16 or bf16, got 'i32'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xi32>, tensor<4x2xi32>, tensor<4x2xi32>) -> tensor<4x8xi32>
  return
}

// -----

func.func @logits_dynamic_experts(%l: tensor<4x?xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected logits dim 1 (experts) to be static}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x?xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x?xf32>
  return
}

// -----

// The routing attribute is checked against E as in moe.router.
func.func @routing_k_too_large(%l: tensor<4x8xf32>, %ids: tensor<4x9xi32>, %dw: tensor<4x9xf32>) {
  // expected-error @+1 {{'moe.router_grad' op routing k = 9 exceeds the number of experts (8)}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 9>
      : (tensor<4x8xf32>, tensor<4x9xi32>, tensor<4x9xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @routing_groups(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op routing n_group = 3 must divide the number of experts (8)}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2, n_group = 3, topk_group = 2>
      : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

// The bias steers selection only, but it must still be a bias.
func.func @bias_rank(%l: tensor<4x8xf32>, %b: tensor<1x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected bias to be a rank-1 tensor [experts], got 'tensor<1x8xf32>'}}
  %d = moe.router_grad %l bias %b ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<1x8xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bias_element_type(%l: tensor<4x8xf32>, %b: tensor<8xi32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected bias element type to be f32, f64, f16 or bf16, got 'i32'}}
  %d = moe.router_grad %l bias %b ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<8xi32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bias_experts(%l: tensor<4x8xf32>, %b: tensor<4xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected bias dim 0 (experts) to be 8 to match logits, got 4}}
  %d = moe.router_grad %l bias %b ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

// The forward's ids: [tokens, k] integers.
func.func @ids_rank(%l: tensor<4x8xf32>, %ids: tensor<8xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected ids to be a rank-2 tensor [tokens, k], got 'tensor<8xi32>'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<8xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @ids_element_type(%l: tensor<4x8xf32>, %ids: tensor<4x2xf32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected ids element type to be i32 or i64, got 'f32'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @ids_tokens(%l: tensor<4x8xf32>, %ids: tensor<3x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected ids dim 0 (tokens) to be 4 to match logits, got 3}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<3x2xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @ids_k(%l: tensor<4x8xf32>, %ids: tensor<4x3xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected ids dim 1 (k) to be 2 to match routing k, got 3}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x3xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

// A dynamic logits T does not hide a mismatch between ids and d_weights.
func.func @tokens_via_ids(%l: tensor<?x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<5x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_weights dim 0 (tokens) to be 4 to match ids, got 5}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<?x8xf32>, tensor<4x2xi32>, tensor<5x2xf32>) -> tensor<?x8xf32>
  return
}

// -----

// d_weights is the cotangent of the forward's weights: [tokens, k].
func.func @d_weights_rank(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_weights to be a rank-2 tensor [tokens, k], got 'tensor<4xf32>'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4xf32>) -> tensor<4x8xf32>
  return
}

// -----

// moe.router's weights have the logits' element type, and so does their
// cotangent (bf16 logits: bf16 weights).
func.func @d_weights_element_type(%l: tensor<4x8xbf16>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_weights element type to be 'bf16' to match logits, got 'f32'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xbf16>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x8xbf16>
  return
}

// -----

func.func @d_weights_tokens(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<5x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_weights dim 0 (tokens) to be 4 to match logits, got 5}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<5x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @d_weights_k(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x1xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_weights dim 1 (k) to be 2 to match routing k, got 1}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return
}

// -----

// d_logits has exactly the logits' type; a static/dynamic mix is rejected
// too.
func.func @d_logits_type(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_logits to have logits's type 'tensor<4x8xf32>', got 'tensor<?x8xf32>'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @d_logits_element_type(%l: tensor<4x8xf64>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf64>) {
  // expected-error @+1 {{'moe.router_grad' op expected d_logits to have logits's type 'tensor<4x8xf64>', got 'tensor<4x8xf32>'}}
  %d = moe.router_grad %l ids %ids d_weights %dw routing <k = 2>
      : (tensor<4x8xf64>, tensor<4x2xi32>, tensor<4x2xf64>) -> tensor<4x8xf32>
  return
}

// -----

// The routing attribute is required.
func.func @missing_routing(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>, %dw: tensor<4x2xf32>) {
  // expected-error @+2 {{custom op 'moe.router_grad' expected 'routing'}}
  %d = moe.router_grad %l ids %ids d_weights %dw
      : (tensor<4x8xf32>, tensor<4x2xi32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

// d_weights is not optional.
func.func @missing_d_weights(%l: tensor<4x8xf32>, %ids: tensor<4x2xi32>) {
  // expected-error @+1 {{expected 'd_weights'}}
  %d = moe.router_grad %l ids %ids routing <k = 2>
      : (tensor<4x8xf32>, tensor<4x2xi32>) -> tensor<4x8xf32>
  return
}
