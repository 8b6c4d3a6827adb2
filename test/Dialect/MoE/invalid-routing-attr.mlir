// RUN: moe-opt %s -split-input-file -verify-diagnostics

// The #moe.routing attribute: parse errors, RoutingAttr::verify (checked
// while the attribute is built, so the error comes from the parser) and
// RoutingAttr::verifyForExperts (checked by the op that knows the expert
// count; moe.router here, moe.layer in invalid-layer.mlir).

//===----------------------------------------------------------------------===//
// Parse errors
//===----------------------------------------------------------------------===//

func.func @unknown_parameter(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' duplicate or unknown struct parameter name: top_k}}
  %w, %ids = moe.router %logits routing <k = 2, top_k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @duplicate_parameter(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' duplicate or unknown struct parameter name: k}}
  %w, %ids = moe.router %logits routing <k = 2, k = 3>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @missing_k(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' struct is missing required parameter: k}}
  %w, %ids = moe.router %logits routing <scoring = sigmoid>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @unknown_scoring(%logits: tensor<?x8xf32>) {
  // expected-error @+2 {{custom op 'moe.router' expected ::mlir::moe::ScoringFunc to be one of: softmax, sigmoid, sqrtsoftplus}}
  // expected-error @+1 {{custom op 'moe.router' failed to parse MoE_RoutingAttr parameter 'scoring' which is to be a `::mlir::moe::ScoringFunc`}}
  %w, %ids = moe.router %logits routing <k = 2, scoring = relu>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @unknown_group_score(%logits: tensor<?x8xf32>) {
  // expected-error @+2 {{custom op 'moe.router' expected ::mlir::moe::GroupScore to be one of: top2_sum, max}}
  // expected-error @+1 {{custom op 'moe.router' failed to parse MoE_RoutingAttr parameter 'group_score' which is to be a `::mlir::moe::GroupScore`}}
  %w, %ids = moe.router %logits routing <k = 2, n_group = 2, group_score = sum>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @bool_not_a_keyword(%logits: tensor<?x8xf32>) {
  // expected-error @+2 {{custom op 'moe.router' expected 'true' or 'false'}}
  // expected-error @+1 {{custom op 'moe.router' failed to parse MoE_RoutingAttr parameter 'norm_topk_prob' which is to be a `bool`}}
  %w, %ids = moe.router %logits routing <k = 2, norm_topk_prob = 1>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// An integer literal would be ambiguous with a hexadecimal bit pattern.
func.func @scale_integer_literal(%logits: tensor<?x8xf32>) {
  // expected-error @+3 {{unexpected decimal integer literal for a floating point value}}
  // expected-note @+2 {{add a trailing dot to make the literal a float}}
  // expected-error @+1 {{custom op 'moe.router' failed to parse MoE_RoutingAttr parameter 'routed_scaling_factor' which is to be a `::llvm::APFloat`}}
  %w, %ids = moe.router %logits routing <k = 2, routed_scaling_factor = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// RoutingAttr::verify
//===----------------------------------------------------------------------===//

// The attribute is verified on its own, outside any op.
// expected-error @+1 {{routing k must be at least 1, got 0}}
#zero_k = #moe.routing<k = 0>

// -----

func.func @negative_k(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing k must be at least 1, got -3}}
  %w, %ids = moe.router %logits routing <k = -3>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// In the generic form the attribute is parsed outside the custom op parser.
func.func @zero_k_generic(%logits: tensor<?x8xf32>) {
  // expected-error @+3 {{routing k must be at least 1, got 0}}
  %w, %ids = "moe.router"(%logits)
      <{operandSegmentSizes = array<i32: 1, 0, 0, 0>,
        routing = #moe.routing<k = 0>}>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @zero_n_group(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing n_group must be at least 1, got 0}}
  %w, %ids = moe.router %logits routing <k = 2, n_group = 0>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @zero_topk_group(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing topk_group must be in [1, n_group = 4], got 0}}
  %w, %ids = moe.router %logits routing <k = 2, n_group = 4, topk_group = 0>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @topk_group_above_n_group(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing topk_group must be in [1, n_group = 4], got 5}}
  %w, %ids = moe.router %logits routing <k = 2, n_group = 4, topk_group = 5>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// topk_group defaults to 1 and n_group to 1, so topk_group alone cannot grow.
func.func @topk_group_without_groups(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing topk_group must be in [1, n_group = 1], got 2}}
  %w, %ids = moe.router %logits routing <k = 2, topk_group = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @zero_scale(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing routed_scaling_factor must be finite and positive, got 0.000000e+00}}
  %w, %ids = moe.router %logits routing <k = 2, routed_scaling_factor = 0.0>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @negative_scale(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'moe.router' routing routed_scaling_factor must be finite and positive, got -1.500000e+00}}
  %w, %ids = moe.router %logits routing <k = 2, routed_scaling_factor = -1.5>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// +inf as an IEEE double bit pattern.
func.func @infinite_scale(%logits: tensor<?x8xf32>) {
  // expected-error @+2 {{custom op 'moe.router' routing routed_scaling_factor must be finite and positive, got INF}}
  %w, %ids = moe.router %logits
      routing <k = 2, routed_scaling_factor = 0x7FF0000000000000>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// A quiet NaN as an IEEE double bit pattern.
func.func @nan_scale(%logits: tensor<?x8xf32>) {
  // expected-error @+2 {{custom op 'moe.router' routing routed_scaling_factor must be finite and positive, got nan}}
  %w, %ids = moe.router %logits
      routing <k = 2, routed_scaling_factor = 0x7FF8000000000000>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// RoutingAttr::verifyForExperts
//===----------------------------------------------------------------------===//

func.func @k_above_experts(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op routing k = 9 exceeds the number of experts (8)}}
  %w, %ids = moe.router %logits routing <k = 9>
      : (tensor<?x8xf32>) -> (tensor<?x9xf32>, tensor<?x9xi32>)
  return
}

// -----

func.func @n_group_not_dividing_experts(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op routing n_group = 3 must divide the number of experts (8)}}
  %w, %ids = moe.router %logits routing <k = 2, n_group = 3, topk_group = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

// top2_sum sums the two best scores of a group: singleton groups cannot.
func.func @top2_sum_singleton_groups(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op routing group_score = top2_sum needs at least 2 experts per group, got 1}}
  %w, %ids = moe.router %logits routing <k = 1, n_group = 8, topk_group = 4>
      : (tensor<?x8xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  return
}

// -----

func.func @too_few_kept_experts(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op routing topk_group = 1 keeps 2 experts, fewer than k = 4}}
  %w, %ids = moe.router %logits routing <k = 4, n_group = 4, topk_group = 1>
      : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>)
  return
}

// -----

// The same checks with group_score = max, where singleton groups are fine.
func.func @too_few_kept_experts_max(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op routing topk_group = 2 keeps 2 experts, fewer than k = 3}}
  %w, %ids = moe.router %logits
      routing <k = 3, n_group = 8, topk_group = 2, group_score = max>
      : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  return
}
