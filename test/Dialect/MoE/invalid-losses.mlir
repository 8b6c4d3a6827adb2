// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of the auxiliary-loss ops' verifiers (MoELossOps.cpp).

//===----------------------------------------------------------------------===//
// moe.load_balancing_loss
//===----------------------------------------------------------------------===//

func.func @lb_logits_rank(%l: tensor<?xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected logits to be a rank-2 tensor [tokens, experts], got 'tensor<?xf32>'}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?xf32>, tensor<?x2xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_logits_element_type(%l: tensor<?x8xi32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected logits element type to be f16, bf16, f32 or f64, got 'i32'}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?x8xi32>, tensor<?x2xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_ids_rank(%l: tensor<?x8xf32>, %i: tensor<?xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected ids to be a rank-2 tensor [tokens, k], got 'tensor<?xi32>'}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?x8xf32>, tensor<?xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_ids_element_type(%l: tensor<?x8xf32>, %i: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected ids element type to be i32 or i64, got 'f32'}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xf32> -> tensor<f32>
  return
}

// -----

func.func @lb_ids_tokens(%l: tensor<4x8xf32>, %i: tensor<5x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected ids dim 0 (tokens) to be 4 to match logits, got 5}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<4x8xf32>, tensor<5x2xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_k_above_experts(%l: tensor<?x4xf32>, %i: tensor<?x5xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected ids dim 1 (k) to be at most 4, the experts of logits, got 5}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?x4xf32>, tensor<?x5xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_alpha_negative(%l: tensor<?x8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected alpha to be finite and non-negative, got -1.000000e+00}}
  %r = moe.load_balancing_loss %l, %i alpha = -1.0
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_alpha_inf(%l: tensor<?x8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected alpha to be finite and non-negative, got INF}}
  %r = moe.load_balancing_loss %l, %i alpha = 0x7FF0000000000000
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  return
}

// -----

func.func @lb_loss_rank(%l: tensor<?x8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected loss to be a rank-0 tensor [], got 'tensor<1xf32>'}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<1xf32>
  return
}

// -----

func.func @lb_loss_element_type(%l: tensor<?x8xbf16>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.load_balancing_loss' op expected loss element type to be 'f32' for 'bf16' logits, got 'bf16'}}
  %r = moe.load_balancing_loss %l, %i alpha = 0.01
      : tensor<?x8xbf16>, tensor<?x2xi32> -> tensor<bf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// moe.router_z_loss
//===----------------------------------------------------------------------===//

func.func @z_logits_rank(%l: tensor<2x3x8xf32>) {
  // expected-error @+1 {{'moe.router_z_loss' op expected logits to be a rank-2 tensor [tokens, experts], got 'tensor<2x3x8xf32>'}}
  %r = moe.router_z_loss %l : tensor<2x3x8xf32> -> tensor<f32>
  return
}

// -----

func.func @z_logits_element_type(%l: tensor<?x8xf8E4M3FN>) {
  // expected-error @+1 {{'moe.router_z_loss' op expected logits element type to be f16, bf16, f32 or f64, got 'f8E4M3FN'}}
  %r = moe.router_z_loss %l : tensor<?x8xf8E4M3FN> -> tensor<f32>
  return
}

// -----

func.func @z_loss_rank(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router_z_loss' op expected loss to be a rank-0 tensor [], got 'tensor<?xf32>'}}
  %r = moe.router_z_loss %l : tensor<?x8xf32> -> tensor<?xf32>
  return
}

// -----

func.func @z_loss_element_type(%l: tensor<?x8xf64>) {
  // expected-error @+1 {{'moe.router_z_loss' op expected loss element type to be 'f64' for 'f64' logits, got 'f32'}}
  %r = moe.router_z_loss %l : tensor<?x8xf64> -> tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// moe.load_balancing_loss_grad
//===----------------------------------------------------------------------===//

func.func @lbg_logits_rank(%l: tensor<?xf32>, %i: tensor<?x2xi32>,
                           %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected logits to be a rank-2 tensor [tokens, experts], got 'tensor<?xf32>'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?xf32>, tensor<?x2xi32>, tensor<f32> -> tensor<?xf32>
  return
}

// -----

func.func @lbg_logits_element_type(%l: tensor<?x8xi32>, %i: tensor<?x2xi32>,
                                   %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected logits element type to be f16, bf16, f32 or f64, got 'i32'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x8xi32>, tensor<?x2xi32>, tensor<f32> -> tensor<?x8xi32>
  return
}

// -----

func.func @lbg_ids_element_type(%l: tensor<?x8xf32>, %i: tensor<?x2xf32>,
                                %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected ids element type to be i32 or i64, got 'f32'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xf32>, tensor<f32> -> tensor<?x8xf32>
  return
}

// -----

func.func @lbg_ids_tokens(%l: tensor<4x8xf32>, %i: tensor<5x2xi32>,
                          %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected ids dim 0 (tokens) to be 4 to match logits, got 5}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<4x8xf32>, tensor<5x2xi32>, tensor<f32> -> tensor<4x8xf32>
  return
}

// -----

func.func @lbg_k_above_experts(%l: tensor<?x4xf32>, %i: tensor<?x5xi32>,
                               %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected ids dim 1 (k) to be at most 4, the experts of logits, got 5}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x4xf32>, tensor<?x5xi32>, tensor<f32> -> tensor<?x4xf32>
  return
}

