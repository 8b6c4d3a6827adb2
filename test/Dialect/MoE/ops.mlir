// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s --mlir-print-op-generic | moe-opt | FileCheck %s

// Round trips every moe op in every form. The second RUN line goes through
// the generic form, so the optional operand segments and optional attributes
// must survive both printers. The CHECK lines spell out the whole custom form
// so that any change to a printer or parser shows up here.

//===----------------------------------------------------------------------===//
// moe.router
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @router_minimal(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>)
// CHECK:         %[[W:[a-zA-Z0-9_]+]], %[[I:[a-zA-Z0-9_]+]] = moe.router %[[L]] routing <k = 2> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK-NEXT:    return %[[W]], %[[I]] : tensor<?x2xf32>, tensor<?x2xi32>
func.func @router_minimal(%logits: tensor<?x8xf32>)
    -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = moe.router %logits routing <k = 2>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}

// Parameters spelled at their default value are elided when printed.
// CHECK-LABEL: func.func @router_explicit_defaults(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>)
// CHECK:         moe.router %[[L]] routing <k = 2> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
func.func @router_explicit_defaults(%logits: tensor<?x8xf32>)
    -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = moe.router %logits routing <k = 2, scoring = softmax,
      n_group = 1, topk_group = 1, group_score = top2_sum,
      norm_topk_prob = false, routed_scaling_factor = 1.0>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}

// DeepSeek-V3: sigmoid scoring, selection bias, group-limited top-k.
// CHECK-LABEL: func.func @router_bias_groups(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x256xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<256xf32>)
// CHECK:         moe.router %[[L]] bias %[[B]] routing <k = 8, scoring = sigmoid, n_group = 8, topk_group = 4, norm_topk_prob = true, routed_scaling_factor = 2.5> : (tensor<?x256xf32>, tensor<256xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>)
func.func @router_bias_groups(%logits: tensor<?x256xf32>,
                              %bias: tensor<256xf32>)
    -> (tensor<?x8xf32>, tensor<?x8xi32>) {
  %w, %ids = moe.router %logits bias %bias routing <k = 8, scoring = sigmoid,
      n_group = 8, topk_group = 4, norm_topk_prob = true,
      routed_scaling_factor = 2.5>
      : (tensor<?x256xf32>, tensor<256xf32>)
      -> (tensor<?x8xf32>, tensor<?x8xi32>)
  return %w, %ids : tensor<?x8xf32>, tensor<?x8xi32>
}

// The bias may use another float type than the logits.
// CHECK-LABEL: func.func @router_bias_f32_logits_bf16(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<4x16xbf16>, %[[B:[a-zA-Z0-9_]+]]: tensor<16xf32>)
// CHECK:         moe.router %[[L]] bias %[[B]] routing <k = 4, scoring = sigmoid> : (tensor<4x16xbf16>, tensor<16xf32>) -> (tensor<4x4xbf16>, tensor<4x4xi64>)
func.func @router_bias_f32_logits_bf16(%logits: tensor<4x16xbf16>,
                                       %bias: tensor<16xf32>)
    -> (tensor<4x4xbf16>, tensor<4x4xi64>) {
  %w, %ids = moe.router %logits bias %bias routing <k = 4, scoring = sigmoid>
      : (tensor<4x16xbf16>, tensor<16xf32>)
      -> (tensor<4x4xbf16>, tensor<4x4xi64>)
  return %w, %ids : tensor<4x4xbf16>, tensor<4x4xi64>
}

// DeepSeek-V2: group_score = max; f16 logits with i64 ids.
// CHECK-LABEL: func.func @router_group_max_f16(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x160xf16>)
// CHECK:         moe.router %[[L]] routing <k = 6, n_group = 8, topk_group = 3, group_score = max, routed_scaling_factor = 16.0> : (tensor<?x160xf16>) -> (tensor<?x6xf16>, tensor<?x6xi64>)
func.func @router_group_max_f16(%logits: tensor<?x160xf16>)
    -> (tensor<?x6xf16>, tensor<?x6xi64>) {
  %w, %ids = moe.router %logits routing <k = 6, n_group = 8, topk_group = 3,
      group_score = max, routed_scaling_factor = 16.0>
      : (tensor<?x160xf16>) -> (tensor<?x6xf16>, tensor<?x6xi64>)
  return %w, %ids : tensor<?x6xf16>, tensor<?x6xi64>
}

