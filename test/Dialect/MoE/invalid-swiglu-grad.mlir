// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of SwigluGradOp::verify.

// Integer tensors have no gradient.
func.func @gate_element_type(%g: tensor<8xi32>, %u: tensor<8xi32>, %dh: tensor<8xi32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected gate element type to be f32, f64, f16 or bf16, got 'i32'}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<8xi32>, tensor<8xi32>, tensor<8xi32>) -> (tensor<8xi32>, tensor<8xi32>)
  return
}

// -----

// up has gate's exact shape.
func.func @up_shape(%g: tensor<8xf32>, %u: tensor<9xf32>, %dh: tensor<8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected up to have gate's type 'tensor<8xf32>', got 'tensor<9xf32>'}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<8xf32>, tensor<9xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// A static/dynamic mix is rejected too: the types must be identical.
func.func @dh_dynamic(%g: tensor<8xf32>, %u: tensor<8xf32>, %dh: tensor<?xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected dh to have gate's type 'tensor<8xf32>', got 'tensor<?xf32>'}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<8xf32>, tensor<8xf32>, tensor<?xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// The cotangent is in the forward's precision.
func.func @dh_element_type(%g: tensor<8xbf16>, %u: tensor<8xbf16>, %dh: tensor<8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected dh to have gate's type 'tensor<8xbf16>', got 'tensor<8xf32>'}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<8xbf16>, tensor<8xbf16>, tensor<8xf32>) -> (tensor<8xbf16>, tensor<8xbf16>)
  return
}

// -----

func.func @dgate_type(%g: tensor<8xf32>, %u: tensor<8xf32>, %dh: tensor<8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected dgate to have gate's type 'tensor<8xf32>', got 'tensor<8xf16>'}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf16>, tensor<8xf32>)
  return
}

// -----

func.func @dup_shape(%g: tensor<4x8xf32>, %u: tensor<4x8xf32>, %dh: tensor<4x8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected dup to have gate's type 'tensor<4x8xf32>', got 'tensor<8x4xf32>'}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8x4xf32>)
  return
}

// -----

func.func @limit_negative(%g: tensor<8xf32>, %u: tensor<8xf32>, %dh: tensor<8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected limit to be finite and positive, got -1.000000e+00}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh limit = -1.0
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @limit_zero(%g: tensor<8xf32>, %u: tensor<8xf32>, %dh: tensor<8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected limit to be finite and positive, got 0.000000e+00}}
  %dg, %du = moe.swiglu_grad %g, %u, %dh limit = 0.0
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @limit_nan(%g: tensor<8xf32>, %u: tensor<8xf32>, %dh: tensor<8xf32>) {
  // expected-error @+1 {{'moe.swiglu_grad' op expected limit to be finite and positive, got nan}}
  %dg, %du = "moe.swiglu_grad"(%g, %u, %dh) <{limit = 0x7FF8000000000000 : f64}>
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

// The parser takes exactly three operands.
func.func @missing_dh(%g: tensor<8xf32>, %u: tensor<8xf32>) {
  // expected-error @+1 {{expected ','}}
  %dg, %du = moe.swiglu_grad %g, %u
      : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}