// -----

func.func @lbg_alpha_nan(%l: tensor<?x8xf32>, %i: tensor<?x2xi32>,
                         %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected alpha to be finite and non-negative, got nan}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0x7FF8000000000000
      : tensor<?x8xf32>, tensor<?x2xi32>, tensor<f32> -> tensor<?x8xf32>
  return
}

// -----

func.func @lbg_dloss_rank(%l: tensor<?x8xf32>, %i: tensor<?x2xi32>,
                          %d: tensor<1xf32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected dloss to be a rank-0 tensor [], got 'tensor<1xf32>'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32>, tensor<1xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @lbg_dloss_element_type(%l: tensor<?x8xbf16>, %i: tensor<?x2xi32>,
                                  %d: tensor<bf16>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected dloss element type to be 'f32' for 'bf16' logits, got 'bf16'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x8xbf16>, tensor<?x2xi32>, tensor<bf16> -> tensor<?x8xbf16>
  return
}

// -----

func.func @lbg_d_logits_shape(%l: tensor<?x8xf32>, %i: tensor<?x2xi32>,
                              %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected d_logits to have logits' type 'tensor<?x8xf32>', got 'tensor<4x8xf32>'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32>, tensor<f32> -> tensor<4x8xf32>
  return
}

// -----

func.func @lbg_d_logits_element_type(%l: tensor<?x8xbf16>,
                                     %i: tensor<?x2xi32>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.load_balancing_loss_grad' op expected d_logits to have logits' type 'tensor<?x8xbf16>', got 'tensor<?x8xf32>'}}
  %r = moe.load_balancing_loss_grad %l, %i, %d alpha = 0.01
      : tensor<?x8xbf16>, tensor<?x2xi32>, tensor<f32> -> tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// moe.router_z_loss_grad
//===----------------------------------------------------------------------===//

func.func @zg_logits_rank(%l: tensor<2x3x8xf32>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.router_z_loss_grad' op expected logits to be a rank-2 tensor [tokens, experts], got 'tensor<2x3x8xf32>'}}
  %r = moe.router_z_loss_grad %l, %d
      : tensor<2x3x8xf32>, tensor<f32> -> tensor<2x3x8xf32>
  return
}

// -----

func.func @zg_logits_element_type(%l: tensor<?x8xf8E4M3FN>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.router_z_loss_grad' op expected logits element type to be f16, bf16, f32 or f64, got 'f8E4M3FN'}}
  %r = moe.router_z_loss_grad %l, %d
      : tensor<?x8xf8E4M3FN>, tensor<f32> -> tensor<?x8xf8E4M3FN>
  return
}

// -----

func.func @zg_dloss_rank(%l: tensor<?x8xf32>, %d: tensor<?xf32>) {
  // expected-error @+1 {{'moe.router_z_loss_grad' op expected dloss to be a rank-0 tensor [], got 'tensor<?xf32>'}}
  %r = moe.router_z_loss_grad %l, %d
      : tensor<?x8xf32>, tensor<?xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @zg_dloss_element_type(%l: tensor<?x8xf64>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.router_z_loss_grad' op expected dloss element type to be 'f64' for 'f64' logits, got 'f32'}}
  %r = moe.router_z_loss_grad %l, %d
      : tensor<?x8xf64>, tensor<f32> -> tensor<?x8xf64>
  return
}

// -----

func.func @zg_d_logits_type(%l: tensor<?x8xf32>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.router_z_loss_grad' op expected d_logits to have logits' type 'tensor<?x8xf32>', got 'tensor<?x16xf32>'}}
  %r = moe.router_z_loss_grad %l, %d
      : tensor<?x8xf32>, tensor<f32> -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// moe.bias_update
//===----------------------------------------------------------------------===//

func.func @bias_rank(%b: tensor<1x8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected bias to be a rank-1 tensor [experts], got 'tensor<1x8xf32>'}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<1x8xf32>, tensor<?x2xi32> -> tensor<8xf32>
  return
}

// -----

func.func @bias_element_type(%b: tensor<8xi64>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected bias element type to be f16, bf16, f32 or f64, got 'i64'}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xi64>, tensor<?x2xi32> -> tensor<8xi64>
  return
}

