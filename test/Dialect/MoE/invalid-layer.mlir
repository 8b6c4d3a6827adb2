// RUN: moe-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of LayerOp::verify, including the router operand
// checks it shares with moe.router (routing against the expert count, bias,
// hash routing) and the operand combinations that only the generic form can
// express (a partial set of shared experts, half a hash pair).

//===----------------------------------------------------------------------===//
// Syntax
//===----------------------------------------------------------------------===//

func.func @shared_needs_three(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                              %wg: tensor<8x32x16xf32>,
                              %wu: tensor<8x32x16xf32>,
                              %wd: tensor<8x16x32xf32>,
                              %sg: tensor<32x24xf32>, %su: tensor<32x24xf32>) {
  // expected-error @+2 {{expected ','}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      shared %sg, %su routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// x and router_weight
//===----------------------------------------------------------------------===//

func.func @x_rank(%x: tensor<32xf32>, %rw: tensor<32x8xf32>,
                  %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                  %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected x to be a rank-2 tensor [tokens, hidden], got 'tensor<32xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @x_element_type(%x: tensor<?x32xi32>, %rw: tensor<32x8xf32>,
                          %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                          %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected x element type to be f32, f64, f16 or bf16, got 'i32'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xi32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xi32>
  return
}

// -----

func.func @router_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8x1xf32>,
                       %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                       %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected router_weight to be a rank-2 tensor [hidden, experts], got 'tensor<32x8x1xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8x1xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @router_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xi8>,
                               %wg: tensor<8x32x16xf32>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected router_weight element type to be f32, f64, f16 or bf16, got 'i8'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xi8>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @router_hidden(%x: tensor<?x32xf32>, %rw: tensor<64x8xf32>,
                         %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                         %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected router_weight dim 0 (hidden) to be 32 to match x, got 64}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<64x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @router_dynamic_experts(%x: tensor<?x32xf32>, %rw: tensor<32x?xf32>,
                                  %wg: tensor<8x32x16xf32>,
                                  %wu: tensor<8x32x16xf32>,
                                  %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected router_weight dim 1 (experts) to be static}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x?xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Routed expert weights
//===----------------------------------------------------------------------===//

func.func @w_gate_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                       %wg: tensor<32x16xf32>, %wu: tensor<8x32x16xf32>,
                       %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_gate to be a rank-3 tensor [experts, hidden, intermediate], got 'tensor<32x16xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

// Only the router weight and bias may use another element type than x.
func.func @w_gate_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xbf16>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_gate element type to be 'f32' to match x, got 'bf16'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xbf16>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_gate_experts(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                          %wg: tensor<4x32x16xf32>, %wu: tensor<8x32x16xf32>,
                          %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_gate dim 0 (experts) to be 8 to match router_weight, got 4}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<4x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_gate_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                         %wg: tensor<8x16x16xf32>, %wu: tensor<8x32x16xf32>,
                         %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_gate dim 1 (hidden) to be 32 to match x, got 16}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x16x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_up_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                     %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16x1xf32>,
                     %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_up to be a rank-3 tensor [experts, hidden, intermediate], got 'tensor<8x32x16x1xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16x1xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_up_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                             %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf16>,
                             %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_up element type to be 'f32' to match x, got 'f16'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf16>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_up_experts(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                        %wg: tensor<8x32x16xf32>, %wu: tensor<16x32x16xf32>,
                        %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_up dim 0 (experts) to be 8 to match router_weight, got 16}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<16x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_up_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                       %wg: tensor<8x32x16xf32>, %wu: tensor<8x16x16xf32>,
                       %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_up dim 1 (hidden) to be 32 to match x, got 16}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x16x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_up_intermediate(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                             %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x8xf32>,
                             %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_up dim 2 (intermediate) to be 16 to match w_gate, got 8}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x8xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_down_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                       %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                       %wd: tensor<16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_down to be a rank-3 tensor [experts, intermediate, hidden], got 'tensor<16x32xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_down_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xf32>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x16x32xbf16>) {
  // expected-error @+1 {{'moe.layer' op expected w_down element type to be 'f32' to match x, got 'bf16'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xbf16>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_down_experts(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                          %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                          %wd: tensor<7x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_down dim 0 (experts) to be 8 to match router_weight, got 7}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<7x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

