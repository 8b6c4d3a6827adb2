// RUN: moe-opt %s -canonicalize -split-input-file | FileCheck %s

// The moe canonicalisation patterns (MoECanonicalize.cpp), each with the
// cases where it must not fire.

//===----------------------------------------------------------------------===//
// DropTrivialGroupLimit (moe.router, moe.layer)
//===----------------------------------------------------------------------===//

// Keeping all n_group groups is no group limit at all: n_group, topk_group
// and group_score go back to their defaults; every other parameter stays.
// CHECK-LABEL: func.func @router_all_groups_kept(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x64xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<64xf32>)
// CHECK:         %[[W:[a-zA-Z0-9_]+]], %[[I:[a-zA-Z0-9_]+]] = moe.router %[[L]] bias %[[B]] routing <k = 6, scoring = sigmoid, norm_topk_prob = true, routed_scaling_factor = 2.5> : (tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
// CHECK-NEXT:    return %[[W]], %[[I]]
func.func @router_all_groups_kept(%logits: tensor<?x64xf32>,
                                  %bias: tensor<64xf32>)
    -> (tensor<?x6xf32>, tensor<?x6xi32>) {
  %w, %ids = moe.router %logits bias %bias routing <k = 6, scoring = sigmoid,
      n_group = 8, topk_group = 8, group_score = max, norm_topk_prob = true,
      routed_scaling_factor = 2.5>
      : (tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %ids : tensor<?x6xf32>, tensor<?x6xi32>
}

// -----

// A real group limit changes which experts are eligible: keep it.
// CHECK-LABEL: func.func @router_group_limited(
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 6, scoring = sigmoid, n_group = 8, topk_group = 7, group_score = max> :
func.func @router_group_limited(%logits: tensor<?x64xf32>)
    -> (tensor<?x6xf32>, tensor<?x6xi32>) {
  %w, %ids = moe.router %logits routing <k = 6, scoring = sigmoid,
      n_group = 8, topk_group = 7, group_score = max>
      : (tensor<?x64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %ids : tensor<?x6xf32>, tensor<?x6xi32>
}

// -----

// Without groups the pattern has nothing to do, whatever group_score says.
// CHECK-LABEL: func.func @router_no_groups(
// CHECK:         moe.router %{{[a-z0-9_]+}} routing <k = 2, group_score = max> :
func.func @router_no_groups(%logits: tensor<?x8xf32>)
    -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = moe.router %logits routing <k = 2, group_score = max>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}

// -----

// CHECK-LABEL: func.func @layer_all_groups_kept(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf32>, %[[RW:[a-zA-Z0-9_]+]]: tensor<32x8xf32>, %[[WG:[a-zA-Z0-9_]+]]: tensor<8x32x16xf32>, %[[WU:[a-zA-Z0-9_]+]]: tensor<8x32x16xf32>, %[[WD:[a-zA-Z0-9_]+]]: tensor<8x16x32xf32>)
// CHECK:         %[[Y:[a-zA-Z0-9_]+]] = moe.layer %[[X]] router %[[RW]] experts %[[WG]], %[[WU]], %[[WD]] routing <k = 2, scoring = sqrtsoftplus, routed_scaling_factor = 1.5> swiglu_limit = 1.000000e+01 : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>, tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @layer_all_groups_kept(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                                 %wg: tensor<8x32x16xf32>,
                                 %wu: tensor<8x32x16xf32>,
                                 %wd: tensor<8x16x32xf32>) -> tensor<?x32xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, scoring = sqrtsoftplus, n_group = 4, topk_group = 4,
      routed_scaling_factor = 1.5> swiglu_limit = 10.0
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// CHECK-LABEL: func.func @layer_group_limited(
// CHECK:         moe.layer %{{[a-z0-9_]+}} router %{{[a-z0-9_]+}} experts %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} routing <k = 2, n_group = 4, topk_group = 2> :
func.func @layer_group_limited(%x: tensor<?x32xf32>, %rw: tensor<32x8xf32>,
                               %wg: tensor<8x32x16xf32>,
                               %wu: tensor<8x32x16xf32>,
                               %wd: tensor<8x16x32xf32>) -> tensor<?x32xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, n_group = 4, topk_group = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x16xf32>,
         tensor<8x32x16xf32>, tensor<8x16x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

