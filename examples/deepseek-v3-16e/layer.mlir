module {
  func.func @moe_layer(%arg0: tensor<?x7168xf32>, %arg1: tensor<7168x16xf32>, %arg2: tensor<16x7168x2048xf32>, %arg3: tensor<16x7168x2048xf32>, %arg4: tensor<16x2048x7168xf32>, %arg5: tensor<7168x2048xf32>, %arg6: tensor<7168x2048xf32>, %arg7: tensor<2048x7168xf32>, %arg8: tensor<16xf32>) -> tensor<?x7168xf32> {
    %0 = moe.layer %arg0 router %arg1 bias %arg8 experts %arg2, %arg3, %arg4 shared %arg5, %arg6, %arg7 routing <k = 8, scoring = sigmoid, n_group = 8, topk_group = 4, norm_topk_prob = true, routed_scaling_factor = 2.5> : (tensor<?x7168xf32>, tensor<7168x16xf32>, tensor<16x7168x2048xf32>, tensor<16x7168x2048xf32>, tensor<16x2048x7168xf32>, tensor<7168x2048xf32>, tensor<7168x2048xf32>, tensor<2048x7168xf32>, tensor<16xf32>) -> tensor<?x7168xf32>
    return %0 : tensor<?x7168xf32>
  }
}