// group_score = max allows groups of a single expert (top2_sum does not).
// CHECK-LABEL: func.func @router_group_max_singleton_groups(
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 2, n_group = 8, topk_group = 2, group_score = max> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
func.func @router_group_max_singleton_groups(%logits: tensor<?x8xf32>)
    -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = moe.router %logits routing <k = 2, n_group = 8, topk_group = 2,
      group_score = max>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}

// DeepSeek-V4 hash routing: sqrt-softplus scores, ids from a table. The
// token ids and the table may use different integer types.
// CHECK-LABEL: func.func @router_hash(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x64xbf16>, %[[T:[a-zA-Z0-9_]+]]: tensor<?xi64>, %[[H:[a-zA-Z0-9_]+]]: tensor<1000x6xi32>)
// CHECK:         moe.router %[[L]] hash(%[[T]], %[[H]]) routing <k = 6, scoring = sqrtsoftplus, norm_topk_prob = true, routed_scaling_factor = 1.5> : (tensor<?x64xbf16>, tensor<?xi64>, tensor<1000x6xi32>) -> (tensor<?x6xbf16>, tensor<?x6xi32>)
func.func @router_hash(%logits: tensor<?x64xbf16>, %tokens: tensor<?xi64>,
                       %table: tensor<1000x6xi32>)
    -> (tensor<?x6xbf16>, tensor<?x6xi32>) {
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 6,
      scoring = sqrtsoftplus, norm_topk_prob = true,
      routed_scaling_factor = 1.5>
      : (tensor<?x64xbf16>, tensor<?xi64>, tensor<1000x6xi32>)
      -> (tensor<?x6xbf16>, tensor<?x6xi32>)
  return %w, %ids : tensor<?x6xbf16>, tensor<?x6xi32>
}

// The scaling factor prints in the shortest form that reads back exactly,
// always as a float literal.
// CHECK-LABEL: func.func @router_scale_printing(
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 1, routed_scaling_factor = 0.1> :
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 1, routed_scaling_factor = 1.0e-05> :
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 1, routed_scaling_factor = 1.0e+20> :
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 1, routed_scaling_factor = 0.3333333333333333> :
func.func @router_scale_printing(%logits: tensor<?x4xf32>) {
  %w0, %i0 = moe.router %logits routing <k = 1, routed_scaling_factor = 0.1>
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %w1, %i1 = moe.router %logits routing <k = 1, routed_scaling_factor = 1.0e-5>
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %w2, %i2 = moe.router %logits routing <k = 1, routed_scaling_factor = 1.0e20>
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  %w3, %i3 = moe.router %logits routing <k = 1,
      routed_scaling_factor = 0.33333333333333331>
      : (tensor<?x4xf32>) -> (tensor<?x1xf32>, tensor<?x1xi32>)
  return
}

//===----------------------------------------------------------------------===//
// moe.dispatch
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @dispatch_plain(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x2048xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x6xi32>)
// CHECK:         %[[XS:[a-zA-Z0-9_]+]], %[[P:[a-zA-Z0-9_]+]], %[[O:[a-zA-Z0-9_]+]] = moe.dispatch %[[X]], %[[I]] experts = 64 : tensor<?x2048xf32>, tensor<?x6xi32> -> tensor<?x2048xf32>, tensor<?xi32>, tensor<65xi32>
// CHECK-NEXT:    return %[[XS]], %[[P]], %[[O]] : tensor<?x2048xf32>, tensor<?xi32>, tensor<65xi32>
func.func @dispatch_plain(%x: tensor<?x2048xf32>, %ids: tensor<?x6xi32>)
    -> (tensor<?x2048xf32>, tensor<?xi32>, tensor<65xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 64
      : tensor<?x2048xf32>, tensor<?x6xi32>
      -> tensor<?x2048xf32>, tensor<?xi32>, tensor<65xi32>
  return %xs, %perm, %offsets
      : tensor<?x2048xf32>, tensor<?xi32>, tensor<65xi32>
}

