// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of SwigluOp::verify, for the two-operand form
// (gate, up) and the fused form (gate_up).

//===----------------------------------------------------------------------===//
// gate and result, both forms
//===----------------------------------------------------------------------===//

func.func @gate_rank_0(%g: tensor<f32>, %u: tensor<f32>) {
  // expected-error @+1 {{'moe.swiglu' op expected gate to be a ranked tensor of rank >= 1, got 'tensor<f32>'}}
  %h = moe.swiglu %g, %u : tensor<f32>, tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @result_rank(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected result to be a rank-2 tensor like gate, got 'tensor<?x4x16xf32>'}}
  %h = moe.swiglu %g, %u
      : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4x16xf32>
  return
}

// -----

func.func @gate_element_type(%gu: tensor<?x16xi32>) {
  // expected-error @+1 {{'moe.swiglu' op expected gate element type to be f32, f64, f16 or bf16, got 'i32'}}
  %h = moe.swiglu %gu : tensor<?x16xi32> -> tensor<?x8xi32>
  return
}

// -----

func.func @result_element_type(%gu: tensor<?x16xbf16>) {
  // expected-error @+1 {{'moe.swiglu' op expected result element type to be 'bf16' to match gate, got 'f32'}}
  %h = moe.swiglu %gu : tensor<?x16xbf16> -> tensor<?x8xf32>
  return
}

// -----

// Every dimension but the last must match gate.
func.func @result_leading_dim(%g: tensor<2x4x16xf32>, %u: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected result dim 1 (leading) to be 4 to match gate, got 3}}
  %h = moe.swiglu %g, %u
      : tensor<2x4x16xf32>, tensor<2x4x16xf32> -> tensor<2x3x16xf32>
  return
}

// -----

func.func @result_leading_dim_fused(%gu: tensor<4x16xf16>) {
  // expected-error @+1 {{'moe.swiglu' op expected result dim 0 (leading) to be 4 to match gate, got 8}}
  %h = moe.swiglu %gu : tensor<4x16xf16> -> tensor<8x8xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// up (two-operand form)
//===----------------------------------------------------------------------===//

func.func @up_rank(%g: tensor<?x16xf32>, %u: tensor<16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected up to be a rank-2 tensor like gate, got 'tensor<16xf32>'}}
  %h = moe.swiglu %g, %u : tensor<?x16xf32>, tensor<16xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @up_element_type(%g: tensor<?x16xf32>, %u: tensor<?x16xf16>) {
  // expected-error @+1 {{'moe.swiglu' op expected up element type to be 'f32' to match gate, got 'f16'}}
  %h = moe.swiglu %g, %u
      : tensor<?x16xf32>, tensor<?x16xf16> -> tensor<?x16xf32>
  return
}

// -----

func.func @up_leading_dim(%g: tensor<4x16xf32>, %u: tensor<5x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected up dim 0 (leading) to be 4 to match gate, got 5}}
  %h = moe.swiglu %g, %u
      : tensor<4x16xf32>, tensor<5x16xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @up_width(%g: tensor<?x16xf32>, %u: tensor<?x32xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected up dim 1 (width) to be 16 to match gate, got 32}}
  %h = moe.swiglu %g, %u
      : tensor<?x16xf32>, tensor<?x32xf32> -> tensor<?x16xf32>
  return
}

// -----

// Without fusion the result is as wide as gate, not half of it.
func.func @result_width(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected result dim 1 (width) to be 16 to match gate, got 8}}
  %h = moe.swiglu %g, %u
      : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Fused form
//===----------------------------------------------------------------------===//

func.func @fused_odd_width(%gu: tensor<?x15xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected the fused gate_up width to be even (gate half, then up half), got 15}}
  %h = moe.swiglu %gu : tensor<?x15xf32> -> tensor<?x7xf32>
  return
}

// -----

func.func @fused_result_width(%gu: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected result dim 1 (width) to be 8 to match half of fused gate width 16, got 16}}
  %h = moe.swiglu %gu : tensor<?x16xf32> -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// limit
//===----------------------------------------------------------------------===//

func.func @zero_limit(%gu: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected limit to be finite and positive, got 0.000000e+00}}
  %h = moe.swiglu %gu limit = 0.0 : tensor<?x16xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @negative_limit(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected limit to be finite and positive, got -7.000000e+00}}
  %h = moe.swiglu %g, %u limit = -7.0
      : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
  return
}

// -----

// +inf as an IEEE double bit pattern.
func.func @infinite_limit(%gu: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected limit to be finite and positive, got INF}}
  %h = moe.swiglu %gu limit = 0x7FF0000000000000
      : tensor<?x16xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @nan_limit(%gu: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected limit to be finite and positive, got nan}}
  %h = "moe.swiglu"(%gu) <{limit = 0x7FF8000000000000 : f64}>
      : (tensor<?x16xf32>) -> tensor<?x8xf32>
  return
}

// -----

// The limit is an f64 attribute.
func.func @f32_limit(%gu: tensor<?x16xf32>) {
  // expected-error @+1 {{'moe.swiglu' op attribute 'limit' failed to satisfy constraint: 64-bit float attribute}}
  %h = "moe.swiglu"(%gu) <{limit = 1.0 : f32}>
      : (tensor<?x16xf32>) -> tensor<?x8xf32>
  return
}
