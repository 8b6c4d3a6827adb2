// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// f32: an scf.for over the 8 experts; each takes its clamped row range
// [lo, hi) from the offsets (R = the smaller of the two row counts), zeroes
// its [K, N] slice of the result and, when the group is not empty,
// accumulates input^T @ dy over the group's rows straight into it. The
// reduction is a linalg.generic whose first (outermost) loop is the row, so
// every element sums its rows in ascending order.
// CHECK-DAG:   #[[MAPX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[MAPDY:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[MAPDW:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @wgrad_f32(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[OFF:[a-zA-Z0-9_]+]]: tensor<9xi32>)
// CHECK:         %[[RX:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x32xf32>
// CHECK:         %[[RDY:.*]] = tensor.dim %[[DY]], %{{.*}} : tensor<?x16xf32>
// CHECK:         %[[R:.*]] = arith.minsi %[[RX]], %[[RDY]] : index
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<8x32x16xf32>
// CHECK:         %[[C8:.*]] = arith.constant 8 : index
// CHECK:         %[[LOOP:.*]] = scf.for %[[E:.*]] = %{{.*}} to %[[C8]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<8x32x16xf32>) {
// CHECK:           %[[NEXT:.*]] = arith.addi %[[E]], %{{.*}} : index
// CHECK:           %[[O0:.*]] = tensor.extract %[[OFF]][%[[E]]] : tensor<9xi32>
// CHECK:           %[[I0:.*]] = arith.index_cast %[[O0]] : i32 to index
// CHECK:           %[[M0:.*]] = arith.minsi %[[I0]], %[[R]] : index
// CHECK:           %[[LO:.*]] = arith.maxsi %[[M0]], %{{.*}} : index
// CHECK:           %[[O1:.*]] = tensor.extract %[[OFF]][%[[NEXT]]] : tensor<9xi32>
// CHECK:           %[[I1:.*]] = arith.index_cast %[[O1]] : i32 to index
// CHECK:           %[[M1:.*]] = arith.minsi %[[I1]], %[[R]] : index
// CHECK:           %[[HI:.*]] = arith.maxsi %[[M1]], %[[LO]] : index
// CHECK:           %[[SIZE:.*]] = arith.subi %[[HI]], %[[LO]] : index
// CHECK:           %[[DEST:.*]] = tensor.extract_slice %[[ACC]][%[[E]], 0, 0] [1, 32, 16] [1, 1, 1] : tensor<8x32x16xf32> to tensor<32x16xf32>
// CHECK:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[ZEROED:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[DEST]] : tensor<32x16xf32>)
// CHECK:           %[[NONEMPTY:.*]] = arith.cmpi sgt, %[[SIZE]], %{{.*}} : index
// CHECK:           %[[IF:.*]] = scf.if %[[NONEMPTY]] -> (tensor<32x16xf32>) {
// CHECK:             %[[LHS:.*]] = tensor.extract_slice %[[X]][%[[LO]], 0] [%[[SIZE]], 32] [1, 1] : tensor<?x32xf32> to tensor<?x32xf32>
// CHECK:             %[[RHS:.*]] = tensor.extract_slice %[[DY]][%[[LO]], 0] [%[[SIZE]], 16] [1, 1] : tensor<?x16xf32> to tensor<?x16xf32>
// CHECK:             %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[MAPX]], #[[MAPDY]], #[[MAPDW]]], iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[LHS]], %[[RHS]] : tensor<?x32xf32>, tensor<?x16xf32>) outs(%[[ZEROED]] : tensor<32x16xf32>) {
// CHECK:             ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK:               %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK:               %[[S:.*]] = arith.addf %[[OUT]], %[[P]] : f32
// CHECK:               linalg.yield %[[S]] : f32
// CHECK:             scf.yield %[[SUM]]
// CHECK:           } else {
// CHECK:             scf.yield %[[ZEROED]]
// CHECK:           }
// CHECK:           %[[INS:.*]] = tensor.insert_slice %[[IF]] into %[[ACC]][%[[E]], 0, 0] [1, 32, 16] [1, 1, 1] : tensor<32x16xf32> into tensor<8x32x16xf32>
// CHECK:           scf.yield %[[INS]]
// CHECK:         }
// CHECK:         return %[[LOOP]]
// CHECK-NOT:     moe.
func.func @wgrad_f32(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>,
                     %offsets: tensor<9xi32>) -> tensor<8x32x16xf32> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<9xi32> -> tensor<8x32x16xf32>
  return %dw : tensor<8x32x16xf32>
}

// -----