//===----------------------------------------------------------------------===//
// SingleExpertGroupedMatmul
//===----------------------------------------------------------------------===//

// One expert owns every row: a plain GEMM on the collapsed weight,
// accumulated in f32. The offsets are not needed any more.
// CHECK-LABEL: func.func @grouped_matmul_one_expert_f32(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<1x32x16xf32>, %[[O:[a-zA-Z0-9_]+]]: tensor<2xi32>)
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[MAT:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0, 1], [2]] : tensor<1x32x16xf32> into tensor<32x16xf32>
// CHECK-DAG:     %[[ROWS:.+]] = tensor.dim %[[X]], %[[C0]] : tensor<?x32xf32>
// CHECK:         %[[EMPTY:.+]] = tensor.empty(%[[ROWS]]) : tensor<?x16xf32>
// CHECK:         %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<?x16xf32>) -> tensor<?x16xf32>
// CHECK:         %[[Y:.+]] = linalg.matmul ins(%[[X]], %[[MAT]] : tensor<?x32xf32>, tensor<32x16xf32>) outs(%[[ACC]] : tensor<?x16xf32>) -> tensor<?x16xf32>
// CHECK-NOT:     arith.truncf
// CHECK-NOT:     moe.grouped_matmul
// CHECK:         return %[[Y]] : tensor<?x16xf32>
func.func @grouped_matmul_one_expert_f32(%xs: tensor<?x32xf32>,
                                         %w: tensor<1x32x16xf32>,
                                         %offsets: tensor<2xi32>)
    -> tensor<?x16xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<1x32x16xf32>, tensor<2xi32>
      -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// bf16 operands still accumulate in f32; the product is rounded once.
// CHECK-LABEL: func.func @grouped_matmul_one_expert_bf16(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<8x32xbf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<1x32x16xbf16>, %[[O:[a-zA-Z0-9_]+]]: tensor<2xi64>)
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[MAT:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0, 1], [2]] : tensor<1x32x16xbf16> into tensor<32x16xbf16>
// CHECK-DAG:     %[[EMPTY:.+]] = tensor.empty() : tensor<8x16xf32>
// CHECK:         %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK:         %[[P:.+]] = linalg.matmul ins(%[[X]], %[[MAT]] : tensor<8x32xbf16>, tensor<32x16xbf16>) outs(%[[ACC]] : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK:         %[[Y:.+]] = arith.truncf %[[P]] : tensor<8x16xf32> to tensor<8x16xbf16>
// CHECK-NOT:     moe.grouped_matmul
// CHECK:         return %[[Y]] : tensor<8x16xbf16>
func.func @grouped_matmul_one_expert_bf16(%xs: tensor<8x32xbf16>,
                                          %w: tensor<1x32x16xbf16>,
                                          %offsets: tensor<2xi64>)
    -> tensor<8x16xbf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<8x32xbf16>, tensor<1x32x16xbf16>, tensor<2xi64>
      -> tensor<8x16xbf16>
  return %y : tensor<8x16xbf16>
}

// -----

// f16 takes the same path as bf16, and a result type less static than the
// product gets a tensor.cast.
// CHECK-LABEL: func.func @grouped_matmul_one_expert_f16_cast(
// CHECK:         %[[P:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x32xf16>, tensor<32x16xf16>) outs(%{{.+}} : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK:         %[[T:.+]] = arith.truncf %[[P]] : tensor<8x16xf32> to tensor<8x16xf16>
// CHECK:         %[[Y:.+]] = tensor.cast %[[T]] : tensor<8x16xf16> to tensor<?x16xf16>
// CHECK:         return %[[Y]] : tensor<?x16xf16>
func.func @grouped_matmul_one_expert_f16_cast(%xs: tensor<8x32xf16>,
                                              %w: tensor<1x32x16xf16>,
                                              %offsets: tensor<2xi32>)
    -> tensor<?x16xf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<8x32xf16>, tensor<1x32x16xf16>, tensor<2xi32>
      -> tensor<?x16xf16>
  return %y : tensor<?x16xf16>
}

