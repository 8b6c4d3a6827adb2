module {
  func.func @moe_layer(%arg0: tensor<?x2048xf32>, %arg1: tensor<2048x64xf32>, %arg2: tensor<64x2048x1408xf32>, %arg3: tensor<64x2048x1408xf32>, %arg4: tensor<64x1408x2048xf32>, %arg5: tensor<2048x2816xf32>, %arg6: tensor<2048x2816xf32>, %arg7: tensor<2816x2048xf32>) -> tensor<?x2048xf32> {
    %0 = moe.layer %arg0 router %arg1 experts %arg2, %arg3, %arg4 shared %arg5, %arg6, %arg7 routing <k = 6> : (tensor<?x2048xf32>, tensor<2048x64xf32>, tensor<64x2048x1408xf32>, tensor<64x2048x1408xf32>, tensor<64x1408x2048xf32>, tensor<2048x2816xf32>, tensor<2048x2816xf32>, tensor<2816x2048xf32>) -> tensor<?x2048xf32>
    return %0 : tensor<?x2048xf32>
  }
}
