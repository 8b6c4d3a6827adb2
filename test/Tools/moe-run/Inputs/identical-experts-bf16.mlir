// The bf16 twin of test/Integration/Inputs/identical-experts.mlir.
// Four identical experts, k = 2 with renormalisation: whatever the router
// picks, the weights sum to one, so the layer equals one dense SwiGLU FFN.
// The router itself is real (random weights), so tokens take different
// expert pairs and any dispatch/combine bookkeeping error shows.
func.func @moe_layer(%x: tensor<?x8xbf16>, %rw: tensor<8x4xbf16>,
                     %wg: tensor<4x8x6xbf16>, %wu: tensor<4x8x6xbf16>,
                     %wd: tensor<4x6x8xbf16>) -> tensor<?x8xbf16> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xbf16>, tensor<8x4xbf16>, tensor<4x8x6xbf16>,
         tensor<4x8x6xbf16>, tensor<4x6x8xbf16>) -> tensor<?x8xbf16>
  return %y : tensor<?x8xbf16>
}