// -----

// Two experts need the offsets: keep the grouped GEMM.
// CHECK-LABEL: func.func @grouped_matmul_two_experts(
// CHECK-NOT:     linalg.matmul
// CHECK:         moe.grouped_matmul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x32xf32>, tensor<2x32x16xf32>, tensor<3xi32> -> tensor<?x16xf32>
// CHECK-NOT:     linalg.matmul
func.func @grouped_matmul_two_experts(%xs: tensor<?x32xf32>,
                                      %w: tensor<2x32x16xf32>,
                                      %offsets: tensor<3xi32>)
    -> tensor<?x16xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x32xf32>, tensor<2x32x16xf32>, tensor<3xi32>
      -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// SingleExpertDispatch
//===----------------------------------------------------------------------===//

// One expert, k = 1, no padding: xs is x, perm is the identity and the one
// group spans all tokens.
// CHECK-LABEL: func.func @dispatch_one_expert_k1(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x1xi32>)
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK:         %[[T:.+]] = tensor.dim %[[X]], %[[C0]] : tensor<?x16xf32>
// CHECK:         %[[PERM:.+]] = tensor.generate %[[T]] {
// CHECK-NEXT:    ^bb0(%[[IDX:.+]]: index):
// CHECK-NEXT:      %[[V:.+]] = arith.index_cast %[[IDX]] : index to i32
// CHECK-NEXT:      tensor.yield %[[V]] : i32
// CHECK-NEXT:    } : tensor<?xi32>
// CHECK:         %[[END:.+]] = arith.index_cast %[[T]] : index to i32
// CHECK:         %[[OFF:.+]] = tensor.from_elements %[[ZERO]], %[[END]] : tensor<2xi32>
// CHECK-NOT:     moe.dispatch
// CHECK:         return %[[X]], %[[PERM]], %[[OFF]] : tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
func.func @dispatch_one_expert_k1(%x: tensor<?x16xf32>, %ids: tensor<?x1xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1
      : tensor<?x16xf32>, tensor<?x1xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
  return %xs, %perm, %offsets
      : tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
}

// -----

// With static shapes the offsets fold to a constant; the i64 perm keeps its
// element type.
// CHECK-LABEL: func.func @dispatch_one_expert_k1_static(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<8x16xbf16>, %[[I:[a-zA-Z0-9_]+]]: tensor<8x1xi64>)
// CHECK-DAG:     %[[OFF:.+]] = arith.constant dense<[0, 8]> : tensor<2xi64>
// CHECK-DAG:     %[[PERM:.+]] = tensor.generate  {
// CHECK:           arith.index_cast %{{.+}} : index to i64
// CHECK:         } : tensor<8xi64>
// CHECK-NOT:     moe.dispatch
// CHECK:         return %[[X]], %[[PERM]], %[[OFF]] : tensor<8x16xbf16>, tensor<8xi64>, tensor<2xi64>
func.func @dispatch_one_expert_k1_static(%x: tensor<8x16xbf16>,
                                         %ids: tensor<8x1xi64>)
    -> (tensor<8x16xbf16>, tensor<8xi64>, tensor<2xi64>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1
      : tensor<8x16xbf16>, tensor<8x1xi64>
      -> tensor<8x16xbf16>, tensor<8xi64>, tensor<2xi64>
  return %xs, %perm, %offsets
      : tensor<8x16xbf16>, tensor<8xi64>, tensor<2xi64>
}

// -----

