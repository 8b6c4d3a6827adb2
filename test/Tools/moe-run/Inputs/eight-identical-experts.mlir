// Eight identical experts, k = 2 with renormalisation: the layer equals one
// dense SwiGLU FFN whatever the router picks (E = 8 so that a row of f32
// router logits fills a 32-byte UB block of the NPU plan).
func.func @moe_layer(%x: tensor<?x8xf32>, %rw: tensor<8x8xf32>,
                     %wg: tensor<8x8x6xf32>, %wu: tensor<8x8x6xf32>,
                     %wd: tensor<8x6x8xf32>) -> tensor<?x8xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<8x8x6xf32>,
         tensor<8x8x6xf32>, tensor<8x6x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
