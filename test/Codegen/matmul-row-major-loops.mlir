// RUN: moe-opt %s --moe-matmul-row-major-loops --split-input-file | FileCheck %s
// RUN: moe-opt %s --moe-matmul-row-major-loops --convert-linalg-to-loops --split-input-file | FileCheck %s --check-prefix=LOOPS

// The generic visits (m, k, n): k is the middle, parallel n the innermost.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}

// LOOPS-LABEL: func.func @matmul
// LOOPS: scf.for %[[M:.+]] =
// LOOPS: scf.for %[[K:.+]] =
// LOOPS: scf.for %[[N:.+]] =
// LOOPS: memref.load %{{.*}}[%[[M]], %[[K]]]
// LOOPS: memref.load %{{.*}}[%[[K]], %[[N]]]
// LOOPS: memref.load %{{.*}}[%[[M]], %[[N]]]
func.func @matmul(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>)
  return
}

// -----

// A transposed matmul has its own maps and keeps its loop order.
// CHECK-LABEL: func.func @transposed
// CHECK: linalg.matmul indexing_maps
func.func @transposed(%a: memref<8x4xf32>, %b: memref<8x4xf32>, %c: memref<4x4xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<8x4xf32>, memref<8x4xf32>) outs(%c : memref<4x4xf32>)
  return
}
