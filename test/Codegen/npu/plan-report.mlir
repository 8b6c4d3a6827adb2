// RUN: moe-opt %s --moe-target=ascend-910b --moe-plan-report="tokens=4096" -o /dev/null | FileCheck %s
// RUN: moe-opt %s --moe-target=ascend-910b:gm-bw=6000 --moe-plan-report="tokens=4096" -o /dev/null | FileCheck %s --check-prefix=FAST
// RUN: moe-opt %s --moe-target=ascend-910b --moe-plan-report="tokens=4096 output=%t.txt" | FileCheck %s --check-prefix=IR
// RUN: FileCheck %s --input-file=%t.txt
// RUN: not moe-opt %s --moe-target=cpu-host --moe-plan-report 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not moe-opt %s --moe-target=ascend-910b --moe-plan-report="tokens=0" 2>&1 | FileCheck %s --check-prefix=TOKENS

// A hand-written plan of two kernels: a 4096^3 bf16 GEMM on the cube with
// 128x256x64 tiles (L0B and L0C full, L1 and L0A/L0B double-buffered, 512
// output tiles dealt round-robin to 24 blocks, so block 0 does 22) and a
// SwiGLU over [tokens, 1024] f32 on the vector cores in 8-row tiles.
//
// The arithmetic behind the GEMM row (docs/npu-cost-model.md): block 0
// runs 22 x 64 = 1408 K steps.
// - M: 8 x 4 x 16 = 512 fractal multiplies of one cycle per step:
//   1408 x 512 / 1.59 GHz = 453.394 us (the chip's bf16 peak for block 0's
//   share of the FLOPs, hence roofline compute 453.394 us).
// - MTE2: 48 KiB per step over 1600 / 24 GB/s, plus 2 bursts of 32 cycles:
//   1408 x (0.73728 + 0.04025) us = 1094.764 us, the bound.
// - MTE1: 48 KiB per step over 400 GB/s: 1408 x 0.12288 = 173.015 us.
// - FIX: 22 tiles of max(128 KiB / 200 GB/s, 64 KiB / 66.7 GB/s) + a
//   burst: 22 x (0.98304 + 0.02013) = 22.070 us.
// The SwiGLU row: 4096 tokens are 512 tiles of 8 rows over 48 vector
// cores, 11 for each core of block 0; per tile MTE2 loads 2 x 32 KiB over
// 1600 / 48 GB/s, V runs 7 f32 instructions (6 + the bf16 cast) of 128
// repeats, MTE3 stores 16 KiB. Loads and stores each get a core's share of
// GM, so together they may exceed it: est/roof below 1 shows that.
// With stock GM bandwidth the plan is bound by its loads (85 FLOPs per
// byte per core against 195 the chip needs); with gm-bw=6000 by the cube,
// 3.4% above its arithmetic: FixPipe drains L0C after every tile.

// CHECK: plan @plan on ascend-910b, tokens = 4096: block 0 of each kernel timed; FLOPs and GM bytes are block 0's times the grid
// CHECK-NEXT: kernel 'gemm': grid = 24, subblocks = 2, tiles = #moe_npu.gemm_tiling<bm = 128, bn = 256, bk = 64>
// CHECK-NEXT:   cube memory: L1 98304 B (18.8%), L0A 32768 B (50.0%), L0B 65536 B (100.0%), L0C 131072 B (100.0%)
// CHECK-NEXT:   roofline: compute 453.394 us, GM 1059.717 us
// CHECK-NEXT: kernel 'swiglu': grid = 24, subblocks = 2, tiles = #moe_npu.vector_tiling<rows = 8, cols = 1024>
// CHECK-NEXT:   vector memory: UB 163840 B (83.3%)
// CHECK-NEXT:   roofline: compute 0.000 us, GM 27.034 us
// CHECK-NEXT: kernel    MTE2 us    MTE1 us       M us       V us     FIX us    MTE3 us       S us  estimate us bound            GFLOP      GM MB  roofline us est/roof
// CHECK-NEXT: gemm     1094.764    173.015    453.394      0.000     22.070      0.000      0.000     1096.213 MTE2 (AIC)     141.734   1695.547     1059.717     1.03
// CHECK-NEXT: swiglu     22.070      0.000      0.000      6.199      0.000      5.628      0.000       23.145 MTE2 (AIV)       0.000     43.254       27.034     0.86
// CHECK-NEXT: total                                                                                   1119.357                141.734   1738.801     1086.751     1.03

