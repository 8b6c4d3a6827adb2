// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// f32, dynamic sizes. First moe.combine's inverse permutation (inv = -1,
// then inv[perm[i]] = i in row order, so the last row naming a pair wins).
// d_expert_out: one generic over [R, H]; row i gets w[t, j] * dy[t, h] only
// if perm[i] = t*k + j is in range and inv[perm[i]] == i (the winning row),
// else 0. d_weights: one generic over [T, k]; the dot product of the pair's
// row with dy[t] over h in order, 0 when the pair has no row.
// CHECK-LABEL: func.func @combine_grad_f32(
// CHECK-SAME:      %[[YS:[a-zA-Z0-9_]+]]: tensor<?x64xf32>, %[[P:[a-zA-Z0-9_]+]]: tensor<?xi32>, %[[W:[a-zA-Z0-9_]+]]: tensor<?x6xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x64xf32>)
// CHECK-DAG:     %[[R:.*]] = tensor.dim %[[YS]], %{{.*}} : tensor<?x64xf32>
// CHECK-DAG:     %[[H:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[T:.*]] = tensor.dim %[[W]], %{{.*}} : tensor<?x6xf32>
// CHECK-DAG:     %[[K:.*]] = arith.constant 6 : index
// CHECK:         %[[PAIRS:.*]] = arith.muli %[[T]], %[[K]] : index
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%{{.*}} : index) outs(%{{.*}} : tensor<?xindex>)
// CHECK:         %[[INV:.*]] = scf.for %[[ROW:[a-zA-Z0-9_]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<?xindex>) {
// CHECK:           scf.if %{{.*}} -> (tensor<?xindex>) {
// CHECK:             tensor.insert %[[ROW]] into %[[ACC]][%{{.*}}] : tensor<?xindex>
// CHECK:         %[[DYSINIT:.*]] = tensor.empty(%[[R]]) : tensor<?x64xf32>
// CHECK:         %[[DYS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%[[DYSINIT]] : tensor<?x64xf32>) {
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[HI:.*]] = linalg.index 1 : index
// CHECK:           %[[PV:.*]] = tensor.extract %[[P]][%[[I]]] : tensor<?xi32>
// CHECK:           %[[PAIR:.*]] = arith.index_cast %[[PV]] : i32 to index
// CHECK:           %[[LT:.*]] = arith.cmpi slt, %[[PAIR]], %[[PAIRS]] : index
// CHECK:           %[[OK:.*]] = arith.andi %{{.*}}, %[[LT]] : i1
// CHECK:           %[[VAL:.*]] = scf.if %[[OK]] -> (f32) {
// CHECK:             %[[WIN:.*]] = tensor.extract %[[INV]][%[[PAIR]]] : tensor<?xindex>
// CHECK:             %[[WINS:.*]] = arith.cmpi eq, %[[WIN]], %[[I]] : index
// CHECK:             scf.if %[[WINS]] -> (f32) {
// CHECK:               %[[TOK:.*]] = arith.divui %[[PAIR]], %[[K]] : index
// CHECK:               %[[SLOT:.*]] = arith.remui %[[PAIR]], %[[K]] : index
// CHECK:               %[[WV:.*]] = tensor.extract %[[W]][%[[TOK]], %[[SLOT]]] : tensor<?x6xf32>
// CHECK:               %[[DYV:.*]] = tensor.extract %[[DY]][%[[TOK]], %[[HI]]] : tensor<?x64xf32>
// CHECK:               %[[PROD:.*]] = arith.mulf %[[WV]], %[[DYV]] : f32
// CHECK:               scf.yield %[[PROD]] : f32
// CHECK:             } else {
// CHECK:               arith.constant 0.000000e+00 : f32
// CHECK:           } else {
// CHECK:             arith.constant 0.000000e+00 : f32
// CHECK:           linalg.yield %[[VAL]] : f32
// CHECK:         %[[DWINIT:.*]] = tensor.empty(%[[T]]) : tensor<?x6xf32>
// CHECK:         %[[DW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%[[DWINIT]] : tensor<?x6xf32>) {
// CHECK:           %[[TT:.*]] = linalg.index 0 : index
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[FIRST:.*]] = arith.muli %[[TT]], %[[K]] : index
// CHECK:           %[[PJ:.*]] = arith.addi %[[FIRST]], %[[J]] : index
// CHECK:           %[[SRC:.*]] = tensor.extract %[[INV]][%[[PJ]]] : tensor<?xindex>
// CHECK:           %[[SRCLT:.*]] = arith.cmpi slt, %[[SRC]], %[[R]] : index
// CHECK:           %[[DOT:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK:             %[[SUM:.*]] = scf.for %[[HH:[a-zA-Z0-9_]+]] = %{{.*}} to %[[H]] step %{{.*}} iter_args(%[[S:.*]] = %{{.*}}) -> (f32) {
// CHECK:               %[[X:.*]] = tensor.extract %[[YS]][%[[SRC]], %[[HH]]] : tensor<?x64xf32>
// CHECK:               %[[G:.*]] = tensor.extract %[[DY]][%[[TT]], %[[HH]]] : tensor<?x64xf32>
// CHECK:               %[[XG:.*]] = arith.mulf %[[X]], %[[G]] : f32
// CHECK:               %[[NEXT:.*]] = arith.addf %[[S]], %[[XG]] : f32
// CHECK:               scf.yield %[[NEXT]] : f32
// CHECK:             scf.yield %[[SUM]] : f32
// CHECK:           } else {
// CHECK:             arith.constant 0.000000e+00 : f32
// CHECK:           linalg.yield %[[DOT]] : f32
// CHECK:         return %[[DYS]], %[[DW]]
// CHECK-NOT:     moe.
func.func @combine_grad_f32(%ys: tensor<?x64xf32>, %perm: tensor<?xi32>,
                            %w: tensor<?x6xf32>, %dy: tensor<?x64xf32>)
    -> (tensor<?x64xf32>, tensor<?x6xf32>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<?x64xf32>, tensor<?xi32>, tensor<?x6xf32>, tensor<?x64xf32>)
      -> (tensor<?x64xf32>, tensor<?x6xf32>)
  return %d_ys, %d_w : tensor<?x64xf32>, tensor<?x6xf32>
}

