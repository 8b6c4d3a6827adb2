func.func @f(%x: tensor<?x2048xf32>, %rw: tensor<2048x4xf32>,
             %wg: tensor<4x1024x8xf32>, %wu: tensor<4x2048x8xf32>,
             %wd: tensor<4x8x2048xf32>) -> tensor<?x2048xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x2048xf32>, tensor<2048x4xf32>, tensor<4x1024x8xf32>,
         tensor<4x2048x8xf32>, tensor<4x8x2048xf32>) -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}