// The verifier accepts dynamic result types; the replacement values are cast
// to them (tensor.from_elements itself needs a static type).
// CHECK-LABEL: func.func @dispatch_one_expert_k1_dynamic_results(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<4x16xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<4x1xi32>)
// CHECK-DAG:     %[[XS:.+]] = tensor.cast %[[X]] : tensor<4x16xf32> to tensor<?x16xf32>
// CHECK-DAG:     %[[OFF:.+]] = arith.constant dense<[0, 4]> : tensor<2xi32>
// CHECK-DAG:     %[[OFFC:.+]] = tensor.cast %[[OFF]] : tensor<2xi32> to tensor<?xi32>
// CHECK-DAG:     %[[PERM:.+]] = tensor.generate
// CHECK-DAG:     %[[PERMC:.+]] = tensor.cast %[[PERM]] : tensor<4xi32> to tensor<?xi32>
// CHECK-NOT:     moe.dispatch
// CHECK:         return %[[XS]], %[[PERMC]], %[[OFFC]] : tensor<?x16xf32>, tensor<?xi32>, tensor<?xi32>
func.func @dispatch_one_expert_k1_dynamic_results(%x: tensor<4x16xf32>,
                                                  %ids: tensor<4x1xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<?xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1
      : tensor<4x16xf32>, tensor<4x1xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<?xi32>
  return %xs, %perm, %offsets
      : tensor<?x16xf32>, tensor<?xi32>, tensor<?xi32>
}

// -----

// Two experts: the rows must really be sorted.
// CHECK-LABEL: func.func @dispatch_two_experts(
// CHECK:         moe.dispatch %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} experts = 2 : tensor<?x16xf32>, tensor<?x1xi32> -> tensor<?x16xf32>, tensor<?xi32>, tensor<3xi32>
// CHECK-NOT:     tensor.generate
func.func @dispatch_two_experts(%x: tensor<?x16xf32>, %ids: tensor<?x1xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<3xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 2
      : tensor<?x16xf32>, tensor<?x1xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<3xi32>
  return %xs, %perm, %offsets
      : tensor<?x16xf32>, tensor<?xi32>, tensor<3xi32>
}

// -----

// k = 2: every token appears twice, so xs is not x.
// CHECK-LABEL: func.func @dispatch_one_expert_k2(
// CHECK:         moe.dispatch %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} experts = 1 : tensor<?x16xf32>, tensor<?x2xi32> -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
// CHECK-NOT:     tensor.generate
func.func @dispatch_one_expert_k2(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
  return %xs, %perm, %offsets
      : tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
}

// -----

// A dynamic k might be 1 or not: keep the op.
// CHECK-LABEL: func.func @dispatch_one_expert_dynamic_k(
// CHECK:         moe.dispatch %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} experts = 1 : tensor<?x16xf32>, tensor<?x?xi32> -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
// CHECK-NOT:     tensor.generate
func.func @dispatch_one_expert_dynamic_k(%x: tensor<?x16xf32>,
                                         %ids: tensor<?x?xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1
      : tensor<?x16xf32>, tensor<?x?xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
  return %xs, %perm, %offsets
      : tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
}

// -----

// A block pads the single group with zero rows and -1 perm entries.
// CHECK-LABEL: func.func @dispatch_one_expert_block(
// CHECK:         moe.dispatch %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} experts = 1 block = 4 : tensor<?x16xf32>, tensor<?x1xi32> -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
// CHECK-NOT:     tensor.generate
func.func @dispatch_one_expert_block(%x: tensor<?x16xf32>,
                                     %ids: tensor<?x1xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1 block = 4
      : tensor<?x16xf32>, tensor<?x1xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
  return %xs, %perm, %offsets
      : tensor<?x16xf32>, tensor<?xi32>, tensor<2xi32>
}

// -----

// A capacity fixes the row count, padding or cutting the group.
// CHECK-LABEL: func.func @dispatch_one_expert_capacity(
// CHECK:         moe.dispatch %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} experts = 1 capacity = 4 : tensor<?x16xf32>, tensor<?x1xi32> -> tensor<4x16xf32>, tensor<4xi32>, tensor<2xi32>
// CHECK-NOT:     tensor.generate
func.func @dispatch_one_expert_capacity(%x: tensor<?x16xf32>,
                                        %ids: tensor<?x1xi32>)
    -> (tensor<4x16xf32>, tensor<4xi32>, tensor<2xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 1 capacity = 4
      : tensor<?x16xf32>, tensor<?x1xi32>
      -> tensor<4x16xf32>, tensor<4xi32>, tensor<2xi32>
  return %xs, %perm, %offsets
      : tensor<4x16xf32>, tensor<4xi32>, tensor<2xi32>
}
