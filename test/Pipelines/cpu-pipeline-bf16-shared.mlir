// A bf16 layer with shared experts: the decomposition rounds the dense f32
// products to bf16 with elementwise arith ops on tensors, which stage 1 must
// turn into linalg so that stage 2 can bufferise them.
// RUN: moe-opt %s --moe-cpu-lower-to-linalg="threads=1 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" | FileCheck %s --check-prefix=STAGE1
// RUN: moe-opt %s --moe-cpu-pipeline="threads=1 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" | FileCheck %s

// STAGE1-LABEL: func.func @moe_layer(
// STAGE1-NOT: arith.truncf %{{.*}} : tensor<
// STAGE1: linalg.generic
// STAGE1: arith.truncf %{{.*}} : f32 to bf16

// CHECK-LABEL: llvm.func @_mlir_ciface_moe_layer(
func.func @moe_layer(%x: tensor<?x64xbf16>, %rw: tensor<64x4xbf16>,
                     %wg: tensor<4x64x32xbf16>, %wu: tensor<4x64x32xbf16>,
                     %wd: tensor<4x32x64xbf16>, %sg: tensor<64x32xbf16>,
                     %su: tensor<64x32xbf16>, %sd: tensor<32x64xbf16>)
    -> tensor<?x64xbf16> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x64xbf16>, tensor<64x4xbf16>, tensor<4x64x32xbf16>,
         tensor<4x64x32xbf16>, tensor<4x32x64xbf16>, tensor<64x32xbf16>,
         tensor<64x32xbf16>, tensor<32x64xbf16>) -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}
