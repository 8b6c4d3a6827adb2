// RUN: moe-opt %s --moe-npu-pipeline="target=ascend-910b" | FileCheck %s

// A DeepSeek-style layer (sigmoid routing with a selection bias, shared
// experts) in f32: the plan's kernels in launch order, their buffers in
// explicit memory spaces, copies on the target's edges, and the flags.

// CHECK-LABEL: func.func @moe_layer(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<?x128xf32, #moe_npu.space<gm>>
// CHECK-SAME: %[[OUT:[a-z0-9]+]]: memref<?x128xf32, #moe_npu.space<gm>>) attributes {moe_npu.plan}

// Router logits on the cube: L1 and L0 double-buffered, ping-pong flags.
// CHECK: %[[LOGITS:.*]] = moe_npu.workspace "logits"
// CHECK: moe_npu.kernel "router_logits" grid = 24 subblocks = 2 cube {
// CHECK: moe_npu.alloc "l1_a" offset = 0 : memref<2x{{[0-9]+}}x{{[0-9]+}}xf32, #moe_npu.space<l1>>
// CHECK: moe_npu.set_flag <mte1> -> <mte2>
// CHECK: moe_npu.load %[[X]]
// CHECK: moe_npu.copy
// CHECK: moe_npu.mmad
// CHECK: moe_npu.fixpipe {{.*}} -> %[[LOGITS]]

// Router on the vector cores, with the bias loaded once.
// CHECK: moe_npu.kernel "router" grid = 24 subblocks = 2 vector {
// CHECK: moe_npu.alloc "ub_bias"
// CHECK: moe_npu.vroute {{.*}} bias {{.*}} routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2, norm_topk_prob = true>

// Dispatch metadata: the token list, each pair's row, the tile table.
// CHECK: %[[TOKENS:.*]] = moe_npu.workspace "tokens"
// CHECK: %[[PAIRS:.*]] = moe_npu.workspace "pair_rows"
// CHECK: %[[TILES:.*]] = moe_npu.workspace "tiles"
// CHECK: moe_npu.kernel "dispatch" grid = 1 subblocks = 1 vector {
// CHECK: moe_npu.dispatch_metadata {{.*}} -> %[[TOKENS]], %[[PAIRS]], %[[TILES]] experts = 8 tile_rows = [[BM:[0-9]+]]

// Gate/up + SwiGLU: one mixed kernel. The cube reads each tile's metadata,
// gathers x rows through the token list, runs both GEMMs, and hands the
// tiles over through GM with cross-core flags.
// CHECK: %[[HANDOFF:.*]] = moe_npu.workspace "gate_up_handoff"
// CHECK: %[[H:.*]] = moe_npu.workspace "h"
// CHECK: moe_npu.kernel "expert_gate_up" grid = 24 subblocks = 2 cube {
// CHECK: moe_npu.load_scalar %[[TILES]]
// CHECK: scf.if
// CHECK: moe_npu.load %[[X]][%{{.*}}] -> %{{.*}} rows %{{.*}} gather %[[TOKENS]]
// CHECK-COUNT-2: moe_npu.mmad
// CHECK: moe_npu.sync_block_wait <fix>
// CHECK-COUNT-2: moe_npu.fixpipe {{.*}} -> %[[HANDOFF]]
// CHECK: moe_npu.sync_block_set <fix>
// CHECK: } vector {
// CHECK: moe_npu.sync_block_set <mte2>
// CHECK: moe_npu.sync_block_wait <mte2>
// CHECK: moe_npu.load %[[HANDOFF]]
// CHECK: moe_npu.vswiglu
// CHECK: moe_npu.store {{.*}} -> %[[H]]
// CHECK: } {moe_npu.tiling = #moe_npu.gemm_tiling<bm = [[BM]]

// Down projection over the same tile table, reading h rows directly.
// CHECK: %[[YS:.*]] = moe_npu.workspace "expert_out"
// CHECK: moe_npu.kernel "expert_down"
// CHECK: moe_npu.load %[[H]]
// CHECK: moe_npu.fixpipe {{.*}} -> %[[YS]]

// Shared experts: dense tiles, no metadata.
// CHECK: moe_npu.kernel "shared_gate_up"
// CHECK-NOT: load_scalar
// CHECK: moe_npu.vswiglu
// CHECK: %[[SHARED:.*]] = moe_npu.workspace "shared_out"
// CHECK: moe_npu.kernel "shared_down"

// Combine: starts each tile from the shared output, then gathers every
// token's k rows (stride k through the pair rows) and sums them in f32.
// CHECK: moe_npu.kernel "combine" grid = 24 subblocks = 2 vector {
// CHECK: moe_npu.load %[[SHARED]]
// CHECK: moe_npu.load %[[YS]][%{{.*}}] -> %{{.*}} rows %{{.*}} gather %[[PAIRS]][%{{.*}}] stride %c2
// CHECK: moe_npu.vaxpy {{.*}} init %false
// CHECK: moe_npu.store {{.*}} -> %[[OUT]]
// CHECK: return

func.func @moe_layer(%x: tensor<?x128xf32>, %router: tensor<128x8xf32>,
                     %w_gate: tensor<8x128x64xf32>, %w_up: tensor<8x128x64xf32>,
                     %w_down: tensor<8x64x128xf32>,
                     %s_gate: tensor<128x64xf32>, %s_up: tensor<128x64xf32>,
                     %s_down: tensor<64x128xf32>, %bias: tensor<8xf32>)
    -> tensor<?x128xf32> {
  %y = moe.layer %x router %router bias %bias
      experts %w_gate, %w_up, %w_down shared %s_gate, %s_up, %s_down
      routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2,
               norm_topk_prob = true>
      : (tensor<?x128xf32>, tensor<128x8xf32>, tensor<8x128x64xf32>,
         tensor<8x128x64xf32>, tensor<8x64x128xf32>, tensor<128x64xf32>,
         tensor<128x64xf32>, tensor<64x128xf32>, tensor<8xf32>)
      -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}