// bf16 with i64 offsets and a dynamic K in the input type: the input is
// cast to the result's K; the group accumulates in a fresh zero-filled f32
// tile, rounded once into the zeroed slice.
// CHECK-LABEL: func.func @wgrad_bf16(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<24x?xbf16>, %[[DY:[a-zA-Z0-9_]+]]: tensor<24x16xbf16>, %[[OFF:[a-zA-Z0-9_]+]]: tensor<5xi64>)
// CHECK:         %[[XC:.*]] = tensor.cast %[[X]] : tensor<24x?xbf16> to tensor<24x32xbf16>
// CHECK:         scf.for %[[E:[a-zA-Z0-9_]+]] = {{.*}} -> (tensor<4x32x16xbf16>) {
// CHECK:           tensor.extract %[[OFF]][%[[E]]] : tensor<5xi64>
// CHECK:           arith.index_cast %{{.*}} : i64 to index
// CHECK:           %[[ZEROED:.*]] = linalg.fill ins(%{{.*}} : bf16) outs(%{{.*}} : tensor<32x16xbf16>)
// CHECK:           scf.if
// CHECK:             %[[LHS:.*]] = tensor.extract_slice %[[XC]][%[[LO:[a-zA-Z0-9_]+]], 0] [%[[SIZE:[a-zA-Z0-9_]+]], 32] [1, 1] : tensor<24x32xbf16> to tensor<?x32xbf16>
// CHECK:             %[[RHS:.*]] = tensor.extract_slice %[[DY]][%[[LO]], 0] [%[[SIZE]], 16] [1, 1] : tensor<24x16xbf16> to tensor<?x16xbf16>
// CHECK:             %[[EMPTY:.*]] = tensor.empty() : tensor<32x16xf32>
// CHECK:             %[[TILE:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<32x16xf32>)
// CHECK:             %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[LHS]], %[[RHS]] : tensor<?x32xbf16>, tensor<?x16xbf16>) outs(%[[TILE]] : tensor<32x16xf32>)
// CHECK:               arith.extf %{{.*}} : bf16 to f32
// CHECK:               arith.extf %{{.*}} : bf16 to f32
// CHECK:               arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:               arith.addf %{{.*}}, %{{.*}} : f32
// CHECK:             %[[ROUNDED:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<32x16xf32>) outs(%[[ZEROED]] : tensor<32x16xbf16>)
// CHECK:               arith.truncf %{{.*}} : f32 to bf16
// CHECK:             scf.yield %[[ROUNDED]]
// CHECK:           } else {
// CHECK:             scf.yield %[[ZEROED]]
// CHECK-NOT:     moe.
func.func @wgrad_bf16(%xs: tensor<24x?xbf16>, %dy: tensor<24x16xbf16>,
                      %offsets: tensor<5xi64>) -> tensor<4x32x16xbf16> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<24x?xbf16>, tensor<24x16xbf16>, tensor<5xi64>
      -> tensor<4x32x16xbf16>
  return %dw : tensor<4x32x16xbf16>
}

// -----

// f64 accumulates in f64, straight into the slice: no extf, no truncf.
// CHECK-LABEL: func.func @wgrad_f64(
// CHECK:         linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<8x4xf64>)
// CHECK:         linalg.generic
// CHECK-SAME:        outs(%{{.*}} : tensor<8x4xf64>)
// CHECK-NEXT:    ^bb0(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NEXT:      arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK-NEXT:      arith.addf %{{.*}}, %{{.*}} : f64
// CHECK-NOT:     arith.truncf
// CHECK-NOT:     arith.extf
// CHECK:         return
func.func @wgrad_f64(%xs: tensor<?x8xf64>, %dy: tensor<?x4xf64>,
                     %offsets: tensor<3xi32>) -> tensor<2x8x4xf64> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x8xf64>, tensor<?x4xf64>, tensor<3xi32> -> tensor<2x8x4xf64>
  return %dw : tensor<2x8x4xf64>
}

// -----

// The forward in f64, whose adjoint the ops above compute: the GEMM
// accumulates in f64 straight into its zeroed output rows.
// CHECK-LABEL: func.func @grouped_matmul_f64(
// CHECK:         scf.for
// CHECK:           scf.if
// CHECK:             %[[DEST:.*]] = tensor.extract_slice {{.*}} : tensor<?x4xf64> to tensor<?x4xf64>
// CHECK:             %[[TILE:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%[[DEST]] : tensor<?x4xf64>)
// CHECK:             linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x8xf64>, tensor<8x4xf64>) outs(%[[TILE]] : tensor<?x4xf64>)
// CHECK-NOT:     arith.truncf
// CHECK:         return
func.func @grouped_matmul_f64(%xs: tensor<?x8xf64>, %w: tensor<2x8x4xf64>,
                              %offsets: tensor<3xi32>) -> tensor<?x4xf64> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x8xf64>, tensor<2x8x4xf64>, tensor<3xi32> -> tensor<?x4xf64>
  return %y : tensor<?x4xf64>
}
