// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// f32, dynamic sizes. First the inverse permutation: inv = -1 everywhere,
// then each row i with 0 <= perm[i] < T*k writes inv[perm[i]] = i, in row
// order. Then one generic over [T, H] sums the k slots of each token in
// order, in f32, skipping slots without a row.
// CHECK-LABEL: func.func @combine_f32(
// CHECK-SAME:      %[[Y:[a-zA-Z0-9_]+]]: tensor<?x64xf32>, %[[P:[a-zA-Z0-9_]+]]: tensor<?xi32>, %[[W:[a-zA-Z0-9_]+]]: tensor<?x6xf32>)
// CHECK-DAG:     %[[R:.*]] = tensor.dim %[[Y]], %{{.*}} : tensor<?x64xf32>
// CHECK-DAG:     %[[T:.*]] = tensor.dim %[[W]], %{{.*}} : tensor<?x6xf32>
// CHECK-DAG:     %[[K:.*]] = arith.constant 6 : index
// CHECK:         %[[PAIRS:.*]] = arith.muli %[[T]], %[[K]] : index
// CHECK:         %[[NONE:.*]] = arith.constant -1 : index
// CHECK:         %[[EMPTY:.*]] = tensor.empty(%[[PAIRS]]) : tensor<?xindex>
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%[[NONE]] : index) outs(%[[EMPTY]] : tensor<?xindex>)
// CHECK:         %[[PERMLEN:.*]] = tensor.dim %[[P]], %{{.*}} : tensor<?xi32>
// CHECK:         %[[INV:.*]] = scf.for %[[ROW:[a-zA-Z0-9_]+]] = %{{.*}} to %[[PERMLEN]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<?xindex>) {
// CHECK:           %[[PV:.*]] = tensor.extract %[[P]][%[[ROW]]] : tensor<?xi32>
// CHECK:           %[[PAIR:.*]] = arith.index_cast %[[PV]] : i32 to index
// CHECK:           %[[GE:.*]] = arith.cmpi sge, %[[PAIR]], %{{.*}} : index
// CHECK:           %[[LT:.*]] = arith.cmpi slt, %[[PAIR]], %[[PAIRS]] : index
// CHECK:           %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:           %[[UPD:.*]] = scf.if %[[OK]] -> (tensor<?xindex>) {
// CHECK:             %[[INS:.*]] = tensor.insert %[[ROW]] into %[[ACC]][%[[PAIR]]] : tensor<?xindex>
// CHECK:             scf.yield %[[INS]]
// CHECK:           } else {
// CHECK:             scf.yield %[[ACC]]
// CHECK:           }
// CHECK:           scf.yield %[[UPD]]
// CHECK:         %[[OUT:.*]] = tensor.empty(%[[T]]) : tensor<?x64xf32>
// CHECK:         %[[RES:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%[[OUT]] : tensor<?x64xf32>) {
// CHECK:           %[[TOK:.*]] = linalg.index 0 : index
// CHECK:           %[[H:.*]] = linalg.index 1 : index
// CHECK:           %[[FIRST:.*]] = arith.muli %[[TOK]], %[[K]] : index
// CHECK:           %[[SUM:.*]] = scf.for %[[J:[a-zA-Z0-9_]+]] = %{{.*}} to %[[K]] step %{{.*}} iter_args(%[[S:.*]] = %{{.*}}) -> (f32) {
// CHECK:             %[[PJ:.*]] = arith.addi %[[FIRST]], %[[J]] : index
// CHECK:             %[[SRC:.*]] = tensor.extract %[[INV]][%[[PJ]]] : tensor<?xindex>
// CHECK:             %[[SRCLT:.*]] = arith.cmpi slt, %[[SRC]], %[[R]] : index
// CHECK:             %[[TERM:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK:               %[[WV:.*]] = tensor.extract %[[W]][%[[TOK]], %[[J]]] : tensor<?x6xf32>
// CHECK:               %[[YV:.*]] = tensor.extract %[[Y]][%[[SRC]], %[[H]]] : tensor<?x64xf32>
// CHECK:               %[[PROD:.*]] = arith.mulf %[[WV]], %[[YV]] : f32
// CHECK:               scf.yield %[[PROD]] : f32
// CHECK:             } else {
// CHECK:               scf.yield %{{.*}} : f32
// CHECK:             }
// CHECK:             %[[NEXT:.*]] = arith.addf %[[S]], %[[TERM]] : f32
// CHECK:             scf.yield %[[NEXT]] : f32
// CHECK:           }
// CHECK:           linalg.yield %[[SUM]] : f32
// CHECK:         return %[[RES]]
// CHECK-NOT:     moe.
func.func @combine_f32(%ys: tensor<?x64xf32>, %perm: tensor<?xi32>,
                       %w: tensor<?x6xf32>) -> tensor<?x64xf32> {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x64xf32>, tensor<?xi32>, tensor<?x6xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// bf16 rows with f32 weights and i64 perm, static sizes: T*k folds to 8, the
// rows are extended to f32 and the sum truncated once at the end.
// CHECK-LABEL: func.func @combine_bf16_i64(
// CHECK:         tensor.empty() : tensor<8xindex>
// CHECK:         scf.for
// CHECK:           arith.index_cast %{{.*}} : i64 to index
// CHECK:         linalg.generic
// CHECK:           scf.for {{.*}} -> (f32) {
// CHECK:             scf.if {{.*}} -> (f32) {
// CHECK:               %[[WV:.*]] = tensor.extract %{{.*}} : tensor<4x2xf32>
// CHECK:               %[[YV:.*]] = tensor.extract %{{.*}} : tensor<24x16xbf16>
// CHECK:               %[[YF:.*]] = arith.extf %[[YV]] : bf16 to f32
// CHECK:               arith.mulf %[[WV]], %[[YF]] : f32
// CHECK:           %[[T:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:           linalg.yield %[[T]] : bf16
// CHECK:         } -> tensor<4x16xbf16>
func.func @combine_bf16_i64(%ys: tensor<24x16xbf16>, %perm: tensor<24xi64>,
                            %w: tensor<4x2xf32>) -> tensor<4x16xbf16> {
  %y = moe.combine %ys, %perm, %w
      : tensor<24x16xbf16>, tensor<24xi64>, tensor<4x2xf32>
      -> tensor<4x16xbf16>
  return %y : tensor<4x16xbf16>
}

// -----

// f16 rows and f16 weights: both extended, product and sum in f32.
// CHECK-LABEL: func.func @combine_f16(
// CHECK:         scf.if {{.*}} -> (f32) {
// CHECK:           %[[WV:.*]] = tensor.extract %{{.*}} : tensor<?x2xf16>
// CHECK:           %[[WF:.*]] = arith.extf %[[WV]] : f16 to f32
// CHECK:           %[[YV:.*]] = tensor.extract %{{.*}} : tensor<?x16xf16>
// CHECK:           %[[YF:.*]] = arith.extf %[[YV]] : f16 to f32
// CHECK:           arith.mulf %[[WF]], %[[YF]] : f32
// CHECK:         arith.truncf %{{.*}} : f32 to f16
func.func @combine_f16(%ys: tensor<?x16xf16>, %perm: tensor<?xi32>,
                       %w: tensor<?x2xf16>) -> tensor<?x16xf16> {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf16>, tensor<?xi32>, tensor<?x2xf16> -> tensor<?x16xf16>
  return %y : tensor<?x16xf16>
}