// FAST: gemm {{.*}} 453.394 {{.*}} M (AIC)

// The report goes to the file; the IR is unchanged.
// IR: moe_npu.kernel "gemm"

// CPU: error: --moe-plan-report: 'moe.target' is 'cpu-host', a cpu target; planning needs kind "npu"
// TOKENS: error: --moe-plan-report: cost model of @plan: the token count must be positive, got 0

!gm_a = memref<4096x4096xbf16, #moe_npu.space<gm>>
!l1_a = memref<2x128x64xbf16, #moe_npu.space<l1>>
!l1_b = memref<2x64x256xbf16, #moe_npu.space<l1>>
!l0_a = memref<2x128x64xbf16, #moe_npu.space<l0a>>
!l0_b = memref<2x64x256xbf16, #moe_npu.space<l0b>>
!l0_c = memref<1x128x256xf32, #moe_npu.space<l0c>>

!gm_g = memref<?x1024xf32, #moe_npu.space<gm>>
!gm_h = memref<?x1024xbf16, #moe_npu.space<gm>>
!ub_g = memref<2x8x1024xf32, #moe_npu.space<ub>>
!ub_h = memref<2x8x1024xbf16, #moe_npu.space<ub>>

func.func @plan(%A: !gm_a, %B: !gm_a, %C: !gm_a, %G: !gm_g, %U: !gm_g, %H: !gm_h) {
  moe_npu.kernel "gemm" grid = 24 subblocks = 2 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %c24 = arith.constant 24 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %c512 = arith.constant 512 : index
    %l1a = moe_npu.alloc "l1_a" offset = 0 : !l1_a
    %l1b = moe_npu.alloc "l1_b" offset = 32768 : !l1_b
    %l0a = moe_npu.alloc "l0a" offset = 0 : !l0_a
    %l0b = moe_npu.alloc "l0b" offset = 0 : !l0_b
    %l0c = moe_npu.alloc "l0c" offset = 0 : !l0_c
    moe_npu.set_flag <mte1> -> <mte2> [%c0]
    moe_npu.set_flag <mte1> -> <mte2> [%c1]
    moe_npu.set_flag <m> -> <mte1> [%c0]
    moe_npu.set_flag <m> -> <mte1> [%c1]
    moe_npu.set_flag <fix> -> <m> [%c0]
    scf.for %tile = %block to %c512 step %c24 {
      %tm = arith.divui %tile, %c16 : index
      %tn = arith.remui %tile, %c16 : index
      %row = arith.muli %tm, %c128 : index
      %col = arith.muli %tn, %c256 : index
      moe_npu.wait_flag <fix> -> <m> [%c0]
      scf.for %kk = %c0 to %c64 step %c1 {
        %s = arith.remui %kk, %c2 : index
        %k = arith.muli %kk, %c64 : index
        %first = arith.cmpi eq, %kk, %c0 : index
        moe_npu.wait_flag <mte1> -> <mte2> [%s]
        moe_npu.load %A[%row, %k] -> %l1a[%s] rows %c128 : !gm_a, !l1_a
        moe_npu.load %B[%k, %col] -> %l1b[%s] rows %c64 : !gm_a, !l1_b
        moe_npu.set_flag <mte2> -> <mte1> [%s]
        moe_npu.wait_flag <mte2> -> <mte1> [%s]
        moe_npu.wait_flag <m> -> <mte1> [%s]
        moe_npu.copy %l1a[%s] -> %l0a[%s] : !l1_a, !l0_a
        moe_npu.copy %l1b[%s] -> %l0b[%s] : !l1_b, !l0_b
        moe_npu.set_flag <mte1> -> <mte2> [%s]
        moe_npu.set_flag <mte1> -> <m> [%s]
        moe_npu.wait_flag <mte1> -> <m> [%s]
        moe_npu.mmad %l0a[%s], %l0b[%s] -> %l0c[%c0] init %first : !l0_a, !l0_b, !l0_c
        moe_npu.set_flag <m> -> <mte1> [%s]
      }
      moe_npu.set_flag <m> -> <fix> [%c0]
      moe_npu.wait_flag <m> -> <fix> [%c0]
      moe_npu.fixpipe %l0c[%c0] -> %C[%row, %col] rows %c128 : !l0_c, !gm_a
      moe_npu.set_flag <fix> -> <m> [%c0]
    }
    moe_npu.wait_flag <mte1> -> <mte2> [%c0]
    moe_npu.wait_flag <mte1> -> <mte2> [%c1]
    moe_npu.wait_flag <m> -> <mte1> [%c0]
    moe_npu.wait_flag <m> -> <mte1> [%c1]
    moe_npu.wait_flag <fix> -> <m> [%c0]
  } {moe_npu.tiling = #moe_npu.gemm_tiling<bm = 128, bn = 256, bk = 64>}
  moe_npu.kernel "swiglu" grid = 24 subblocks = 2 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c8 = arith.constant 8 : index
    %c48 = arith.constant 48 : index
    %tokens = memref.dim %G, %c0 : !gm_g
    %first = arith.muli %block, %c2 : index
    %core = arith.addi %first, %sub : index
    %tiles = arith.ceildivui %tokens, %c8 : index
    %g = moe_npu.alloc "ub_g" offset = 0 : !ub_g
    %u = moe_npu.alloc "ub_u" offset = 65536 : !ub_g
    %h = moe_npu.alloc "ub_h" offset = 131072 : !ub_h
    moe_npu.set_flag <v> -> <mte2> [%c0]
    moe_npu.set_flag <v> -> <mte2> [%c1]
    moe_npu.set_flag <mte3> -> <v> [%c0]
    moe_npu.set_flag <mte3> -> <v> [%c1]
    scf.for %t = %core to %tiles step %c48 {
      %done = arith.subi %t, %core : index
      %i = arith.divui %done, %c48 : index
      %s = arith.remui %i, %c2 : index
      %row = arith.muli %t, %c8 : index
      %left = arith.subi %tokens, %row : index
      %rows = arith.minui %left, %c8 : index
      moe_npu.wait_flag <v> -> <mte2> [%s]
      moe_npu.load %G[%row, %c0] -> %g[%s] rows %rows : !gm_g, !ub_g
      moe_npu.load %U[%row, %c0] -> %u[%s] rows %rows : !gm_g, !ub_g
      moe_npu.set_flag <mte2> -> <v> [%s]
      moe_npu.wait_flag <mte2> -> <v> [%s]
      moe_npu.wait_flag <mte3> -> <v> [%s]
      moe_npu.vswiglu %g[%s], %u[%s] -> %h[%s] : !ub_g, !ub_g, !ub_h
      moe_npu.set_flag <v> -> <mte2> [%s]
      moe_npu.set_flag <v> -> <mte3> [%s]
      moe_npu.wait_flag <v> -> <mte3> [%s]
      moe_npu.store %h[%s] -> %H[%row, %c0] rows %rows : !ub_h, !gm_h
      moe_npu.set_flag <mte3> -> <v> [%s]
    }
    moe_npu.wait_flag <v> -> <mte2> [%c0]
    moe_npu.wait_flag <v> -> <mte2> [%c1]
    moe_npu.wait_flag <mte3> -> <v> [%c0]
    moe_npu.wait_flag <mte3> -> <v> [%c1]
  } {moe_npu.tiling = #moe_npu.vector_tiling<rows = 8, cols = 1024>}
  return
}
