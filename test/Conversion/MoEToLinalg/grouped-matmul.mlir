// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// f32: an scf.for over the 8 experts; each takes its clamped row range
// [lo, hi) from the offsets and, when it is not empty, runs one linalg.matmul
// on the dynamic row slice, accumulating straight into its zeroed output
// rows. Rows between groups and after the last one are zeroed.
// CHECK-LABEL: func.func @grouped_matmul_f32(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<8x32x16xf32>, %[[OFF:[a-zA-Z0-9_]+]]: tensor<9xi32>)
// CHECK:         %[[R:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x32xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[R]]) : tensor<?x16xf32>
// CHECK:         %[[C8:.*]] = arith.constant 8 : index
// CHECK:         %[[LOOP:.*]]:2 = scf.for %[[E:.*]] = %{{.*}} to %[[C8]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]], %[[COVERED:.*]] = %{{.*}}) -> (tensor<?x16xf32>, index) {
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
// CHECK:           %[[GAP:.*]] = arith.subi %[[LO]], %[[COVERED]] : index
// CHECK:           %[[GAPSIZE:.*]] = arith.maxsi %[[GAP]], %{{.*}} : index
// CHECK:           %[[GAPROWS:.*]] = tensor.extract_slice %[[ACC]][%[[COVERED]], 0] [%[[GAPSIZE]], 16] [1, 1]
// CHECK:           %[[ZEROED:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[GAPROWS]] : tensor<?x16xf32>)
// CHECK:           %[[ACC1:.*]] = tensor.insert_slice %[[ZEROED]] into %[[ACC]][%[[COVERED]], 0] [%[[GAPSIZE]], 16] [1, 1]
// CHECK:           %[[NONEMPTY:.*]] = arith.cmpi sgt, %[[SIZE]], %{{.*}} : index
// CHECK:           %[[IF:.*]] = scf.if %[[NONEMPTY]] -> (tensor<?x16xf32>) {
// CHECK:             %[[LHS:.*]] = tensor.extract_slice %[[X]][%[[LO]], 0] [%[[SIZE]], 32] [1, 1] : tensor<?x32xf32> to tensor<?x32xf32>
// CHECK:             %[[RHS:.*]] = tensor.extract_slice %[[W]][%[[E]], 0, 0] [1, 32, 16] [1, 1, 1] : tensor<8x32x16xf32> to tensor<32x16xf32>
// CHECK:             %[[DEST:.*]] = tensor.extract_slice %[[ACC1]][%[[LO]], 0] [%[[SIZE]], 16] [1, 1] : tensor<?x16xf32> to tensor<?x16xf32>
// CHECK:             %[[TILE:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[DEST]] : tensor<?x16xf32>)
// CHECK:             %[[MM:.*]] = linalg.matmul ins(%[[LHS]], %[[RHS]] : tensor<?x32xf32>, tensor<32x16xf32>) outs(%[[TILE]] : tensor<?x16xf32>)
// CHECK:             %[[INS:.*]] = tensor.insert_slice %[[MM]] into %[[ACC1]][%[[LO]], 0] [%[[SIZE]], 16] [1, 1]
// CHECK:             scf.yield %[[INS]]
// CHECK:           } else {
// CHECK:             scf.yield %[[ACC1]]
// CHECK:           }
// CHECK:           %[[END:.*]] = arith.addi %[[LO]], %[[SIZE]] : index
// CHECK:           %[[COVERED1:.*]] = arith.maxsi %[[COVERED]], %[[END]] : index
// CHECK:           scf.yield %[[IF]], %[[COVERED1]]
// CHECK:         }
// CHECK:         %[[TAIL:.*]] = arith.subi %[[R]], %[[LOOP]]#1 : index
// CHECK:         %[[TAILROWS:.*]] = tensor.extract_slice %[[LOOP]]#0[%[[LOOP]]#1, 0] [%[[TAIL]], 16] [1, 1]
// CHECK:         %[[TAILZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[TAILROWS]] : tensor<?x16xf32>)
// CHECK:         %[[RESULT:.*]] = tensor.insert_slice %[[TAILZERO]] into %[[LOOP]]#0[%[[LOOP]]#1, 0] [%[[TAIL]], 16] [1, 1]
// CHECK:         return %[[RESULT]]
// CHECK-NOT:     moe.
func.func @grouped_matmul_f32(%xs: tensor<?x32xf32>, %w: tensor<8x32x16xf32>,
                              %offsets: tensor<9xi32>) -> tensor<?x16xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<8x32x16xf32>, tensor<9xi32> -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// bf16 with i64 offsets: the GEMM accumulates in a fresh zero-filled f32