// Static token count: R = T * k.
// CHECK-LABEL: func.func @dispatch_static_bf16_i64(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<4x16xbf16>, %[[I:[a-zA-Z0-9_]+]]: tensor<4x2xi64>)
// CHECK:         moe.dispatch %[[X]], %[[I]] experts = 4 : tensor<4x16xbf16>, tensor<4x2xi64> -> tensor<8x16xbf16>, tensor<8xi64>, tensor<5xi64>
func.func @dispatch_static_bf16_i64(%x: tensor<4x16xbf16>,
                                    %ids: tensor<4x2xi64>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<4x16xbf16>, tensor<4x2xi64>
      -> tensor<8x16xbf16>, tensor<8xi64>, tensor<5xi64>
  return
}

// CHECK-LABEL: func.func @dispatch_block(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x128xf16>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x2xi32>)
// CHECK:         moe.dispatch %[[X]], %[[I]] experts = 8 block = 64 : tensor<?x128xf16>, tensor<?x2xi32> -> tensor<?x128xf16>, tensor<?xi32>, tensor<9xi32>
func.func @dispatch_block(%x: tensor<?x128xf16>, %ids: tensor<?x2xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 8 block = 64
      : tensor<?x128xf16>, tensor<?x2xi32>
      -> tensor<?x128xf16>, tensor<?xi32>, tensor<9xi32>
  return
}

// With a capacity R = E * C whatever the token count.
// CHECK-LABEL: func.func @dispatch_capacity(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x128xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x2xi64>)
// CHECK:         moe.dispatch %[[X]], %[[I]] experts = 8 capacity = 3 : tensor<?x128xf32>, tensor<?x2xi64> -> tensor<24x128xf32>, tensor<24xi64>, tensor<9xi64>
func.func @dispatch_capacity(%x: tensor<?x128xf32>, %ids: tensor<?x2xi64>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 8 capacity = 3
      : tensor<?x128xf32>, tensor<?x2xi64>
      -> tensor<24x128xf32>, tensor<24xi64>, tensor<9xi64>
  return
}

//===----------------------------------------------------------------------===//
// moe.grouped_matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @grouped_matmul_f32(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x2048xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<64x2048x1408xf32>, %[[O:[a-zA-Z0-9_]+]]: tensor<65xi32>)
// CHECK:         %[[Y:[a-zA-Z0-9_]+]] = moe.grouped_matmul %[[X]], %[[W]], %[[O]] : tensor<?x2048xf32>, tensor<64x2048x1408xf32>, tensor<65xi32> -> tensor<?x1408xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x1408xf32>
func.func @grouped_matmul_f32(%xs: tensor<?x2048xf32>,
                              %w: tensor<64x2048x1408xf32>,
                              %offsets: tensor<65xi32>) -> tensor<?x1408xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x2048xf32>, tensor<64x2048x1408xf32>, tensor<65xi32>
      -> tensor<?x1408xf32>
  return %y : tensor<?x1408xf32>
}

// CHECK-LABEL: func.func @grouped_matmul_bf16_i64(
// CHECK:         moe.grouped_matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<24x32xbf16>, tensor<8x32x16xbf16>, tensor<9xi64> -> tensor<24x16xbf16>
func.func @grouped_matmul_bf16_i64(%xs: tensor<24x32xbf16>,
                                   %w: tensor<8x32x16xbf16>,
                                   %offsets: tensor<9xi64>) {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<24x32xbf16>, tensor<8x32x16xbf16>, tensor<9xi64>
      -> tensor<24x16xbf16>
  return
}

// CHECK-LABEL: func.func @grouped_matmul_f16(
// CHECK:         moe.grouped_matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x32xf16>, tensor<1x32x16xf16>, tensor<2xi32> -> tensor<?x16xf16>
func.func @grouped_matmul_f16(%xs: tensor<?x32xf16>, %w: tensor<1x32x16xf16>,
                              %offsets: tensor<2xi32>) {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf16>, tensor<1x32x16xf16>, tensor<2xi32>
      -> tensor<?x16xf16>
  return
}

