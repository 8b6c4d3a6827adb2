// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of DispatchOp::verify, plus the syntax and the ODS
// attribute constraints.

//===----------------------------------------------------------------------===//
// Syntax and ODS constraints
//===----------------------------------------------------------------------===//

func.func @missing_experts(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{custom op 'moe.dispatch' expected 'experts'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids capacity = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @zero_experts(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op attribute 'num_experts' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 0
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<1xi32>
  return
}

// -----

func.func @zero_block(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op attribute 'block' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 block = 0
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @negative_capacity(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op attribute 'capacity' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 capacity = -2
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// x and ids
//===----------------------------------------------------------------------===//

func.func @x_rank(%x: tensor<?x4x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected x to be a rank-2 tensor [tokens, hidden], got 'tensor<?x4x16xf32>'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x4x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @x_element_type(%x: tensor<?x16xi8>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected x element type to be f32, f64, f16 or bf16, got 'i8'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xi8>, tensor<?x2xi32>
      -> tensor<?x16xi8>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @ids_rank(%x: tensor<?x16xf32>, %ids: tensor<?xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected ids to be a rank-2 tensor [tokens, k], got 'tensor<?xi32>'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @ids_element_type(%x: tensor<?x16xf32>, %ids: tensor<?x2xindex>) {
  // expected-error @+1 {{'moe.dispatch' op expected ids element type to be i32 or i64, got 'index'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xindex>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @ids_tokens(%x: tensor<4x16xf32>, %ids: tensor<3x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected ids dim 0 (tokens) to be 4 to match x, got 3}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<4x16xf32>, tensor<3x2xi32>
      -> tensor<8x16xf32>, tensor<8xi32>, tensor<5xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// block and capacity
//===----------------------------------------------------------------------===//

func.func @block_and_capacity(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op block and capacity are mutually exclusive: block pads each group, capacity fixes its size}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 block = 4
      capacity = 2
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<8x16xf32>, tensor<8xi32>, tensor<5xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// xs
//===----------------------------------------------------------------------===//

func.func @xs_rank(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected xs to be a rank-2 tensor [rows, hidden], got 'tensor<?xf32>'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @xs_element_type(%x: tensor<?x16xf16>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected xs element type to be 'f16' to match x, got 'bf16'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf16>, tensor<?x2xi32>
      -> tensor<?x16xbf16>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @xs_hidden(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected xs dim 1 (hidden) to be 16 to match x, got 32}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x32xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

// With a capacity R = E * C, whatever the token count.
func.func @xs_rows_capacity(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected xs dim 0 (rows) to be 12 to match experts * capacity, got 8}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 capacity = 3
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<8x16xf32>, tensor<8xi32>, tensor<5xi32>
  return
}

// -----

// Without padding R = T * k, checked when both are static.
func.func @xs_rows_plain(%x: tensor<4x16xf32>, %ids: tensor<4x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected xs dim 0 (rows) to be 8 to match tokens * k, got 4}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<4x16xf32>, tensor<4x2xi32>
      -> tensor<4x16xf32>, tensor<4xi32>, tensor<5xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// perm
//===----------------------------------------------------------------------===//

func.func @perm_rank(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected perm to be a rank-1 tensor [rows], got 'tensor<?x1xi32>'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?x1xi32>, tensor<5xi32>
  return
}

// -----

func.func @perm_element_type(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected perm element type to be i32 or i64, got 'f32'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xf32>, tensor<5xi32>
  return
}

// -----

func.func @perm_rows(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected perm dim 0 (rows) to be 12 to match experts * capacity, got 10}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 capacity = 3
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<12x16xf32>, tensor<10xi32>, tensor<5xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// offsets
//===----------------------------------------------------------------------===//

func.func @offsets_rank(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected offsets to be a rank-1 tensor [experts + 1], got 'tensor<5x1xi32>'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5x1xi32>
  return
}

// -----

// Offsets and perm share one integer type.
func.func @offsets_element_type(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected offsets element type to be 'i32' to match perm, got 'i64'}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi64>
  return
}

// -----

func.func @offsets_experts(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected offsets dim 0 (experts + 1) to be 5 to match experts = 4, got 4}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<4xi32>
  return
}
