// RUN: moe-opt %s --moe-cpu-lower-to-llvm | FileCheck %s

// Stage 3: only the LLVM dialect is left, with a C entry point taking one
// descriptor pointer per memref, and no call to a runtime outside libc.
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// CHECK-NOT: linalg.
// CHECK: llvm.func @f(
// CHECK: llvm.func @_mlir_ciface_f(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: llvm.func @memrefCopy
func.func @f(%x: memref<?x3xf32>, %w: memref<3x2xf32>, %out: memref<?x2xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x3xf32>
  %tmp = memref.alloc(%n) : memref<?x2xf32>
  linalg.matmul ins(%x, %w : memref<?x3xf32>, memref<3x2xf32>) outs(%tmp : memref<?x2xf32>)
  %view = memref.subview %out[0, 0] [%n, 2] [1, 1] : memref<?x2xf32> to memref<?x2xf32, strided<[2, 1]>>
  memref.copy %tmp, %view : memref<?x2xf32> to memref<?x2xf32, strided<[2, 1]>>
  memref.dealloc %tmp : memref<?x2xf32>
  return
}
