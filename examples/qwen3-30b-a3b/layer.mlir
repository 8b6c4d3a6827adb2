module {
  func.func @moe_layer(%arg0: tensor<?x2048xf32>, %arg1: tensor<2048x128xf32>, %arg2: tensor<128x2048x768xf32>, %arg3: tensor<128x2048x768xf32>, %arg4: tensor<128x768x2048xf32>) -> tensor<?x2048xf32> {
    %0 = moe.layer %arg0 router %arg1 experts %arg2, %arg3, %arg4 routing <k = 8, norm_topk_prob = true> : (tensor<?x2048xf32>, tensor<2048x128xf32>, tensor<128x2048x768xf32>, tensor<128x2048x768xf32>, tensor<128x768x2048xf32>) -> tensor<?x2048xf32>
    return %0 : tensor<?x2048xf32>
  }
}
