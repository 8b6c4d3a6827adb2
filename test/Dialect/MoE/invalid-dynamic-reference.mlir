// RUN: moe-opt %s -split-input-file -verify-diagnostics

// A dynamic dimension in the first operand must not hide a mismatch between
// the static dimensions of the others: the first static size fixes it.

func.func @swiglu_up_vs_result(%g: tensor<?x?xf32>, %u: tensor<4x64xf32>) {
  // expected-error @+1 {{'moe.swiglu' op expected result dim 0 (leading) to be 4 to match up, got 8}}
  %h = moe.swiglu %g, %u : tensor<?x?xf32>, tensor<4x64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @router_weights_vs_ids(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'moe.router' op expected ids dim 0 (tokens) to be 4 to match weights, got 5}}
  %w, %ids = moe.router %l routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<4x2xf32>, tensor<5x2xi32>)
  return
}

// -----

func.func @dispatch_capacity_perm(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected perm dim 0 (rows) to be 12 to match experts * capacity, got 5}}
  %xs, %perm, %off = moe.dispatch %x, %ids experts = 4 capacity = 3
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<5xi32>, tensor<5xi32>
  return
}

// -----

func.func @dispatch_xs_vs_perm(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op expected perm dim 0 (rows) to be 6 to match xs, got 7}}
  %xs, %perm, %off = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<6x16xf32>, tensor<7xi32>, tensor<5xi32>
  return
}

// -----

func.func @dispatch_experts_overflow(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op experts = 9223372036854775807 is too large}}
  %xs, %perm, %off = moe.dispatch %x, %ids experts = 9223372036854775807
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<3xi32>
  return
}

// -----

func.func @dispatch_capacity_overflow(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'moe.dispatch' op experts * capacity = 4 * 4611686018427387904 is too large}}
  %xs, %perm, %off = moe.dispatch %x, %ids experts = 4 capacity = 4611686018427387904
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return
}

// -----

func.func @layer_hidden_across_weights(
    %x: tensor<?x?xf32>, %rw: tensor<?x4xf32>, %wg: tensor<4x16x8xf32>,
    %wu: tensor<4x12x8xf32>, %wd: tensor<4x8x16xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_up dim 1 (hidden) to be 16 to match w_gate, got 12}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x?xf32>, tensor<?x4xf32>, tensor<4x16x8xf32>,
         tensor<4x12x8xf32>, tensor<4x8x16xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @layer_intermediate_down(
    %x: tensor<?x16xf32>, %rw: tensor<16x4xf32>, %wg: tensor<4x16x8xf32>,
    %wu: tensor<4x16x8xf32>, %wd: tensor<4x6x16xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_down dim 1 (intermediate) to be 8 to match w_gate, got 6}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x6x16xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @layer_result_tokens_vs_hash(
    %x: tensor<?x16xf32>, %rw: tensor<16x4xf32>, %wg: tensor<4x16x8xf32>,
    %wu: tensor<4x16x8xf32>, %wd: tensor<4x8x16xf32>, %tok: tensor<3xi32>,
    %table: tensor<10x2xi32>) {
  // expected-error @+1 {{'moe.layer' op expected result dim 0 (tokens) to be 3 to match token_ids, got 5}}
  %y = moe.layer %x router %rw hash(%tok, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x8x16xf32>, tensor<3xi32>,
         tensor<10x2xi32>) -> tensor<5x16xf32>
  return
}