// w_down is [E, I, H]: the transpose of w_gate in its last two dimensions.
func.func @w_down_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                         %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                         %wd: tensor<8x16x16xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_down dim 2 (hidden) to be 32 to match x, got 16}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x16xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @w_down_intermediate(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xf32>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x32x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected w_down dim 1 (intermediate) to be 16 to match w_gate, got 32}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x32x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Shared experts
//===----------------------------------------------------------------------===//

// The custom syntax always takes the three; the generic form can split them.
func.func @shared_gate_only(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>) {
  // expected-error @+1 {{'moe.layer' op shared experts need shared_gate, shared_up and shared_down together}}
  %y = "moe.layer"(%x, %rw, %wg, %wu, %wd, %sg)
      <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<32x24xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_without_down(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xf32>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                               %su: tensor<32x24xf32>) {
  // expected-error @+1 {{'moe.layer' op shared experts need shared_gate, shared_up and shared_down together}}
  %y = "moe.layer"(%x, %rw, %wg, %wu, %wd, %sg, %su)
      <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_down_only(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op shared experts need shared_gate, shared_up and shared_down together}}
  %y = "moe.layer"(%x, %rw, %wg, %wu, %wd, %sd)
      <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_gate_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %sg: tensor<8x32x24xf32>,
                            %su: tensor<32x24xf32>, %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_gate to be a rank-2 tensor [hidden, shared], got 'tensor<8x32x24xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<8x32x24xf32>,
         tensor<32x24xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_gate_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                    %wg: tensor<8x32x16xf32>,
                                    %wu: tensor<8x32x16xf32>,
                                    %wd: tensor<8x16x32xf32>,
                                    %sg: tensor<32x24xbf16>,
                                    %su: tensor<32x24xf32>,
                                    %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_gate element type to be 'f32' to match x, got 'bf16'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xbf16>,
         tensor<32x24xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_gate_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                              %wg: tensor<8x32x16xf32>,
                              %wu: tensor<8x32x16xf32>,
                              %wd: tensor<8x16x32xf32>, %sg: tensor<24x24xf32>,
                              %su: tensor<32x24xf32>, %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_gate dim 0 (hidden) to be 32 to match x, got 24}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<24x24xf32>,
         tensor<32x24xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_up_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                          %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                          %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                          %su: tensor<32xf32>, %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_up to be a rank-2 tensor [hidden, shared], got 'tensor<32xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_up_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                  %wg: tensor<8x32x16xf32>,
                                  %wu: tensor<8x32x16xf32>,
                                  %wd: tensor<8x16x32xf32>,
                                  %sg: tensor<32x24xf32>,
                                  %su: tensor<32x24xf16>,
                                  %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_up element type to be 'f32' to match x, got 'f16'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf16>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_up_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                            %su: tensor<64x24xf32>, %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_up dim 0 (hidden) to be 32 to match x, got 64}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<64x24xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_up_width(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                           %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                           %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                           %su: tensor<32x48xf32>, %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_up dim 1 (shared) to be 24 to match shared_gate, got 48}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x48xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_down_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                            %su: tensor<32x24xf32>, %sd: tensor<1x24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_down to be a rank-2 tensor [shared, hidden], got 'tensor<1x24x32xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>, tensor<1x24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_down_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                    %wg: tensor<8x32x16xf32>,
                                    %wu: tensor<8x32x16xf32>,
                                    %wd: tensor<8x16x32xf32>,
                                    %sg: tensor<32x24xf32>,
                                    %su: tensor<32x24xf32>,
                                    %sd: tensor<24x32xbf16>) {
  // expected-error @+1 {{'moe.layer' op expected shared_down element type to be 'f32' to match x, got 'bf16'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>, tensor<24x32xbf16>) -> tensor<?x32xf32>
  return
}

// -----

