// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// Softmax, renormalised, f32. Generic 1, per token: the forward's softmax
// max and sum (experts in order), D = the sum of the valid slots' p (no
// epsilon for softmax; an id outside [0, E) contributes 0 and reads a
// clamped column), beta = sum (p_j / D) g_j, gamma = sum p_j ds_j with
// ds_j = (g_j - beta) / D. Generic 2, per [t, e]: dS = the sum of ds_j
// over the slots whose id is e, then p (dS - gamma).
// CHECK-LABEL: func.func @router_grad_softmax(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[IDS:[a-zA-Z0-9_]+]]: tensor<?x2xi32>, %[[DW:[a-zA-Z0-9_]+]]: tensor<?x2xf32>)
// CHECK:         %[[T:.*]] = tensor.dim %[[L]], %{{.*}} : tensor<?x8xf32>
// CHECK:         %[[STATS:.*]]:5 = linalg.generic {{.*}} iterator_types = ["parallel"]} outs({{.*}} : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
// CHECK:           %[[TOK:.*]] = linalg.index 0 : index
// CHECK:           %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[MAX:.*]] = scf.for %[[E:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[M:.*]] = %[[NEGINF]]) -> (f32) {
// CHECK:             %[[LE:.*]] = tensor.extract %[[L]][%[[TOK]], %[[E]]] : tensor<?x8xf32>
// CHECK:             arith.maximumf %[[LE]], %[[M]] : f32
// CHECK:           %[[SUM:.*]] = scf.for {{.*}} -> (f32) {
// CHECK:             arith.subf %{{.*}}, %[[MAX]] : f32
// CHECK:             math.exp
// CHECK:             arith.addf
// CHECK:           %[[D:.*]] = scf.for %[[J:[a-zA-Z0-9_]+]] = {{.*}} -> (f32) {
// CHECK:             %[[ID:.*]] = tensor.extract %[[IDS]][%[[TOK]], %[[J]]] : tensor<?x2xi32>
// CHECK:             %[[IDX:.*]] = arith.index_cast %[[ID]] : i32 to index
// CHECK:             %[[VALID:.*]] = arith.andi
// CHECK:             %[[LO:.*]] = arith.minsi %[[IDX]], %{{.*}} : index
// CHECK:             %[[SAFE:.*]] = arith.maxsi %[[LO]], %{{.*}} : index
// CHECK:             %[[LJ:.*]] = tensor.extract %[[L]][%[[TOK]], %[[SAFE]]] : tensor<?x8xf32>
// CHECK:             %[[SH:.*]] = arith.subf %[[LJ]], %[[MAX]] : f32
// CHECK:             %[[EX:.*]] = math.exp %[[SH]] : f32
// CHECK:             %[[P:.*]] = arith.divf %[[EX]], %[[SUM]] : f32
// CHECK:             arith.select %[[VALID]], %[[P]], %{{.*}} : f32
// CHECK-NOT:       9.99999968E-21
// CHECK:           %[[BETA:.*]] = scf.for {{.*}} -> (f32) {
// CHECK:             %[[W:.*]] = arith.divf %{{.*}}, %[[D]] : f32
// CHECK:             %[[DWJ:.*]] = tensor.extract %[[DW]][%[[TOK]], %{{.*}}] : tensor<?x2xf32>
// CHECK:             %[[G:.*]] = arith.mulf %[[DWJ]], %{{.*}} : f32
// CHECK:             arith.mulf %[[W]], %[[G]] : f32
// CHECK:           %[[GAMMA:.*]] = scf.for {{.*}} -> (f32) {
// CHECK:             %[[GG:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:             %[[NUM:.*]] = arith.subf %[[GG]], %[[BETA]] : f32
// CHECK:             %[[DS:.*]] = arith.divf %[[NUM]], %[[D]] : f32
// CHECK:             arith.mulf %{{.*}}, %[[DS]] : f32
// CHECK:           linalg.yield %[[MAX]], %[[SUM]], %[[D]], %[[BETA]], %[[GAMMA]] : f32, f32, f32, f32, f32
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[T]]) : tensor<?x8xf32>
// CHECK:         %[[OUT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[L]], %[[STATS]]#0, %[[STATS]]#1, %[[STATS]]#2, %[[STATS]]#3, %[[STATS]]#4 : {{.*}}) outs(%[[INIT]] : tensor<?x8xf32>) {
// CHECK:         ^bb0(%[[IN:.*]]: f32, %[[IMAX:.*]]: f32, %[[ISUM:.*]]: f32, %[[ID_:.*]]: f32, %[[IBETA:.*]]: f32, %[[IGAMMA:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[T2:.*]] = linalg.index 0 : index
// CHECK:           %[[E2:.*]] = linalg.index 1 : index
// CHECK:           %[[DSUM:.*]] = scf.for %[[J2:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK:             %[[ID2:.*]] = tensor.extract %[[IDS]][%[[T2]], %[[J2]]] : tensor<?x2xi32>
// CHECK:             %[[IDX2:.*]] = arith.index_cast %[[ID2]] : i32 to index
// CHECK:             %[[PICKED:.*]] = arith.cmpi eq, %[[IDX2]], %[[E2]] : index
// CHECK:             %[[SUB2:.*]] = arith.subf %{{.*}}, %[[IBETA]] : f32
// CHECK:             %[[DS2:.*]] = arith.divf %[[SUB2]], %[[ID_]] : f32
// CHECK:             %[[TERM:.*]] = arith.select %[[PICKED]], %[[DS2]], %{{.*}} : f32
// CHECK:             arith.addf %[[ACC]], %[[TERM]] : f32
// CHECK:           %[[SH2:.*]] = arith.subf %[[IN]], %[[IMAX]] : f32
// CHECK:           %[[EX2:.*]] = math.exp %[[SH2]] : f32
// CHECK:           %[[P2:.*]] = arith.divf %[[EX2]], %[[ISUM]] : f32
// CHECK:           %[[DIFF:.*]] = arith.subf %[[DSUM]], %[[IGAMMA]] : f32
// CHECK:           %[[GRAD:.*]] = arith.mulf %[[P2]], %[[DIFF]] : f32
// CHECK:           linalg.yield %[[GRAD]] : f32
// CHECK:         return %[[OUT]] : tensor<?x8xf32>
// CHECK-NOT:     moe.
func.func @router_grad_softmax(%logits: tensor<?x8xf32>, %ids: tensor<?x2xi32>,
                               %dw: tensor<?x2xf32>) -> tensor<?x8xf32> {
  %d = moe.router_grad %logits ids %ids d_weights %dw
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?x2xf32>) -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}