// tile, which is then rounded into the output rows.
// CHECK-LABEL: func.func @grouped_matmul_bf16_i64(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<24x32xbf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<4x32x16xbf16>, %[[OFF:[a-zA-Z0-9_]+]]: tensor<5xi64>)
// CHECK:         scf.for %[[E:[a-zA-Z0-9_]+]] = {{.*}} -> (tensor<24x16xbf16>, index) {
// CHECK:           tensor.extract %[[OFF]][%[[E]]] : tensor<5xi64>
// CHECK:           arith.index_cast %{{.*}} : i64 to index
// CHECK:           linalg.fill ins(%{{.*}} : bf16)
// CHECK:           scf.if
// CHECK:             %[[LHS:.*]] = tensor.extract_slice %[[X]][%[[LO:[a-zA-Z0-9_]+]], 0] [%[[SIZE:[a-zA-Z0-9_]+]], 32] [1, 1] : tensor<24x32xbf16> to tensor<?x32xbf16>
// CHECK:             %[[RHS:.*]] = tensor.extract_slice %[[W]][%[[E]], 0, 0] [1, 32, 16] [1, 1, 1] : tensor<4x32x16xbf16> to tensor<32x16xbf16>
// CHECK:             %[[DEST:.*]] = tensor.extract_slice %{{.*}}[%[[LO]], 0] [%[[SIZE]], 16] [1, 1] : tensor<24x16xbf16> to tensor<?x16xbf16>
// CHECK:             %[[EMPTY:.*]] = tensor.empty(%[[SIZE]]) : tensor<?x16xf32>
// CHECK:             %[[TILE:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<?x16xf32>)
// CHECK:             %[[MM:.*]] = linalg.matmul ins(%[[LHS]], %[[RHS]] : tensor<?x32xbf16>, tensor<32x16xbf16>) outs(%[[TILE]] : tensor<?x16xf32>)
// CHECK:             %[[ROUNDED:.*]] = linalg.generic {{.*}} ins(%[[MM]] : tensor<?x16xf32>) outs(%[[DEST]] : tensor<?x16xbf16>)
// CHECK:               arith.truncf %{{.*}} : f32 to bf16
// CHECK:             tensor.insert_slice %[[ROUNDED]] into %{{.*}}[%[[LO]], 0] [%[[SIZE]], 16] [1, 1] : tensor<?x16xbf16> into tensor<24x16xbf16>
// CHECK-NOT:     moe.
func.func @grouped_matmul_bf16_i64(%xs: tensor<24x32xbf16>,
                                   %w: tensor<4x32x16xbf16>,
                                   %offsets: tensor<5xi64>) -> tensor<24x16xbf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<24x32xbf16>, tensor<4x32x16xbf16>, tensor<5xi64>
      -> tensor<24x16xbf16>
  return %y : tensor<24x16xbf16>
}

// -----

// A dynamic result type and a dynamic offsets type are accepted: the
// lowering builds the static N of the weight and casts.
// CHECK-LABEL: func.func @grouped_matmul_f16_dynamic(
// CHECK:         scf.for
// CHECK:           linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x8xf16>, tensor<8x4xf16>) outs(%{{.*}} : tensor<?x4xf32>)
// CHECK:           arith.truncf %{{.*}} : f32 to f16
// CHECK:         %[[CAST:.*]] = tensor.cast %{{.*}} : tensor<?x4xf16> to tensor<?x?xf16>
// CHECK:         return %[[CAST]]
func.func @grouped_matmul_f16_dynamic(%xs: tensor<?x8xf16>, %w: tensor<2x8x4xf16>,
                                      %offsets: tensor<?xi32>) -> tensor<?x?xf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x8xf16>, tensor<2x8x4xf16>, tensor<?xi32> -> tensor<?x?xf16>
  return %y : tensor<?x?xf16>
}
