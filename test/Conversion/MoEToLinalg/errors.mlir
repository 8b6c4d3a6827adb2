// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file --verify-diagnostics

// moe.layer has no lowering of its own: the pass says which pass to run
// first instead of failing to legalize.
func.func @layer_not_decomposed(%x: tensor<?x16xf32>, %rw: tensor<16x4xf32>,
                                %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>,
                                %wd: tensor<4x8x16xf32>) -> tensor<?x16xf32> {
  // expected-error @+1 {{'moe.layer' op must be decomposed first: run --moe-decompose-layer before --moe-lower-to-linalg}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Every leftover moe.layer is reported, not only the first.
func.func @two_layers(%x: tensor<?x16xf32>, %rw: tensor<16x4xf32>,
                      %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>,
                      %wd: tensor<4x8x16xf32>) -> tensor<?x16xf32> {
  // expected-error @+1 {{must be decomposed first}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<?x16xf32>
  // expected-error @+1 {{must be decomposed first}}
  %z = moe.layer %y router %rw experts %wg, %wu, %wd routing <k = 1>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<?x16xf32>
  return %z : tensor<?x16xf32>
}
