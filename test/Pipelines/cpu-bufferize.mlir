// RUN: moe-opt %s --moe-cpu-bufferize | FileCheck %s

// Stage 2: identity-layout memrefs at the boundary, the result becomes a
// trailing out-parameter written in place (no allocation and copy for it),
// internal buffers are freed.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[X:.+]]: memref<?x3xf32>, %[[W:.+]]: memref<3x2xf32>, %[[OUT:.+]]: memref<?x2xf32>)
// CHECK-NOT: tensor.
// CHECK: %[[TMP:.+]] = memref.alloc
// CHECK: linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[TMP]] :
// CHECK: linalg.exp ins(%[[TMP]] : {{.*}}) outs(%[[OUT]] :
// CHECK: linalg.add ins(%[[OUT]], %[[TMP]] : {{.*}}) outs(%[[OUT]] :
// CHECK-NOT: memref.copy
// CHECK: memref.dealloc %[[TMP]]
// CHECK-NEXT: return
func.func @f(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>) -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x3xf32>
  %e = tensor.empty(%t) : tensor<?x2xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x3xf32>, tensor<3x2xf32>)
                     outs(%f : tensor<?x2xf32>) -> tensor<?x2xf32>
  %e2 = tensor.empty(%t) : tensor<?x2xf32>
  %ex = linalg.exp ins(%y : tensor<?x2xf32>) outs(%e2 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %s = linalg.add ins(%ex, %y : tensor<?x2xf32>, tensor<?x2xf32>) outs(%e2 : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %s : tensor<?x2xf32>
}
