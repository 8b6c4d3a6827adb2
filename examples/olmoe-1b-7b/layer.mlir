module {
  func.func @moe_layer(%arg0: tensor<?x2048xf32>, %arg1: tensor<2048x64xf32>, %arg2: tensor<64x2048x1024xf32>, %arg3: tensor<64x2048x1024xf32>, %arg4: tensor<64x1024x2048xf32>) -> tensor<?x2048xf32> {
    %0 = moe.layer %arg0 router %arg1 experts %arg2, %arg3, %arg4 routing <k = 8> : (tensor<?x2048xf32>, tensor<2048x64xf32>, tensor<64x2048x1024xf32>, tensor<64x2048x1024xf32>, tensor<64x1024x2048xf32>) -> tensor<?x2048xf32>
    return %0 : tensor<?x2048xf32>
  }
}
