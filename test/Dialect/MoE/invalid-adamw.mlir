// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of AdamWOp::verify, plus the parser's for a
// missing lr.

// Integer parameters have no AdamW update.
func.func @param_element_type(%p: tensor<8xi32>, %g: tensor<8xi32>, %m: tensor<8xi32>, %v: tensor<8xi32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected param element type to be f32, f64, f16 or bf16, got 'i32'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<8xi32>, tensor<i64>)
      -> (tensor<8xi32>, tensor<8xi32>, tensor<8xi32>)
  return
}

// -----

// Every elementwise operand has param's exact type.
func.func @grad_shape(%p: tensor<8xf32>, %g: tensor<9xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected grad to have param's type 'tensor<8xf32>', got 'tensor<9xf32>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<9xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// Moments in another precision than the parameter are not supported.
func.func @m_element_type(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf64>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected m to have param's type 'tensor<8xf32>', got 'tensor<8xf64>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf64>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// A dynamic size where param has a static one is a mismatch too.
func.func @v_dynamic(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<?xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected v to have param's type 'tensor<8xf32>', got 'tensor<?xf32>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// Results too.
func.func @new_param_type(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected new_param to have param's type 'tensor<8xf32>', got 'tensor<8xbf16>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xbf16>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @new_m_rank(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected new_m to have param's type 'tensor<8xf32>', got 'tensor<1x8xf32>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<1x8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @new_v_type(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected new_v to have param's type 'tensor<8xf32>', got 'tensor<4xf32>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<4xf32>)
  return
}

// -----

// The step is one scalar, passed as a rank-0 tensor.
func.func @step_rank(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<1xi64>) {
  // expected-error @+1 {{'moe.adamw' op expected step to be a rank-0 tensor of i32 or i64 (the step count, from 1), got 'tensor<1xi64>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<1xi64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @step_element_type(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{'moe.adamw' op expected step to be a rank-0 tensor of i32 or i64 (the step count, from 1), got 'tensor<f32>'}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// beta = 1 would make the bias correction 1 - beta^t zero.
func.func @beta1_one(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected beta1 in [0, 1), got 1.000000e+00}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3 beta1 = 1.0
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @beta2_negative(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected beta2 in [0, 1), got -5.000000e-01}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3 beta2 = -0.5
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// NaN is out of every range.
func.func @beta1_nan(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected beta1 in [0, 1), got nan}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3 beta1 = 0x7FF8000000000000
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @lr_negative(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected lr to be finite and >= 0, got -1.000000e-03}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = -1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// eps keeps the denominator away from zero.
func.func @eps_zero(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected eps to be finite and > 0, got 0.000000e+00}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3 eps = 0.0
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @weight_decay_inf(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'moe.adamw' op expected weight_decay to be finite, got INF}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3 weight_decay = 0x7FF0000000000000
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<i64>)
      -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// lr has no default.
func.func @lr_missing(%p: tensor<8xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{expected 'lr'}}
  %p1, %m1, %v1 = moe.adamw %p, %p, %p, %p step %t beta1 = 0.9
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
         tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}
