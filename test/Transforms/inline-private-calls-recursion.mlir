// RUN: not moe-opt %s --moe-inline-private-calls 2>&1 | FileCheck %s --check-prefix=ERR

// Recursion through two private functions is refused.
// ERR: error: --moe-inline-private-calls: calls of private functions nest deeper than 32 (recursion?)
func.func @entry(%a: tensor<f32>) -> tensor<f32> {
  %r = call @ping(%a) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func private @ping(%a: tensor<f32>) -> tensor<f32> {
  %r = call @pong(%a) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func private @pong(%a: tensor<f32>) -> tensor<f32> {
  %r = call @ping(%a) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
