// Four identical experts, k = 2 with renormalisation: whatever the router
// picks, the weights sum to one, so the layer equals one dense SwiGLU FFN.
// The router itself is real (random weights), so tokens take different
// expert pairs and any dispatch/combine bookkeeping error shows.
func.func @moe_layer(%x: tensor<?x8xf32>, %rw: tensor<8x4xf32>,
                     %wg: tensor<4x8x6xf32>, %wu: tensor<4x8x6xf32>,
                     %wd: tensor<4x6x8xf32>) -> tensor<?x8xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xf32>, tensor<8x4xf32>, tensor<4x8x6xf32>,
         tensor<4x8x6xf32>, tensor<4x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
