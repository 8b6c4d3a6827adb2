// RUN: moe-opt %s --moe-decompose-layer --split-input-file | FileCheck %s

// Routed experts only, dynamic token count, softmax routing.
// CHECK-LABEL: func.func @routed_only
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %[[RW:.*]]: tensor<16x8xf32>, %[[WG:.*]]: tensor<8x16x4xf32>, %[[WU:.*]]: tensor<8x16x4xf32>, %[[WD:.*]]: tensor<8x4x16xf32>)
// CHECK:      %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:      %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK:      %[[LOGITS:.*]] = linalg.matmul ins(%[[X]], %[[RW]] : tensor<?x16xf32>, tensor<16x8xf32>) outs(%[[ACC]] : tensor<?x8xf32>)
// CHECK:      %[[W:.*]], %[[IDS:.*]] = moe.router %[[LOGITS]] routing <k = 2, norm_topk_prob = true> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK:      %[[XS:.*]], %[[PERM:.*]], %[[OFF:.*]] = moe.dispatch %[[X]], %[[IDS]] experts = 8 : tensor<?x16xf32>, tensor<?x2xi32> -> tensor<?x16xf32>, tensor<?xi32>, tensor<9xi32>
// CHECK:      %[[G:.*]] = moe.grouped_matmul %[[XS]], %[[WG]], %[[OFF]] : tensor<?x16xf32>, tensor<8x16x4xf32>, tensor<9xi32> -> tensor<?x4xf32>
// CHECK:      %[[U:.*]] = moe.grouped_matmul %[[XS]], %[[WU]], %[[OFF]] : tensor<?x16xf32>, tensor<8x16x4xf32>, tensor<9xi32> -> tensor<?x4xf32>
// CHECK:      %[[H:.*]] = moe.swiglu %[[G]], %[[U]] : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK:      %[[YS:.*]] = moe.grouped_matmul %[[H]], %[[WD]], %[[OFF]] : tensor<?x4xf32>, tensor<8x4x16xf32>, tensor<9xi32> -> tensor<?x16xf32>
// CHECK:      %[[Y:.*]] = moe.combine %[[YS]], %[[PERM]], %[[W]] : tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x16xf32>
// CHECK-NOT:  linalg.add
// CHECK:      return %[[Y]]
func.func @routed_only(%x: tensor<?x16xf32>, %rw: tensor<16x8xf32>,
                       %wg: tensor<8x16x4xf32>, %wu: tensor<8x16x4xf32>,
                       %wd: tensor<8x4x16xf32>) -> tensor<?x16xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x16xf32>, tensor<16x8xf32>, tensor<8x16x4xf32>,
         tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// DeepSeek-V3 style: bias, groups, shared expert, swiglu_limit applied to
