// Tiles come from the target's buffers: the default Ascend 910B, then a
// variant with a third of the UB (the vector tiles shrink) and a variant with
// half the L0A/L0B/L0C (the cube tiles shrink).
// RUN: moe-opt %s --moe-target=ascend-910b --moe-decompose-layer --moe-npu-select-tiles | FileCheck %s
// RUN: moe-opt %s --moe-target=ascend-910b:ub=64K --moe-decompose-layer --moe-npu-select-tiles | FileCheck %s --check-prefix=UB64
// RUN: moe-opt %s --moe-target=ascend-910b:l0a=32K,l0b=32K,l0c=64K --moe-decompose-layer --moe-npu-select-tiles | FileCheck %s --check-prefix=L0HALF
// RUN: moe-opt %s --moe-target=ascend-910b --moe-decompose-layer --moe-npu-select-tiles --moe-npu-plan | FileCheck %s --check-prefix=PLAN
// RUN: moe-opt %s --moe-target=ascend-910b:ub=64K --moe-decompose-layer --moe-npu-select-tiles --moe-npu-plan | FileCheck %s --check-prefix=PLAN64

// bf16 experts: fractal 16x16x16. The gate/up pair keeps two f32
// accumulators in L0C and two B tiles in L0B, so its tiles are smaller than
// the down GEMM's, which shares its bm (one tile table per dispatch).
// CHECK-LABEL: func.func @moe_layer
// CHECK: linalg.matmul {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 256, bn = 16, bk = 64>}
// CHECK: moe.router {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 64, cols = 16>}
// CHECK: moe.grouped_matmul {{.*}} {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 128, bk = 64>}
// CHECK: moe.grouped_matmul {{.*}} {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 128, bk = 64>}
// CHECK: moe.swiglu {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 64, cols = 128>}
// CHECK: moe.grouped_matmul {{.*}} {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 256, bk = 64>}
// CHECK: moe.combine {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 32, cols = 256>}

// UB64: moe.router {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 64, cols = 16>}
// UB64: moe.grouped_matmul {{.*}} {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 128, bk = 64>}
// UB64: moe.swiglu {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 32, cols = 128>}
// UB64: moe.combine {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 16, cols = 256>}

// L0HALF: linalg.matmul {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 256, bn = 16, bk = 32>}
// L0HALF: moe.grouped_matmul {{.*}} {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 64, bk = 64>}
// L0HALF: moe.swiglu {{.*}} {moe_npu.tiling = #moe_npu.vector_tiling<rows = 64, cols = 64>}
// L0HALF: moe.grouped_matmul {{.*}} {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 128, bk = 64>}

// The plan's buffers follow the tiles: the SwiGLU tiles of the vector
// cores are 64 rows, then 32 with a third of the UB.
// PLAN: moe_npu.kernel "expert_gate_up"
// PLAN: moe_npu.alloc "l0c" offset = 0 : memref<2x128x128xf32, #moe_npu.space<l0c>>
// PLAN: moe_npu.alloc "ub_gate" offset = 0 : memref<2x64x128xbf16, #moe_npu.space<ub>>
// PLAN64: moe_npu.alloc "ub_gate" offset = 0 : memref<2x32x128xbf16, #moe_npu.space<ub>>

func.func @moe_layer(%x: tensor<?x256xbf16>, %router: tensor<256x16xbf16>,
                     %w_gate: tensor<16x256x512xbf16>,
                     %w_up: tensor<16x256x512xbf16>,
                     %w_down: tensor<16x512x256xbf16>) -> tensor<?x256xbf16> {
  %y = moe.layer %x router %router experts %w_gate, %w_up, %w_down
      routing <k = 4, norm_topk_prob = true>
      : (tensor<?x256xbf16>, tensor<256x16xbf16>, tensor<16x256x512xbf16>,
         tensor<16x256x512xbf16>, tensor<16x512x256xbf16>) -> tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}
