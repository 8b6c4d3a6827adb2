// RUN: moe-opt %s --moe-inline-private-calls | FileCheck %s

// Private callees (also those a callee calls) are inlined and then dropped;
// a public callee and an uncalled private function stay.
// CHECK-LABEL: func.func @entry(
// CHECK-NOT:     call @inner
// CHECK-NOT:     call @outer
// CHECK:         %[[M:.+]] = moe.mse_loss
// CHECK:         %[[S:.+]] = arith.addf %[[M]], %[[M]]
// CHECK:         call @public_helper(%[[S]])
// CHECK-NOT:   func.func private @outer
// CHECK-NOT:   func.func private @inner
// CHECK:       func.func @public_helper(
// CHECK:       func.func private @unused(
func.func @entry(%y: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<f32> {
  %l = call @outer(%y, %t) : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %r = call @public_helper(%l) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func private @outer(%y: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<f32> {
  %m = call @inner(%y, %t) : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %s = arith.addf %m, %m : tensor<f32>
  return %s : tensor<f32>
}
func.func private @inner(%y: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<f32> {
  %m = moe.mse_loss %y, %t : tensor<4xf32>, tensor<4xf32> -> tensor<f32>
  return %m : tensor<f32>
}
func.func @public_helper(%l: tensor<f32>) -> tensor<f32> {
  return %l : tensor<f32>
}
func.func private @unused(%l: tensor<f32>) -> tensor<f32> {
  return %l : tensor<f32>
}
