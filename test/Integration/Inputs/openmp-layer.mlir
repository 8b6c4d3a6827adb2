// A layer the CPU kernels apply to: H = 64, I = 32, E = 4, k = 2, f32.
// Gate/up (32 columns), down (64) and combine (64) become packed,
// register-blocked kernels whose work items run as OpenMP parallel loops
// when compiled with threads > 1.
func.func @moe_layer(%x: tensor<?x64xf32>, %rw: tensor<64x4xf32>,
                     %wg: tensor<4x64x32xf32>, %wu: tensor<4x64x32xf32>,
                     %wd: tensor<4x32x64xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x64xf32>, tensor<64x4xf32>, tensor<4x64x32xf32>,
         tensor<4x64x32xf32>, tensor<4x32x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