// -----

// bf16 rows with f32 weights: every operand is extended to f32, and each
// result is rounded once to its own element type (bf16 for d_expert_out,
// none needed for the f32 d_weights).
// CHECK-LABEL: func.func @combine_grad_bf16(
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<?x16xbf16>) {
// CHECK:               %[[WV:.*]] = tensor.extract %{{.*}} : tensor<?x2xf32>
// CHECK:               %[[DYV:.*]] = tensor.extract %{{.*}} : tensor<?x16xbf16>
// CHECK:               %[[DYF:.*]] = arith.extf %[[DYV]] : bf16 to f32
// CHECK:               arith.mulf %[[WV]], %[[DYF]] : f32
// CHECK:           %[[RND:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:           linalg.yield %[[RND]] : bf16
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<?x2xf32>) {
// CHECK:               %[[X:.*]] = tensor.extract %{{.*}} : tensor<?x16xbf16>
// CHECK:               %[[XF:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK:               %[[G:.*]] = tensor.extract %{{.*}} : tensor<?x16xbf16>
// CHECK:               %[[GF:.*]] = arith.extf %[[G]] : bf16 to f32
// CHECK:               arith.mulf %[[XF]], %[[GF]] : f32
// CHECK-NOT:       arith.truncf
// CHECK:           linalg.yield %{{.*}} : f32
func.func @combine_grad_bf16(%ys: tensor<?x16xbf16>, %perm: tensor<?xi64>,
                             %w: tensor<?x2xf32>, %dy: tensor<?x16xbf16>)
    -> (tensor<?x16xbf16>, tensor<?x2xf32>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<?x16xbf16>, tensor<?xi64>, tensor<?x2xf32>, tensor<?x16xbf16>)
      -> (tensor<?x16xbf16>, tensor<?x2xf32>)
  return %d_ys, %d_w : tensor<?x16xbf16>, tensor<?x2xf32>
}

// -----

// f64 is computed in f64: no extension or rounding.
// CHECK-LABEL: func.func @combine_grad_f64(
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<8x4xf64>) {
// CHECK:               arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:           linalg.yield %{{.*}} : f64
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf64>) {
// CHECK:             arith.constant 0.000000e+00 : f64
// CHECK:               arith.addf %{{.*}}, %{{.*}} : f64
// CHECK:           linalg.yield %{{.*}} : f64
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         return
func.func @combine_grad_f64(%ys: tensor<8x4xf64>, %perm: tensor<8xi32>,
                            %w: tensor<2x3xf64>, %dy: tensor<2x4xf64>)
    -> (tensor<8x4xf64>, tensor<2x3xf64>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<8x4xf64>, tensor<8xi32>, tensor<2x3xf64>, tensor<2x4xf64>)
      -> (tensor<8x4xf64>, tensor<2x3xf64>)
  return %d_ys, %d_w : tensor<8x4xf64>, tensor<2x3xf64>
}