//===----------------------------------------------------------------------===//
// moe.swiglu
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @swiglu_two_operands(
// CHECK-SAME:      %[[G:[a-zA-Z0-9_]+]]: tensor<?x1408xf32>, %[[U:[a-zA-Z0-9_]+]]: tensor<?x1408xf32>)
// CHECK:         %[[H:[a-zA-Z0-9_]+]] = moe.swiglu %[[G]], %[[U]] : tensor<?x1408xf32>, tensor<?x1408xf32> -> tensor<?x1408xf32>
// CHECK-NEXT:    return %[[H]] : tensor<?x1408xf32>
func.func @swiglu_two_operands(%gate: tensor<?x1408xf32>,
                               %up: tensor<?x1408xf32>) -> tensor<?x1408xf32> {
  %h = moe.swiglu %gate, %up
      : tensor<?x1408xf32>, tensor<?x1408xf32> -> tensor<?x1408xf32>
  return %h : tensor<?x1408xf32>
}

// CHECK-LABEL: func.func @swiglu_two_operands_limit(
// CHECK-SAME:      %[[G:[a-zA-Z0-9_]+]]: tensor<?x2048xbf16>, %[[U:[a-zA-Z0-9_]+]]: tensor<?x2048xbf16>)
// CHECK:         moe.swiglu %[[G]], %[[U]] limit = 1.000000e+01 : tensor<?x2048xbf16>, tensor<?x2048xbf16> -> tensor<?x2048xbf16>
func.func @swiglu_two_operands_limit(%gate: tensor<?x2048xbf16>,
                                     %up: tensor<?x2048xbf16>) {
  %h = moe.swiglu %gate, %up limit = 10.0
      : tensor<?x2048xbf16>, tensor<?x2048xbf16> -> tensor<?x2048xbf16>
  return
}

// CHECK-LABEL: func.func @swiglu_fused(
// CHECK-SAME:      %[[GU:[a-zA-Z0-9_]+]]: tensor<?x64xf16>)
// CHECK:         moe.swiglu %[[GU]] : tensor<?x64xf16> -> tensor<?x32xf16>
func.func @swiglu_fused(%gate_up: tensor<?x64xf16>) {
  %h = moe.swiglu %gate_up : tensor<?x64xf16> -> tensor<?x32xf16>
  return
}

// Any rank >= 1; the last dimension is the width.
// CHECK-LABEL: func.func @swiglu_fused_limit_rank3(
// CHECK:         moe.swiglu %{{[a-z0-9_]+}} limit = 7.500000e+00 : tensor<2x?x64xf32> -> tensor<2x?x32xf32>
// CHECK:         moe.swiglu %{{[a-z0-9_]+}} limit = 7.500000e+00 : tensor<64xf32> -> tensor<32xf32>
func.func @swiglu_fused_limit_rank3(%gate_up: tensor<2x?x64xf32>,
                                    %v: tensor<64xf32>) {
  %h = moe.swiglu %gate_up limit = 7.5
      : tensor<2x?x64xf32> -> tensor<2x?x32xf32>
  %r = moe.swiglu %v limit = 7.5 : tensor<64xf32> -> tensor<32xf32>
  return
}

// A dynamic fused width leaves the result width unchecked.
// CHECK-LABEL: func.func @swiglu_fused_dynamic_width(
// CHECK:         moe.swiglu %{{[a-z0-9_]+}} : tensor<?x?xbf16> -> tensor<?x?xbf16>
func.func @swiglu_fused_dynamic_width(%gate_up: tensor<?x?xbf16>) {
  %h = moe.swiglu %gate_up : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return
}

//===----------------------------------------------------------------------===//
// moe.combine
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @combine_f32(
// CHECK-SAME:      %[[Y:[a-zA-Z0-9_]+]]: tensor<?x2048xf32>, %[[P:[a-zA-Z0-9_]+]]: tensor<?xi32>, %[[W:[a-zA-Z0-9_]+]]: tensor<?x6xf32>)
// CHECK:         %[[R:[a-zA-Z0-9_]+]] = moe.combine %[[Y]], %[[P]], %[[W]] : tensor<?x2048xf32>, tensor<?xi32>, tensor<?x6xf32> -> tensor<?x2048xf32>
// CHECK-NEXT:    return %[[R]] : tensor<?x2048xf32>
func.func @combine_f32(%ys: tensor<?x2048xf32>, %perm: tensor<?xi32>,
                       %w: tensor<?x6xf32>) -> tensor<?x2048xf32> {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x2048xf32>, tensor<?xi32>, tensor<?x6xf32>
      -> tensor<?x2048xf32>
  return %y : tensor<?x2048xf32>
}

// The weights may use another float type than the expert outputs.
// CHECK-LABEL: func.func @combine_bf16_i64(
// CHECK:         moe.combine %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<24x16xbf16>, tensor<24xi64>, tensor<4x2xf32> -> tensor<4x16xbf16>
func.func @combine_bf16_i64(%ys: tensor<24x16xbf16>, %perm: tensor<24xi64>,
                            %w: tensor<4x2xf32>) {
  %y = moe.combine %ys, %perm, %w
      : tensor<24x16xbf16>, tensor<24xi64>, tensor<4x2xf32>
      -> tensor<4x16xbf16>
  return
}

// CHECK-LABEL: func.func @combine_f16(
// CHECK:         moe.combine %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x16xf16>, tensor<?xi32>, tensor<?x2xf16> -> tensor<?x16xf16>
func.func @combine_f16(%ys: tensor<?x16xf16>, %perm: tensor<?xi32>,
                       %w: tensor<?x2xf16>) {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xf16>, tensor<?xi32>, tensor<?x2xf16> -> tensor<?x16xf16>
  return
}

//===----------------------------------------------------------------------===//
// moe.layer
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @layer_minimal(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf32>, %[[RW:[a-zA-Z0-9_]+]]: tensor<32x8xf32>, %[[WG:[a-zA-Z0-9_]+]]: tensor<8x32x16xf32>, %[[WU:[a-zA-Z0-9_]+]]: tensor<8x32x16xf32>, %[[WD:[a-zA-Z0-9_]+]]: tensor<8x16x32xf32>)
// CHECK:         %[[Y:[a-zA-Z0-9_]+]] = moe.layer %[[X]] router %[[RW]] experts %[[WG]], %[[WU]], %[[WD]] routing <k = 2> : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x32xf32>
func.func @layer_minimal(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                         %wg: tensor<8x32x16xf32>, %wu: tensor<8x32x16xf32>,
                         %wd: tensor<8x16x32xf32>) -> tensor<?x32xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// CHECK-LABEL: func.func @layer_shared_limit(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf16>, %[[RW:[a-zA-Z0-9_]+]]: tensor<32x8xf16>, %[[WG:[a-zA-Z0-9_]+]]: tensor<8x32x16xf16>, %[[WU:[a-zA-Z0-9_]+]]: tensor<8x32x16xf16>, %[[WD:[a-zA-Z0-9_]+]]: tensor<8x16x32xf16>, %[[SG:[a-zA-Z0-9_]+]]: tensor<32x48xf16>, %[[SU:[a-zA-Z0-9_]+]]: tensor<32x48xf16>, %[[SD:[a-zA-Z0-9_]+]]: tensor<48x32xf16>)
// CHECK:         moe.layer %[[X]] router %[[RW]] experts %[[WG]], %[[WU]], %[[WD]] shared %[[SG]], %[[SU]], %[[SD]] routing <k = 6, norm_topk_prob = true> swiglu_limit = 1.000000e+01 : (tensor<?x32xf16>, tensor<32x8xf16>, tensor<8x32x16xf16>, tensor<8x32x16xf16>, tensor<8x16x32xf16>, tensor<32x48xf16>, tensor<32x48xf16>, tensor<48x32xf16>) -> tensor<?x32xf16>
func.func @layer_shared_limit(%x: tensor<?x32xf16>, %rw: tensor<32x8xf16>,
                              %wg: tensor<8x32x16xf16>,
                              %wu: tensor<8x32x16xf16>,
                              %wd: tensor<8x16x32xf16>,
                              %sg: tensor<32x48xf16>, %su: tensor<32x48xf16>,
                              %sd: tensor<48x32xf16>) {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 6, norm_topk_prob = true> swiglu_limit = 10.0
      : (tensor<?x32xf16>, tensor<32x8xf16>, tensor<8x32x16xf16>,
         tensor<8x32x16xf16>, tensor<8x16x32xf16>, tensor<32x48xf16>,
         tensor<32x48xf16>, tensor<48x32xf16>) -> tensor<?x32xf16>
  return
}

// DeepSeek-V3 style: bf16 experts, f32 router weight and bias, groups.
// CHECK-LABEL: func.func @layer_bias_groups(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xbf16>, %[[RW:[a-zA-Z0-9_]+]]: tensor<32x16xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<16xf32>, %[[WG:[a-zA-Z0-9_]+]]: tensor<16x32x8xbf16>, %[[WU:[a-zA-Z0-9_]+]]: tensor<16x32x8xbf16>, %[[WD:[a-zA-Z0-9_]+]]: tensor<16x8x32xbf16>, %[[SG:[a-zA-Z0-9_]+]]: tensor<32x8xbf16>, %[[SU:[a-zA-Z0-9_]+]]: tensor<32x8xbf16>, %[[SD:[a-zA-Z0-9_]+]]: tensor<8x32xbf16>)
// CHECK:         moe.layer %[[X]] router %[[RW]] bias %[[B]] experts %[[WG]], %[[WU]], %[[WD]] shared %[[SG]], %[[SU]], %[[SD]] routing <k = 4, scoring = sigmoid, n_group = 4, topk_group = 2, norm_topk_prob = true, routed_scaling_factor = 2.5> : (tensor<?x32xbf16>, tensor<32x16xf32>, tensor<16x32x8xbf16>, tensor<16x32x8xbf16>, tensor<16x8x32xbf16>, tensor<32x8xbf16>, tensor<32x8xbf16>, tensor<8x32xbf16>, tensor<16xf32>) -> tensor<?x32xbf16>
func.func @layer_bias_groups(%x: tensor<?x32xbf16>, %rw: tensor<32x16xf32>,
                             %b: tensor<16xf32>, %wg: tensor<16x32x8xbf16>,
                             %wu: tensor<16x32x8xbf16>,
                             %wd: tensor<16x8x32xbf16>,
                             %sg: tensor<32x8xbf16>, %su: tensor<32x8xbf16>,
                             %sd: tensor<8x32xbf16>) {
  %y = moe.layer %x router %rw bias %b experts %wg, %wu, %wd
      shared %sg, %su, %sd routing <k = 4, scoring = sigmoid, n_group = 4,
      topk_group = 2, norm_topk_prob = true, routed_scaling_factor = 2.5>
      : (tensor<?x32xbf16>, tensor<32x16xf32>, tensor<16x32x8xbf16>,
         tensor<16x32x8xbf16>, tensor<16x8x32xbf16>, tensor<32x8xbf16>,
         tensor<32x8xbf16>, tensor<8x32xbf16>, tensor<16xf32>)
      -> tensor<?x32xbf16>
  return
}

// Bias without shared experts, group_score = max, f16. topk_group = 1 is the
// default and is elided even though n_group is not.
// CHECK-LABEL: func.func @layer_bias_group_max(
// CHECK:         moe.layer %{{[a-z0-9_]+}} router %{{[a-z0-9_]+}} bias %{{[a-z0-9_]+}} experts %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} routing <k = 2, n_group = 4, group_score = max> : (tensor<4x32xf16>, tensor<32x8xf16>, tensor<8x32x16xf16>, tensor<8x32x16xf16>, tensor<8x16x32xf16>, tensor<8xf16>) -> tensor<4x32xf16>
func.func @layer_bias_group_max(%x: tensor<4x32xf16>, %rw: tensor<32x8xf16>,
                                %b: tensor<8xf16>, %wg: tensor<8x32x16xf16>,
                                %wu: tensor<8x32x16xf16>,
                                %wd: tensor<8x16x32xf16>) {
  %y = moe.layer %x router %rw bias %b experts %wg, %wu, %wd
      routing <k = 2, n_group = 4, topk_group = 1, group_score = max>
      : (tensor<4x32xf16>, tensor<32x8xf16>, tensor<8x32x16xf16>,
         tensor<8x32x16xf16>, tensor<8x16x32xf16>, tensor<8xf16>)
      -> tensor<4x32xf16>
  return
}

// DeepSeek-V4 first layers: hash routing, shared experts, SwiGLU clamp.
// CHECK-LABEL: func.func @layer_hash_shared_limit(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xbf16>, %[[RW:[a-zA-Z0-9_]+]]: tensor<32x8xf32>, %[[T:[a-zA-Z0-9_]+]]: tensor<?xi32>, %[[H:[a-zA-Z0-9_]+]]: tensor<100x2xi64>, %[[WG:[a-zA-Z0-9_]+]]: tensor<8x32x16xbf16>, %[[WU:[a-zA-Z0-9_]+]]: tensor<8x32x16xbf16>, %[[WD:[a-zA-Z0-9_]+]]: tensor<8x16x32xbf16>, %[[SG:[a-zA-Z0-9_]+]]: tensor<32x16xbf16>, %[[SU:[a-zA-Z0-9_]+]]: tensor<32x16xbf16>, %[[SD:[a-zA-Z0-9_]+]]: tensor<16x32xbf16>)
// CHECK:         moe.layer %[[X]] router %[[RW]] hash(%[[T]], %[[H]]) experts %[[WG]], %[[WU]], %[[WD]] shared %[[SG]], %[[SU]], %[[SD]] routing <k = 2, scoring = sqrtsoftplus, norm_topk_prob = true, routed_scaling_factor = 1.5> swiglu_limit = 7.000000e+00 : (tensor<?x32xbf16>, tensor<32x8xf32>, tensor<8x32x16xbf16>, tensor<8x32x16xbf16>, tensor<8x16x32xbf16>, tensor<32x16xbf16>, tensor<32x16xbf16>, tensor<16x32xbf16>, tensor<?xi32>, tensor<100x2xi64>) -> tensor<?x32xbf16>
func.func @layer_hash_shared_limit(%x: tensor<?x32xbf16>, %rw: tensor<32x8xf32>,
                                   %tokens: tensor<?xi32>,
                                   %table: tensor<100x2xi64>,
                                   %wg: tensor<8x32x16xbf16>,
                                   %wu: tensor<8x32x16xbf16>,
                                   %wd: tensor<8x16x32xbf16>,
                                   %sg: tensor<32x16xbf16>,
                                   %su: tensor<32x16xbf16>,
                                   %sd: tensor<16x32xbf16>) {
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      shared %sg, %su, %sd routing <k = 2, scoring = sqrtsoftplus,
      norm_topk_prob = true, routed_scaling_factor = 1.5> swiglu_limit = 7.0
      : (tensor<?x32xbf16>, tensor<32x8xf32>, tensor<8x32x16xbf16>,
         tensor<8x32x16xbf16>, tensor<8x16x32xbf16>, tensor<32x16xbf16>,
         tensor<32x16xbf16>, tensor<16x32xbf16>, tensor<?xi32>,
         tensor<100x2xi64>) -> tensor<?x32xbf16>
  return
}

// Hash routing alone, with a limit but no shared experts.
// CHECK-LABEL: func.func @layer_hash_limit(
// CHECK:         moe.layer %{{[a-z0-9_]+}} router %{{[a-z0-9_]+}} hash(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) experts %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} routing <k = 1> swiglu_limit = 2.500000e-01 : (tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>, tensor<?xi64>, tensor<?x1xi64>) -> tensor<?x32xf32>
func.func @layer_hash_limit(%x: tensor<?x32xf32>, %rw: tensor<32x4xf32>,
                            %tokens: tensor<?xi64>, %table: tensor<?x1xi64>,
                            %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>,
                            %wd: tensor<4x16x32xf32>) {
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 1> swiglu_limit = 0.25
      : (tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>,
         tensor<4x32x16xf32>, tensor<4x16x32xf32>, tensor<?xi64>,
         tensor<?x1xi64>) -> tensor<?x32xf32>
  return
}

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

// The attr-dict sits after the inherent attributes; the printer must not fold
// the inherent ones into it.
// CHECK-LABEL: func.func @discardable_attributes(
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 2> {tag = "r"} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK:         moe.dispatch %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} experts = 4 capacity = 2 {tag = "d"} : tensor<?x16xf32>, tensor<?x2xi32> -> tensor<8x16xf32>, tensor<8xi32>, tensor<5xi32>
// CHECK:         moe.swiglu %{{[a-z0-9_]+}} limit = 1.000000e+00 {tag = "s"} : tensor<?x16xf32> -> tensor<?x8xf32>
func.func @discardable_attributes(%logits: tensor<?x8xf32>,
                                  %x: tensor<?x16xf32>,
                                  %ids: tensor<?x2xi32>) {
  %w, %i = moe.router %logits routing <k = 2> {tag = "r"}
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 capacity = 2
      {tag = "d"} : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<8x16xf32>, tensor<8xi32>, tensor<5xi32>
  %h = moe.swiglu %x limit = 1.0 {tag = "s"}
      : tensor<?x16xf32> -> tensor<?x8xf32>
  return
}
