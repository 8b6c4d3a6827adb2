// RUN: moe-opt %s --moe-cpu-lower-to-linalg | FileCheck %s

// Stage 1: the layer is decomposed and every moe op lowered; what is left is
// upstream tensor-level IR (linalg, tensor, scf, arith, math).
// CHECK-LABEL: func.func @moe_layer
// CHECK-NOT: moe.
// CHECK: linalg.matmul
// CHECK: scf.for
// CHECK: linalg.matmul
// CHECK: return %{{.*}} : tensor<?x8xf32>
func.func @moe_layer(%x: tensor<?x8xf32>, %rw: tensor<8x4xf32>,
                     %wg: tensor<4x8x6xf32>, %wu: tensor<4x8x6xf32>,
                     %wd: tensor<4x6x8xf32>) -> tensor<?x8xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xf32>, tensor<8x4xf32>, tensor<4x8x6xf32>,
         tensor<4x8x6xf32>, tensor<4x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
