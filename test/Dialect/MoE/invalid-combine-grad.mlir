// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of CombineGradOp::verify.

// expert_out is [rows, hidden].
func.func @expert_out_rank(%ys: tensor<12xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected expert_out to be a rank-2 tensor [rows, hidden], got 'tensor<12xf32>'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<12xf32>, tensor<4x2xf32>)
  return
}

// -----

// Integer tensors have no gradient.
func.func @expert_out_element_type(%ys: tensor<12x16xi16>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xi16>) {
  // expected-error @+1 {{'moe.combine_grad' op expected expert_out element type to be f32, f64, f16 or bf16, got 'i16'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xi16>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xi16>) -> (tensor<12x16xi16>, tensor<4x2xf32>)
  return
}

// -----

func.func @perm_element_type(%ys: tensor<12x16xf32>, %perm: tensor<12xf32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected perm element type to be i32 or i64, got 'f32'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xf32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return
}

// -----

// One perm entry per row.
func.func @perm_rows(%ys: tensor<12x16xf32>, %perm: tensor<10xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected perm dim 0 (rows) to be 12 to match expert_out, got 10}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<10xi32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @weights_rank(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<8xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected weights to be a rank-2 tensor [tokens, k], got 'tensor<8xf32>'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<8xf32>, tensor<4x16xf32>) -> (tensor<12x16xf32>, tensor<8xf32>)
  return
}

// -----

func.func @weights_element_type(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xi32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected weights element type to be f32, f64, f16 or bf16, got 'i32'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xi32>, tensor<4x16xf32>) -> (tensor<12x16xf32>, tensor<4x2xi32>)
  return
}

// -----

// One accumulation type: f64 for both or neither.
func.func @f64_mix(%ys: tensor<12x16xf64>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xf64>) {
  // expected-error @+1 {{'moe.combine_grad' op expected expert_out and weights to be both f64 or neither, got 'f64' and 'f32'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf64>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf64>) -> (tensor<12x16xf64>, tensor<4x2xf32>)
  return
}

// -----

// dy is the cotangent of moe.combine's [T, H] result.
func.func @dy_rank(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<64xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected dy to be a rank-2 tensor [tokens, hidden], got 'tensor<64xf32>'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<64xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @dy_element_type(%ys: tensor<12x16xbf16>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected dy element type to be 'bf16' to match expert_out, got 'f32'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xbf16>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<12x16xbf16>, tensor<4x2xf32>)
  return
}

// -----

func.func @dy_tokens(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<5x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected dy dim 0 (tokens) to be 4 to match weights, got 5}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<5x16xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @dy_hidden(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected dy dim 1 (hidden) to be 16 to match expert_out, got 8}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x8xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return
}

// -----

// The cotangents have exactly the operands' types; a static/dynamic mix
// is rejected too.
func.func @d_expert_out_type(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'moe.combine_grad' op expected d_expert_out to have expert_out's type 'tensor<12x16xf32>', got 'tensor<?x16xf32>'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<?x16xf32>, tensor<4x2xf32>)
  return
}

// -----

func.func @d_weights_type(%ys: tensor<12x16xbf16>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>, %dy: tensor<4x16xbf16>) {
  // expected-error @+1 {{'moe.combine_grad' op expected d_weights to have weights's type 'tensor<4x2xf32>', got 'tensor<4x2xbf16>'}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xbf16>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xbf16>) -> (tensor<12x16xbf16>, tensor<4x2xbf16>)
  return
}

// -----

// The parser takes exactly four operands.
func.func @missing_dy(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{expected ','}}
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return
}