// -----

// Sigmoid without renormalisation, bf16 logits, i64 ids, groups and a bias:
// the bias is never read (the ids are given) and neither are the groups.
// Generic 1 only flags rows with a NaN logit; generic 2 computes in f32:
// dS = sum of rho * dw_j over the slots that picked e, times s (1 - s),
// NaN for a flagged row, rounded once to bf16.
// CHECK-LABEL: func.func @router_grad_sigmoid_bf16(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xbf16>, %[[B:[a-zA-Z0-9_]+]]: tensor<8xf32>, %[[IDS:[a-zA-Z0-9_]+]]: tensor<?x2xi64>, %[[DW:[a-zA-Z0-9_]+]]: tensor<?x2xbf16>)
// CHECK-NOT:     %[[B]]
// CHECK:         %[[NAN:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} outs(%{{.*}} : tensor<?xi1>) {
// CHECK:           scf.for {{.*}} -> (i1) {
// CHECK:             %[[LE:.*]] = tensor.extract %[[L]]
// CHECK:             %[[UNO:.*]] = arith.cmpf uno, %[[LE]], %[[LE]] : bf16
// CHECK:             arith.ori %{{.*}}, %[[UNO]] : i1
// CHECK:         linalg.generic {{.*}} ins(%[[L]], %[[NAN]] : tensor<?x8xbf16>, tensor<?xi1>) outs(%{{.*}} : tensor<?x8xbf16>) {
// CHECK:         ^bb0(%[[IN:.*]]: bf16, %[[FLAG:.*]]: i1, %{{.*}}: bf16):
// CHECK:           %[[X:.*]] = arith.extf %[[IN]] : bf16 to f32
// CHECK:           %[[DSUM:.*]] = scf.for {{.*}} -> (f32) {
// CHECK:             tensor.extract %[[IDS]]{{.*}} : tensor<?x2xi64>
// CHECK:             %[[PICKED:.*]] = arith.cmpi eq
// CHECK:             %[[DWV:.*]] = tensor.extract %[[DW]]{{.*}} : tensor<?x2xbf16>
// CHECK:             %[[DWF:.*]] = arith.extf %[[DWV]] : bf16 to f32
// CHECK:             %[[RHO:.*]] = arith.constant 2.500000e+00 : f32
// CHECK:             %[[G:.*]] = arith.mulf %[[DWF]], %[[RHO]] : f32
// CHECK:             arith.select %[[PICKED]], %[[G]], %{{.*}} : f32
// CHECK:           %[[NEG:.*]] = arith.negf %[[X]] : f32
// CHECK:           %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK:           %[[DEN:.*]] = arith.addf %{{.*}}, %[[EXP]] : f32
// CHECK:           %[[S:.*]] = arith.divf %{{.*}}, %[[DEN]] : f32
// CHECK:           %[[ONEMS:.*]] = arith.subf %{{.*}}, %[[S]] : f32
// CHECK:           %[[DS:.*]] = arith.mulf %[[S]], %[[ONEMS]] : f32
// CHECK:           %[[GRAD:.*]] = arith.mulf %[[DSUM]], %[[DS]] : f32
// CHECK:           %[[QNAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK:           %[[SEL:.*]] = arith.select %[[FLAG]], %[[QNAN]], %[[GRAD]] : f32
// CHECK:           %[[RND:.*]] = arith.truncf %[[SEL]] : f32 to bf16
// CHECK:           linalg.yield %[[RND]] : bf16
func.func @router_grad_sigmoid_bf16(%logits: tensor<?x8xbf16>,
                                    %bias: tensor<8xf32>,
                                    %ids: tensor<?x2xi64>,
                                    %dw: tensor<?x2xbf16>)
    -> tensor<?x8xbf16> {
  %d = moe.router_grad %logits bias %bias ids %ids d_weights %dw
      routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2,
               routed_scaling_factor = 2.5>
      : (tensor<?x8xbf16>, tensor<8xf32>, tensor<?x2xi64>, tensor<?x2xbf16>)
      -> tensor<?x8xbf16>
  return %d : tensor<?x8xbf16>
}

