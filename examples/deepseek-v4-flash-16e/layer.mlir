module {
  func.func @moe_layer(%arg0: tensor<?x4096xf32>, %arg1: tensor<4096x16xf32>, %arg2: tensor<16x4096x2048xf32>, %arg3: tensor<16x4096x2048xf32>, %arg4: tensor<16x2048x4096xf32>, %arg5: tensor<4096x2048xf32>, %arg6: tensor<4096x2048xf32>, %arg7: tensor<2048x4096xf32>, %arg8: tensor<16xf32>) -> tensor<?x4096xf32> {
    %0 = moe.layer %arg0 router %arg1 bias %arg8 experts %arg2, %arg3, %arg4 shared %arg5, %arg6, %arg7 routing <k = 6, scoring = sqrtsoftplus, norm_topk_prob = true, routed_scaling_factor = 1.5> swiglu_limit = 1.000000e+01 : (tensor<?x4096xf32>, tensor<4096x16xf32>, tensor<16x4096x2048xf32>, tensor<16x4096x2048xf32>, tensor<16x2048x4096xf32>, tensor<4096x2048xf32>, tensor<4096x2048xf32>, tensor<2048x4096xf32>, tensor<16xf32>) -> tensor<?x4096xf32>
    return %0 : tensor<?x4096xf32>
  }
}
