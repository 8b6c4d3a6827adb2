module {
  func.func @moe_layer(%arg0: tensor<?x4096xf32>, %arg1: tensor<4096x8xf32>, %arg2: tensor<8x4096x14336xf32>, %arg3: tensor<8x4096x14336xf32>, %arg4: tensor<8x14336x4096xf32>) -> tensor<?x4096xf32> {
    %0 = moe.layer %arg0 router %arg1 experts %arg2, %arg3, %arg4 routing <k = 2, norm_topk_prob = true> : (tensor<?x4096xf32>, tensor<4096x8xf32>, tensor<8x4096x14336xf32>, tensor<8x4096x14336xf32>, tensor<8x14336x4096xf32>) -> tensor<?x4096xf32>
    return %0 : tensor<?x4096xf32>
  }
}