// shared_down is [S, H], not [H, S].
func.func @shared_down_width(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                             %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                             %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                             %su: tensor<32x24xf32>, %sd: tensor<32x24xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_down dim 0 (shared) to be 24 to match shared_gate, got 32}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>, tensor<32x24xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @shared_down_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                              %wg: tensor<8x32x16xf32>,
                              %wu: tensor<8x32x16xf32>,
                              %wd: tensor<8x16x32xf32>, %sg: tensor<32x24xf32>,
                              %su: tensor<32x24xf32>, %sd: tensor<24x16xf32>) {
  // expected-error @+1 {{'moe.layer' op expected shared_down dim 1 (hidden) to be 32 to match x, got 16}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>, tensor<24x16xf32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Routing, checked against the expert count of router_weight
//===----------------------------------------------------------------------===//

func.func @k_above_experts(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                           %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                           %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op routing k = 9 exceeds the number of experts (8)}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 9>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @n_group_not_dividing_experts(%x: tensor<?x32xf32>,
                                        %rw: tensor<32x8xf32>,
                                        %wg: tensor<8x32x16xf32>,
                                        %wu: tensor<8x32x16xf32>,
                                        %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op routing n_group = 3 must divide the number of experts (8)}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, n_group = 3, topk_group = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @top2_sum_singleton_groups(%x: tensor<?x32xf32>,
                                     %rw: tensor<32x8xf32>,
                                     %wg: tensor<8x32x16xf32>,
                                     %wu: tensor<8x32x16xf32>,
                                     %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op routing group_score = top2_sum needs at least 2 experts per group, got 1}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, n_group = 8, topk_group = 4>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @too_few_kept_experts(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                %wg: tensor<8x32x16xf32>,
                                %wu: tensor<8x32x16xf32>,
                                %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op routing topk_group = 1 keeps 2 experts, fewer than k = 3}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 3, n_group = 4, topk_group = 1>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Selection bias
//===----------------------------------------------------------------------===//

func.func @bias_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                     %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                     %wd: tensor<8x16x32xf32>, %bias: tensor<8x1xf32>) {
  // expected-error @+1 {{'moe.layer' op expected bias to be a rank-1 tensor [experts], got 'tensor<8x1xf32>'}}
  %y = moe.layer %x router %rw bias %bias experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<8x1xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @bias_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                             %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                             %wd: tensor<8x16x32xf32>, %bias: tensor<8xi64>) {
  // expected-error @+1 {{'moe.layer' op expected bias element type to be f32, f64, f16 or bf16, got 'i64'}}
  %y = moe.layer %x router %rw bias %bias experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<8xi64>) -> tensor<?x32xf32>
  return
}

// -----

