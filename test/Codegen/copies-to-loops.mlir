// RUN: moe-opt %s --moe-copies-to-loops --split-input-file | FileCheck %s

// A copy into a strided, dynamically sized subview: the LLVM lowering would
// call memrefCopy from the runner utils; as linalg.copy it becomes loops.
// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<?x6xf32>) outs(%{{.*}} : memref<?x6xf32, strided<[6, 1], offset: ?>>)
func.func @strided_copy(%src: memref<?x6xf32>, %dst: memref<?x6xf32>, %at: index, %n: index) {
  %view = memref.subview %dst[%at, 0] [%n, 6] [1, 1] : memref<?x6xf32> to memref<?x6xf32, strided<[6, 1], offset: ?>>
  memref.copy %src, %view : memref<?x6xf32> to memref<?x6xf32, strided<[6, 1], offset: ?>>
  return
}

// -----

// CHECK-LABEL: func.func @plain_copy
// CHECK: linalg.copy ins(%arg0 : memref<4xf32>) outs(%arg1 : memref<4xf32>)
func.func @plain_copy(%src: memref<4xf32>, %dst: memref<4xf32>) {
  memref.copy %src, %dst : memref<4xf32> to memref<4xf32>
  return
}