// -----

func.func @bias_ids_rank(%b: tensor<8xf32>, %i: tensor<?x2x1xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected ids to be a rank-2 tensor [tokens, k], got 'tensor<?x2x1xi32>'}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xf32>, tensor<?x2x1xi32> -> tensor<8xf32>
  return
}

// -----

func.func @bias_ids_element_type(%b: tensor<8xf32>, %i: tensor<?x2xi16>) {
  // expected-error @+1 {{'moe.bias_update' op expected ids element type to be i32 or i64, got 'i16'}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xf32>, tensor<?x2xi16> -> tensor<8xf32>
  return
}

// -----

func.func @bias_k_above_experts(%b: tensor<8xf32>, %i: tensor<?x9xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected ids dim 1 (k) to be at most 8, the experts of bias, got 9}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xf32>, tensor<?x9xi32> -> tensor<8xf32>
  return
}

// -----

func.func @bias_gamma_negative(%b: tensor<8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected gamma to be finite and non-negative, got -1.000000e-03}}
  %r = moe.bias_update %b, %i gamma = -0.001
      : tensor<8xf32>, tensor<?x2xi32> -> tensor<8xf32>
  return
}

// -----

func.func @bias_gamma_nan(%b: tensor<8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected gamma to be finite and non-negative, got nan}}
  %r = moe.bias_update %b, %i gamma = 0x7FF8000000000000
      : tensor<8xf32>, tensor<?x2xi32> -> tensor<8xf32>
  return
}

// -----

func.func @bias_result_rank(%b: tensor<8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected result to be a rank-1 tensor [experts], got 'tensor<f32>'}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xf32>, tensor<?x2xi32> -> tensor<f32>
  return
}

// -----

func.func @bias_result_element_type(%b: tensor<8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected result element type to be 'f32' to match bias, got 'f16'}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xf32>, tensor<?x2xi32> -> tensor<8xf16>
  return
}

// -----

func.func @bias_result_experts(%b: tensor<8xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.bias_update' op expected result dim 0 (experts) to be 8 to match bias, got 16}}
  %r = moe.bias_update %b, %i gamma = 0.001
      : tensor<8xf32>, tensor<?x2xi32> -> tensor<16xf32>
  return
}

//===----------------------------------------------------------------------===//
// moe.mse_loss, moe.mse_loss_grad
//===----------------------------------------------------------------------===//

// -----

func.func @mse_integer(%y: tensor<4xi32>, %t: tensor<4xi32>) {
  // expected-error @+1 {{'moe.mse_loss' op expected input element type to be f16, bf16, f32 or f64, got 'i32'}}
  %l = moe.mse_loss %y, %t : tensor<4xi32>, tensor<4xi32> -> tensor<f32>
  return
}

// -----

func.func @mse_target_type(%y: tensor<?x4xf32>, %t: tensor<3x4xf32>) {
  // expected-error @+1 {{'moe.mse_loss' op expected target to have input's type 'tensor<?x4xf32>', got 'tensor<3x4xf32>'}}
  %l = moe.mse_loss %y, %t : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<f32>
  return
}

// -----

func.func @mse_loss_type(%y: tensor<4xbf16>, %t: tensor<4xbf16>) {
  // expected-error @+1 {{'moe.mse_loss' op expected loss element type to be 'f32' for 'bf16' input, got 'bf16'}}
  %l = moe.mse_loss %y, %t : tensor<4xbf16>, tensor<4xbf16> -> tensor<bf16>
  return
}

// -----

func.func @mse_loss_rank(%y: tensor<4xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'moe.mse_loss' op expected loss to be a rank-0 tensor}}
  %l = moe.mse_loss %y, %t : tensor<4xf32>, tensor<4xf32> -> tensor<1xf32>
  return
}

// -----

func.func @mse_grad_dloss(%y: tensor<4xf64>, %t: tensor<4xf64>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.mse_loss_grad' op expected dloss element type to be 'f64' for 'f64' input, got 'f32'}}
  %g = moe.mse_loss_grad %y, %t, %d : tensor<4xf64>, tensor<4xf64>, tensor<f32> -> tensor<4xf64>
  return
}

// -----

func.func @mse_grad_result(%y: tensor<?x4xf32>, %t: tensor<?x4xf32>, %d: tensor<f32>) {
  // expected-error @+1 {{'moe.mse_loss_grad' op expected d_input to have input's type 'tensor<?x4xf32>', got 'tensor<2x4xf32>'}}
  %g = moe.mse_loss_grad %y, %t, %d : tensor<?x4xf32>, tensor<?x4xf32>, tensor<f32> -> tensor<2x4xf32>
  return
}
