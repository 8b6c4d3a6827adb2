// moe-opt is MlirOptMain: mlir-opt's driver flags work as usual.
// RUN: moe-opt %s --split-input-file --moe-decompose-layer --mlir-print-ir-after=moe-decompose-layer 2>&1 | FileCheck %s --check-prefix=PRINT
// RUN: moe-opt %s --split-input-file --verify-diagnostics

// PRINT: IR Dump After MoEDecomposeLayer (moe-decompose-layer)
// PRINT: moe.router
// PRINT: IR Dump After MoEDecomposeLayer (moe-decompose-layer)
// PRINT: moe.swiglu %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x8xf32>
func.func @layer(%x: tensor<?x16xf32>, %rw: tensor<16x4xf32>,
                 %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>,
                 %wd: tensor<4x8x16xf32>) -> tensor<?x16xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

func.func @swiglu(%g: tensor<4x8xf32>, %u: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = moe.swiglu %g, %u : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}
