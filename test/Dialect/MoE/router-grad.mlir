// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | moe-opt | FileCheck %s

// Softmax top-k (the routing defaults are not printed), f32, i32 ids.
// CHECK-LABEL: func.func @router_grad_softmax(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[IDS:[a-zA-Z0-9_]+]]: tensor<?x2xi32>, %[[DW:[a-zA-Z0-9_]+]]: tensor<?x2xf32>)
// CHECK:         %[[D:.*]] = moe.router_grad %[[L]] ids %[[IDS]] d_weights %[[DW]] routing <k = 2> : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?x2xf32>) -> tensor<?x8xf32>
// CHECK-NEXT:    return %[[D]] : tensor<?x8xf32>
// GENERIC-LABEL: sym_name = "router_grad_softmax"
// GENERIC:         "moe.router_grad"(%{{.*}}, %{{.*}}, %{{.*}}) <{routing = #moe.routing<k = 2>}> : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?x2xf32>) -> tensor<?x8xf32>
func.func @router_grad_softmax(%logits: tensor<?x8xf32>, %ids: tensor<?x2xi32>,
                               %dw: tensor<?x2xf32>) -> tensor<?x8xf32> {
  %d = moe.router_grad %logits ids %ids d_weights %dw routing <k = 2>
      : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?x2xf32>) -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}

// DeepSeek-V3 routing with a bias (of another element type), bf16 logits,
// i64 ids, static T.
// CHECK-LABEL: func.func @router_grad_sigmoid_groups_bias(
// CHECK:         moe.router_grad %{{.*}} bias %{{.*}} ids %{{.*}} d_weights %{{.*}} routing <k = 4, scoring = sigmoid, n_group = 4, topk_group = 2, norm_topk_prob = true, routed_scaling_factor = 2.5> : (tensor<16x32xbf16>, tensor<32xf32>, tensor<16x4xi64>, tensor<16x4xbf16>) -> tensor<16x32xbf16>
// GENERIC-LABEL: sym_name = "router_grad_sigmoid_groups_bias"
// GENERIC:         "moe.router_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{routing = #moe.routing<k = 4, scoring = sigmoid, n_group = 4, topk_group = 2, norm_topk_prob = true, routed_scaling_factor = 2.5>}>
func.func @router_grad_sigmoid_groups_bias(%logits: tensor<16x32xbf16>,
                                           %bias: tensor<32xf32>,
                                           %ids: tensor<16x4xi64>,
                                           %dw: tensor<16x4xbf16>)
    -> tensor<16x32xbf16> {
  %d = moe.router_grad %logits bias %bias ids %ids d_weights %dw
      routing <k = 4, scoring = sigmoid, n_group = 4, topk_group = 2,
               norm_topk_prob = true, routed_scaling_factor = 2.5>
      : (tensor<16x32xbf16>, tensor<32xf32>, tensor<16x4xi64>,
         tensor<16x4xbf16>) -> tensor<16x32xbf16>
  return %d : tensor<16x32xbf16>
}

// sqrtsoftplus in f64 (the finite-difference precision), group max score.
// CHECK-LABEL: func.func @router_grad_sqrtsoftplus_f64(
// CHECK:         moe.router_grad %{{.*}} ids %{{.*}} d_weights %{{.*}} routing <k = 1, scoring = sqrtsoftplus, n_group = 2, group_score = max, routed_scaling_factor = 1.5> : (tensor<?x4xf64>, tensor<?x1xi32>, tensor<?x1xf64>) -> tensor<?x4xf64>
func.func @router_grad_sqrtsoftplus_f64(%logits: tensor<?x4xf64>,
                                        %ids: tensor<?x1xi32>,
                                        %dw: tensor<?x1xf64>)
    -> tensor<?x4xf64> {
  %d = moe.router_grad %logits ids %ids d_weights %dw
      routing <k = 1, scoring = sqrtsoftplus, n_group = 2, group_score = max,
               routed_scaling_factor = 1.5>
      : (tensor<?x4xf64>, tensor<?x1xi32>, tensor<?x1xf64>) -> tensor<?x4xf64>
  return %d : tensor<?x4xf64>
}