// routed and shared activations alike; the shared output is added with
// linalg.add.
// CHECK-LABEL: func.func @shared_and_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %{{.*}}: tensor<16x8xf32>, %{{.*}}: tensor<8x16x4xf32>, %{{.*}}: tensor<8x16x4xf32>, %{{.*}}: tensor<8x4x16xf32>, %[[SG:.*]]: tensor<16x6xf32>, %[[SU:.*]]: tensor<16x6xf32>, %[[SD:.*]]: tensor<6x16xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK:      %[[W:.*]], %[[IDS:.*]] = moe.router %{{.*}} bias %[[B]] routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2, norm_topk_prob = true, routed_scaling_factor = 2.5>
// CHECK:      moe.swiglu %{{.*}}, %{{.*}} limit = 1.000000e+01 : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK:      %[[Y:.*]] = moe.combine
// CHECK:      %[[SGX:.*]] = linalg.matmul ins(%[[X]], %[[SG]] : tensor<?x16xf32>, tensor<16x6xf32>)
// CHECK:      %[[SUX:.*]] = linalg.matmul ins(%[[X]], %[[SU]] : tensor<?x16xf32>, tensor<16x6xf32>)
// CHECK:      %[[SH:.*]] = moe.swiglu %[[SGX]], %[[SUX]] limit = 1.000000e+01 : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<?x6xf32>
// CHECK:      %[[SY:.*]] = linalg.matmul ins(%[[SH]], %[[SD]] : tensor<?x6xf32>, tensor<6x16xf32>)
// CHECK:      %[[SUM:.*]] = linalg.add ins(%[[Y]], %[[SY]] : tensor<?x16xf32>, tensor<?x16xf32>)
// CHECK:      return %[[SUM]]
func.func @shared_and_bias(%x: tensor<?x16xf32>, %rw: tensor<16x8xf32>,
                           %wg: tensor<8x16x4xf32>, %wu: tensor<8x16x4xf32>,
                           %wd: tensor<8x4x16xf32>, %sg: tensor<16x6xf32>,
                           %su: tensor<16x6xf32>, %sd: tensor<6x16xf32>,
                           %b: tensor<8xf32>) -> tensor<?x16xf32> {
  %y = moe.layer %x router %rw bias %b experts %wg, %wu, %wd
      shared %sg, %su, %sd
      routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2,
               norm_topk_prob = true, routed_scaling_factor = 2.5>
      swiglu_limit = 10.0
      : (tensor<?x16xf32>, tensor<16x8xf32>, tensor<8x16x4xf32>,
         tensor<8x16x4xf32>, tensor<8x4x16xf32>, tensor<16x6xf32>,
         tensor<16x6xf32>, tensor<6x16xf32>, tensor<8xf32>)
      -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// bf16 layer: router logits are accumulated and kept in f32, the shared
// expert GEMMs accumulate in f32 and are rounded back to bf16; with a static
// token count the dispatch has T*k = 6 rows.
// CHECK-LABEL: func.func @bf16_static_tokens
// CHECK:      %[[LOGITS:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x16xbf16>, tensor<16x8xbf16>) outs(%{{.*}} : tensor<3x8xf32>) -> tensor<3x8xf32>
// CHECK:      moe.router %[[LOGITS]] routing <k = 2, scoring = sqrtsoftplus> : (tensor<3x8xf32>) -> (tensor<3x2xf32>, tensor<3x2xi32>)
// CHECK:      moe.dispatch %{{.*}}, %{{.*}} experts = 8 : tensor<3x16xbf16>, tensor<3x2xi32> -> tensor<6x16xbf16>, tensor<6xi32>, tensor<9xi32>
// CHECK:      moe.combine %{{.*}}, %{{.*}}, %{{.*}} : tensor<6x16xbf16>, tensor<6xi32>, tensor<3x2xf32> -> tensor<3x16xbf16>
// CHECK:      %[[SG:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x16xbf16>, tensor<16x4xbf16>) outs(%{{.*}} : tensor<3x4xf32>)
// CHECK:      arith.truncf %[[SG]] : tensor<3x4xf32> to tensor<3x4xbf16>
// CHECK:      linalg.add
func.func @bf16_static_tokens(%x: tensor<3x16xbf16>, %rw: tensor<16x8xbf16>,
                              %wg: tensor<8x16x4xbf16>, %wu: tensor<8x16x4xbf16>,
                              %wd: tensor<8x4x16xbf16>, %sg: tensor<16x4xbf16>,
                              %su: tensor<16x4xbf16>, %sd: tensor<4x16xbf16>)
    -> tensor<3x16xbf16> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd shared %sg, %su, %sd
      routing <k = 2, scoring = sqrtsoftplus>
      : (tensor<3x16xbf16>, tensor<16x8xbf16>, tensor<8x16x4xbf16>,
         tensor<8x16x4xbf16>, tensor<8x4x16xbf16>, tensor<16x4xbf16>,
         tensor<16x4xbf16>, tensor<4x16xbf16>) -> tensor<3x16xbf16>
  return %y : tensor<3x16xbf16>
}

// -----

// Hash routing passes the token ids and table through to moe.router.
// CHECK-LABEL: func.func @hash_routing
// CHECK-SAME: %[[TOK:[^:]*]]: tensor<?xi64>, %[[TAB:[^:]*]]: tensor<100x2xi32>
// CHECK:      moe.router %{{.*}} hash(%[[TOK]], %[[TAB]]) routing <k = 2, scoring = sqrtsoftplus, norm_topk_prob = true>
// CHECK-NOT:  moe.layer
func.func @hash_routing(%x: tensor<?x16xf32>, %rw: tensor<16x8xf32>,
                        %wg: tensor<8x16x4xf32>, %wu: tensor<8x16x4xf32>,
                        %wd: tensor<8x4x16xf32>, %tok: tensor<?xi64>,
                        %table: tensor<100x2xi32>) -> tensor<?x16xf32> {
  %y = moe.layer %x router %rw hash(%tok, %table) experts %wg, %wu, %wd
      routing <k = 2, scoring = sqrtsoftplus, norm_topk_prob = true>
      : (tensor<?x16xf32>, tensor<16x8xf32>, tensor<8x16x4xf32>,
         tensor<8x16x4xf32>, tensor<8x4x16xf32>, tensor<?xi64>,
         tensor<100x2xi32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Ops other than moe.layer are left alone, and layers nested in other
// regions are found.
// CHECK-LABEL: func.func @nested
// CHECK:      scf.execute_region
// CHECK:        moe.router
// CHECK:        moe.combine
// CHECK-NOT:  moe.layer
func.func @nested(%x: tensor<?x16xf32>, %rw: tensor<16x8xf32>,
                  %wg: tensor<8x16x4xf32>, %wu: tensor<8x16x4xf32>,
                  %wd: tensor<8x4x16xf32>) -> tensor<?x16xf32> {
  %r = scf.execute_region -> tensor<?x16xf32> {
    %y = moe.layer %x router %rw experts %wg, %wu, %wd routing <k = 1>
        : (tensor<?x16xf32>, tensor<16x8xf32>, tensor<8x16x4xf32>,
           tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<?x16xf32>
    scf.yield %y : tensor<?x16xf32>
  }
  return %r : tensor<?x16xf32>
}