func.func @bias_experts(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                        %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                        %wd: tensor<8x16x32xf32>, %bias: tensor<4xf32>) {
  // expected-error @+1 {{'moe.layer' op expected bias dim 0 (experts) to be 8 to match router_weight, got 4}}
  %y = moe.layer %x router %rw bias %bias experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<4xf32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Hash routing
//===----------------------------------------------------------------------===//

// The custom syntax always takes the pair; the generic form can split it.
func.func @hash_token_ids_only(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xf32>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x16x32xf32>,
                               %tokens: tensor<?xi32>) {
  // expected-error @+1 {{'moe.layer' op hash routing needs both token_ids and hash_table}}
  %y = "moe.layer"(%x, %rw, %wg, %wu, %wd, %tokens)
      <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<?xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @hash_table_only(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                           %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                           %wd: tensor<8x16x32xf32>,
                           %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.layer' op hash routing needs both token_ids and hash_table}}
  %y = "moe.layer"(%x, %rw, %wg, %wu, %wd, %table)
      <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1>,
        routing = #moe.routing<k = 2>}>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>,
         tensor<100x2xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @hash_with_bias(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                          %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                          %wd: tensor<8x16x32xf32>, %bias: tensor<8xf32>,
                          %tokens: tensor<?xi32>, %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.layer' op hash routing takes its expert ids from hash_table; a selection bias has no effect there}}
  %y = moe.layer %x router %rw bias %bias hash(%tokens, %table)
      experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<8xf32>, tensor<?xi32>,
         tensor<100x2xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @hash_with_groups(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %tokens: tensor<?xi32>,
                            %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.layer' op hash routing takes its expert ids from hash_table; expected routing n_group = 1, got 4}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2, n_group = 4, topk_group = 4>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<?xi32>,
         tensor<100x2xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @token_ids_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                          %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                          %wd: tensor<8x16x32xf32>, %tokens: tensor<?x2xi32>,
                          %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.layer' op expected token_ids to be a rank-1 tensor [tokens], got 'tensor<?x2xi32>'}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<?x2xi32>,
         tensor<100x2xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @token_ids_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                  %wg: tensor<8x32x16xf32>,
                                  %wu: tensor<8x32x16xf32>,
                                  %wd: tensor<8x16x32xf32>,
                                  %tokens: tensor<?xindex>,
                                  %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.layer' op expected token_ids element type to be i32 or i64, got 'index'}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<?xindex>,
         tensor<100x2xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @token_ids_tokens(%x: tensor<4x32xf32>, %rw: tensor<32x8xf32>,
                            %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                            %wd: tensor<8x16x32xf32>, %tokens: tensor<5xi32>,
                            %table: tensor<100x2xi32>) {
  // expected-error @+1 {{'moe.layer' op expected token_ids dim 0 (tokens) to be 4 to match x, got 5}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<4x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<5xi32>,
         tensor<100x2xi32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @hash_table_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                           %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                           %wd: tensor<8x16x32xf32>, %tokens: tensor<?xi32>,
                           %table: tensor<100xi32>) {
  // expected-error @+1 {{'moe.layer' op expected hash_table to be a rank-2 tensor [vocab, k], got 'tensor<100xi32>'}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<?xi32>,
         tensor<100xi32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @hash_table_element_type(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                   %wg: tensor<8x32x16xf32>,
                                   %wu: tensor<8x32x16xf32>,
                                   %wd: tensor<8x16x32xf32>,
                                   %tokens: tensor<?xi32>,
                                   %table: tensor<100x2xf32>) {
  // expected-error @+1 {{'moe.layer' op expected hash_table element type to be i32 or i64, got 'f32'}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<?xi32>,
         tensor<100x2xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @hash_table_k(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                        %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                        %wd: tensor<8x16x32xf32>, %tokens: tensor<?xi32>,
                        %table: tensor<100x1xi32>) {
  // expected-error @+1 {{'moe.layer' op expected hash_table dim 1 (k) to be 2 to match routing k, got 1}}
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<?xi32>,
         tensor<100x1xi32>) -> tensor<?x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// result
//===----------------------------------------------------------------------===//

func.func @result_rank(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                       %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                       %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected result to be a rank-2 tensor [tokens, hidden], got 'tensor<?x2x32xf32>'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x2x32xf32>
  return
}

// -----

// The result follows x, not the (f32) router weight.
func.func @result_element_type(%x: tensor<?x32xbf16>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xbf16>,
                               %wu: tensor<8x32x16xbf16>,
                               %wd: tensor<8x16x32xbf16>) {
  // expected-error @+1 {{'moe.layer' op expected result element type to be 'bf16' to match x, got 'f32'}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xbf16>, tensor<32x8xf32>, tensor<8x32x16xbf16>,
         tensor<8x32x16xbf16>, tensor<8x16x32xbf16>) -> tensor<?x32xf32>
  return
}

// -----

func.func @result_tokens(%x: tensor<4x32xf32>, %rw: tensor<32x8xf32>,
                         %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                         %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected result dim 0 (tokens) to be 4 to match x, got 8}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<4x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @result_hidden(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                         %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                         %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected result dim 1 (hidden) to be 32 to match x, got 16}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// swiglu_limit
//===----------------------------------------------------------------------===//

func.func @zero_swiglu_limit(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                             %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                             %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected swiglu_limit to be finite and positive, got 0.000000e+00}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      swiglu_limit = 0.0
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @negative_swiglu_limit(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                 %wg: tensor<8x32x16xf32>,
                                 %wu: tensor<8x32x16xf32>,
                                 %wd: tensor<8x16x32xf32>,
                                 %sg: tensor<32x24xf32>, %su: tensor<32x24xf32>,
                                 %sd: tensor<24x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected swiglu_limit to be finite and positive, got -1.000000e+01}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2> swiglu_limit = -10.0
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>, tensor<32x24xf32>,
         tensor<32x24xf32>, tensor<24x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

// +inf as an IEEE double bit pattern.
func.func @infinite_swiglu_limit(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                 %wg: tensor<8x32x16xf32>,
                                 %wu: tensor<8x32x16xf32>,
                                 %wd: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'moe.layer' op expected swiglu_limit to be finite and positive, got INF}}
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      swiglu_limit = 0x7FF0000000000000
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return
}
