// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of GroupedMatmulWgradOp::verify.

func.func @input_rank(%xs: tensor<?x2x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected input to be a rank-2 tensor [rows, K], got 'tensor<?x2x32xf32>'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x2x32xf32>, tensor<?x16xf32>, tensor<5xi32> -> tensor<4x32x16xf32>
  return
}

// -----

// Integer tensors have no gradient.
func.func @input_element_type(%xs: tensor<?x32xi32>, %dy: tensor<?x16xi32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected input element type to be f32, f64, f16 or bf16, got 'i32'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xi32>, tensor<?x16xi32>, tensor<5xi32> -> tensor<4x32x16xi32>
  return
}

// -----

func.func @dy_rank(%xs: tensor<?x32xf32>, %dy: tensor<16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected dy to be a rank-2 tensor [rows, N], got 'tensor<16xf32>'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<16xf32>, tensor<5xi32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @dy_element_type(%xs: tensor<?x32xbf16>, %dy: tensor<?x16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected dy element type to be 'bf16' to match input, got 'f32'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xbf16>, tensor<?x16xf32>, tensor<5xi32> -> tensor<4x32x16xbf16>
  return
}

// -----

func.func @dy_rows(%xs: tensor<24x32xf32>, %dy: tensor<12x16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected dy dim 0 (rows) to be 24 to match input, got 12}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<24x32xf32>, tensor<12x16xf32>, tensor<5xi32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @d_weight_rank(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<2xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected d_weight to be a rank-3 tensor [experts, K, N], got 'tensor<32x16xf32>'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<2xi32> -> tensor<32x16xf32>
  return
}

// -----

// Accumulation is in f32, but the gradient keeps the operands' type.
func.func @d_weight_element_type(%xs: tensor<?x32xbf16>, %dy: tensor<?x16xbf16>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected d_weight element type to be 'bf16' to match input, got 'f32'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xbf16>, tensor<?x16xbf16>, tensor<5xi32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @d_weight_dynamic_experts(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected d_weight dim 0 (experts) to be static}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<5xi32> -> tensor<?x32x16xf32>
  return
}

// -----

func.func @d_weight_dynamic_k(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected d_weight dim 1 (K) to be static}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<5xi32> -> tensor<4x?x16xf32>
  return
}

// -----

func.func @d_weight_dynamic_n(%xs: tensor<?x32xf32>, %dy: tensor<?x?xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected d_weight dim 2 (N) to be static}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x?xf32>, tensor<5xi32> -> tensor<4x32x?xf32>
  return
}

// -----

func.func @input_k(%xs: tensor<?x64xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected input dim 1 (K) to be 32 to match d_weight, got 64}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x64xf32>, tensor<?x16xf32>, tensor<5xi32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @dy_n(%xs: tensor<?x32xf32>, %dy: tensor<?x8xf32>, %offsets: tensor<5xi32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected dy dim 1 (N) to be 16 to match d_weight, got 8}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x8xf32>, tensor<5xi32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @offsets_rank(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<i32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected offsets to be a rank-1 tensor [experts + 1], got 'tensor<i32>'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<i32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @offsets_element_type(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<5xf32>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected offsets element type to be i32 or i64, got 'f32'}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<5xf32> -> tensor<4x32x16xf32>
  return
}

// -----

func.func @offsets_experts(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>, %offsets: tensor<4xi64>) {
  // expected-error @+1 {{'moe.grouped_matmul_wgrad' op expected offsets dim 0 (experts + 1) to be 5 to match d_weight experts = 4, got 4}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<4xi64> -> tensor<4x32x16xf32>
  return
}

// -----

// The parser takes exactly three operands.
func.func @missing_offsets(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>) {
  // expected-error @+1 {{expected ','}}
  %dw = moe.grouped_matmul_wgrad %xs, %dy
      : tensor<?x32xf32>, tensor<?x16xf32> -> tensor<4x32x16xf32>
  return
}
