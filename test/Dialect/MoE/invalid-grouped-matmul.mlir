// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of GroupedMatmulOp::verify.

//===----------------------------------------------------------------------===//
// input
//===----------------------------------------------------------------------===//

func.func @input_rank(%xs: tensor<?x2x32xf32>, %w: tensor<4x32x16xf32>,
                      %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected input to be a rank-2 tensor [rows, K], got 'tensor<?x2x32xf32>'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x2x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>
      -> tensor<?x16xf32>
  return
}

// -----

func.func @input_element_type(%xs: tensor<?x32xi32>, %w: tensor<4x32x16xi32>,
                              %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected input element type to be f32, f64, f16 or bf16, got 'i32'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xi32>, tensor<4x32x16xi32>, tensor<5xi32>
      -> tensor<?x16xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// weight
//===----------------------------------------------------------------------===//

func.func @weight_rank(%xs: tensor<?x32xf32>, %w: tensor<32x16xf32>,
                       %offsets: tensor<2xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected weight to be a rank-3 tensor [experts, K, N], got 'tensor<32x16xf32>'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<32x16xf32>, tensor<2xi32> -> tensor<?x16xf32>
  return
}

// -----

func.func @weight_element_type(%xs: tensor<?x32xbf16>,
                               %w: tensor<4x32x16xf32>,
                               %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected weight element type to be 'bf16' to match input, got 'f32'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xbf16>, tensor<4x32x16xf32>, tensor<5xi32>
      -> tensor<?x16xbf16>
  return
}

// -----

func.func @weight_dynamic_experts(%xs: tensor<?x32xf32>,
                                  %w: tensor<?x32x16xf32>,
                                  %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected weight dim 0 (experts) to be static}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<?x32x16xf32>, tensor<5xi32>
      -> tensor<?x16xf32>
  return
}

// -----

func.func @weight_dynamic_k(%xs: tensor<?x32xf32>, %w: tensor<4x?x16xf32>,
                            %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected weight dim 1 (K) to be static}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x?x16xf32>, tensor<5xi32>
      -> tensor<?x16xf32>
  return
}

// -----

func.func @weight_dynamic_n(%xs: tensor<?x32xf32>, %w: tensor<4x32x?xf32>,
                            %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected weight dim 2 (N) to be static}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x32x?xf32>, tensor<5xi32>
      -> tensor<?x?xf32>
  return
}

// -----

func.func @weight_k(%xs: tensor<?x32xf32>, %w: tensor<4x64x16xf32>,
                    %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected weight dim 1 (K) to be 32 to match input, got 64}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x64x16xf32>, tensor<5xi32>
      -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// offsets
//===----------------------------------------------------------------------===//

func.func @offsets_rank(%xs: tensor<?x32xf32>, %w: tensor<4x32x16xf32>,
                        %offsets: tensor<i32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected offsets to be a rank-1 tensor [experts + 1], got 'tensor<i32>'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<i32> -> tensor<?x16xf32>
  return
}

// -----

func.func @offsets_element_type(%xs: tensor<?x32xf32>, %w: tensor<4x32x16xf32>,
                                %offsets: tensor<5xf32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected offsets element type to be i32 or i64, got 'f32'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xf32>
      -> tensor<?x16xf32>
  return
}

// -----

func.func @offsets_experts(%xs: tensor<?x32xf32>, %w: tensor<4x32x16xf32>,
                           %offsets: tensor<4xi64>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected offsets dim 0 (experts + 1) to be 5 to match weight experts = 4, got 4}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<4xi64>
      -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// result
//===----------------------------------------------------------------------===//

func.func @result_rank(%xs: tensor<?x32xf32>, %w: tensor<4x32x16xf32>,
                       %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected result to be a rank-2 tensor [rows, N], got 'tensor<?xf32>'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32> -> tensor<?xf32>
  return
}

// -----

// Accumulation is in f32, but the result keeps the input element type.
func.func @result_element_type(%xs: tensor<?x32xbf16>,
                               %w: tensor<4x32x16xbf16>,
                               %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected result element type to be 'bf16' to match input, got 'f32'}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xbf16>, tensor<4x32x16xbf16>, tensor<5xi32>
      -> tensor<?x16xf32>
  return
}

// -----

func.func @result_rows(%xs: tensor<24x32xf32>, %w: tensor<4x32x16xf32>,
                       %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected result dim 0 (rows) to be 24 to match input, got 12}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<24x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>
      -> tensor<12x16xf32>
  return
}

// -----

func.func @result_n(%xs: tensor<?x32xf32>, %w: tensor<4x32x16xf32>,
                    %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul' op expected result dim 1 (N) to be 16 to match weight, got 32}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>
      -> tensor<?x32xf32>
  return
}
