// RUN: moe-opt %s --moe-cpu-pipeline="threads=1" | FileCheck %s
// RUN: moe-opt %s --moe-cpu-pipeline="threads=1" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// The whole pipeline on a layer with a shared expert, a selection bias and
// group-limited sigmoid routing: LLVM dialect that upstream translates, whose
// only external calls are libc/libm.
// CHECK: llvm.func @_mlir_ciface_moe_layer(
// CHECK-NOT: moe.
// LLVMIR: define void @_mlir_ciface_moe_layer(ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}})
// LLVMIR-NOT: declare {{.*}} @memrefCopy
// LLVMIR-NOT: declare {{.*}} @_mlir_
func.func @moe_layer(%x: tensor<?x8xf32>, %rw: tensor<8x8xf32>,
                     %wg: tensor<8x8x4xf32>, %wu: tensor<8x8x4xf32>,
                     %wd: tensor<8x4x8xf32>, %sg: tensor<8x4xf32>,
                     %su: tensor<8x4xf32>, %sd: tensor<4x8xf32>,
                     %bias: tensor<8xf32>) -> tensor<?x8xf32> {
  %y = moe.layer %x router %rw bias %bias experts %wg, %wu, %wd
      shared %sg, %su, %sd
      routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2,
               norm_topk_prob = true, routed_scaling_factor = 2.5>
      : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<8x8x4xf32>,
         tensor<8x8x4xf32>, tensor<8x4x8xf32>, tensor<8x4xf32>,
         tensor<8x4xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