// -----

// sqrtsoftplus, renormalised, f64: computed in f64 throughout (no extension
// or rounding), D gets the f64 epsilon 1e-20, and the derivative
// sigmoid(l) / (2 s) is replaced by 0 where s is 0.
// CHECK-LABEL: func.func @router_grad_sqrtsoftplus_f64(
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf64>, tensor<4xf64>, tensor<4xi1>) {
// CHECK:           math.sqrt %{{.*}} : f64
// CHECK:           %[[EPS:.*]] = arith.constant 9.9999999999999995E-21 : f64
// CHECK:           arith.addf %{{.*}}, %[[EPS]] : f64
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<4x16xf64>) {
// CHECK:           %[[S:.*]] = math.sqrt %{{.*}} : f64
// CHECK:           %[[SIG:.*]] = arith.divf %{{.*}}, %{{.*}} : f64
// CHECK:           %[[NUM:.*]] = arith.mulf %{{.*}}, %[[SIG]] : f64
// CHECK:           %[[TWOS:.*]] = arith.addf %[[S]], %[[S]] : f64
// CHECK:           %[[ZERO:.*]] = arith.cmpf oeq, %[[S]], %{{.*}} : f64
// CHECK:           %[[Q:.*]] = arith.divf %[[NUM]], %[[TWOS]] : f64
// CHECK:           %[[R:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[Q]] : f64
// CHECK:           arith.select %{{.*}}, %{{.*}}, %[[R]] : f64
// CHECK:           linalg.yield %{{.*}} : f64
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         return
func.func @router_grad_sqrtsoftplus_f64(%logits: tensor<4x16xf64>,
                                        %ids: tensor<4x3xi32>,
                                        %dw: tensor<4x3xf64>)
    -> tensor<4x16xf64> {
  %d = moe.router_grad %logits ids %ids d_weights %dw
      routing <k = 3, scoring = sqrtsoftplus, norm_topk_prob = true>
      : (tensor<4x16xf64>, tensor<4x3xi32>, tensor<4x3xf64>) -> tensor<4x16xf64>
  return %d : tensor<4x16xf64>
}
