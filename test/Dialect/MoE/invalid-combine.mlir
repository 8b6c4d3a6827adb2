// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of CombineOp::verify.

//===----------------------------------------------------------------------===//
// expert_out
//===----------------------------------------------------------------------===//

func.func @expert_out_rank(%ys: tensor<?xf32>, %perm: tensor<?xi32>,
                           %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected expert_out to be a rank-2 tensor [rows, hidden], got 'tensor<?xf32>'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @expert_out_element_type(%ys: tensor<?x16xi16>, %perm: tensor<?xi32>,
                                   %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected expert_out element type to be f32, f64, f16 or bf16, got 'i16'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xi16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x16xi16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// perm
//===----------------------------------------------------------------------===//

func.func @perm_rank(%ys: tensor<?x16xf32>, %perm: tensor<?x2xi32>,
                     %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected perm to be a rank-1 tensor [rows], got 'tensor<?x2xi32>'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?x2xi32>, tensor<?x2xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @perm_element_type(%ys: tensor<?x16xf32>, %perm: tensor<?xi8>,
                             %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected perm element type to be i32 or i64, got 'i8'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?xi8>, tensor<?x2xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @perm_rows(%ys: tensor<8x16xf32>, %perm: tensor<6xi32>,
                     %w: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected perm dim 0 (rows) to be 8 to match expert_out, got 6}}
  %y = moe.combine %ys, %perm, %w
      : tensor<8x16xf32>, tensor<6xi32>, tensor<4x2xf32> -> tensor<4x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// weights
//===----------------------------------------------------------------------===//

func.func @weights_rank(%ys: tensor<?x16xf32>, %perm: tensor<?xi32>,
                        %w: tensor<?xf32>) {
  // expected-error @+1 {{'moe.combine' op expected weights to be a rank-2 tensor [tokens, k], got 'tensor<?xf32>'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?xi32>, tensor<?xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @weights_element_type(%ys: tensor<?x16xf32>, %perm: tensor<?xi32>,
                                %w: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.combine' op expected weights element type to be f32, f64, f16 or bf16, got 'i32'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xi32> -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// result
//===----------------------------------------------------------------------===//

func.func @result_rank(%ys: tensor<?x16xf32>, %perm: tensor<?xi32>,
                       %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected result to be a rank-2 tensor [tokens, hidden], got 'tensor<?x2x16xf32>'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x2x16xf32>
  return
}

// -----

// The result follows expert_out, not the weights.
func.func @result_element_type(%ys: tensor<?x16xbf16>, %perm: tensor<?xi32>,
                               %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected result element type to be 'bf16' to match expert_out, got 'f32'}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xbf16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @result_tokens(%ys: tensor<?x16xf32>, %perm: tensor<?xi32>,
                         %w: tensor<4x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected result dim 0 (tokens) to be 4 to match weights, got 8}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?xi32>, tensor<4x2xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @result_hidden(%ys: tensor<?x16xf32>, %perm: tensor<?xi32>,
                         %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'moe.combine' op expected result dim 1 (hidden) to be 16 to match expert_out, got 32}}
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x32xf32>
  return
}
