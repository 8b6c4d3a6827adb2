// RUN: moe-opt %s --moe-target=ascend-910b --moe-npu-verify-plan | FileCheck %s

// The same plan on a chip with smaller buffers: each memory that no longer
// holds the kernel's buffers is named with the exact excess.
// RUN: not moe-opt %s --moe-target=ascend-910b:ub=96K --moe-npu-verify-plan 2>&1 | FileCheck %s --check-prefix=UB96
// RUN: not moe-opt %s --moe-target=ascend-910b:l0c=64K,l1=64K --moe-npu-verify-plan 2>&1 | FileCheck %s --check-prefix=SMALLCUBE
// RUN: not moe-opt %s --moe-target=ascend-910b:cube-cores=20,vector-cores=20 --moe-npu-verify-plan 2>&1 | FileCheck %s --check-prefix=CORES

// A bf16 GEMM with 128x256x64 tiles on the cube (L0B and L0C exactly full,
// ping-pong event ids computed as k mod 2), a SwiGLU on the vector cores,
// and a mixed kernel handing tiles from the cube to the vector cores
// through a GM workspace with cross-core flags.

// CHECK-LABEL: func.func @gemm
// CHECK: moe_npu.kernel "gemm" grid = 24 subblocks = 2 cube
// CHECK-LABEL: func.func @swiglu
// CHECK-LABEL: func.func @handoff
// CHECK-LABEL: func.func @ids

// UB96: error: 'UB' overflows by 65536 bytes (163840 of 98304) in kernel 'swiglu' (vector core): ub_g 2x8x1024xf32 = 65536, ub_u 2x8x1024xf32 = 65536, ub_h 2x8x1024xbf16 = 32768; tiling #moe_npu.vector_tiling<rows = 8, cols = 1024>
// UB96-NOT: error

// SMALLCUBE-DAG: error: 'L1' overflows by 32768 bytes (98304 of 65536) in kernel 'gemm' (cube core): l1_a 2x128x64xbf16 = 32768, l1_b 2x64x256xbf16 = 65536; tiling #moe_npu.gemm_tiling<bm = 128, bn = 256, bk = 64>
// SMALLCUBE-DAG: error: 'L0C' overflows by 65536 bytes (131072 of 65536) in kernel 'gemm' (cube core): l0c 1x128x256xf32 = 131072; tiling #moe_npu.gemm_tiling<bm = 128, bn = 256, bk = 64>
// SMALLCUBE-NOT: error

// CORES-DAG: error: kernel 'gemm' has grid = 24 but target 'ascend-910b' has 20 cube cores
// CORES-DAG: error: kernel 'gemm' has subblocks = 2 but target 'ascend-910b' has 1 vector cores per cube core (20 / 20)

!gm_a = memref<4096x4096xbf16, #moe_npu.space<gm>>
!l1_a = memref<2x128x64xbf16, #moe_npu.space<l1>>
!l1_b = memref<2x64x256xbf16, #moe_npu.space<l1>>
!l0_a = memref<2x128x64xbf16, #moe_npu.space<l0a>>
!l0_b = memref<2x64x256xbf16, #moe_npu.space<l0b>>
!l0_c = memref<1x128x256xf32, #moe_npu.space<l0c>>

func.func @gemm(%A: !gm_a, %B: !gm_a, %C: !gm_a) {
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
  return
}

!gm_g = memref<?x1024xf32, #moe_npu.space<gm>>
!gm_h = memref<?x1024xbf16, #moe_npu.space<gm>>
!ub_g = memref<2x8x1024xf32, #moe_npu.space<ub>>
!ub_h = memref<2x8x1024xbf16, #moe_npu.space<ub>>

func.func @swiglu(%G: !gm_g, %U: !gm_g, %H: !gm_h) {
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

!gm_x = memref<1536x64xbf16, #moe_npu.space<gm>>
!gm_w = memref<64x64xbf16, #moe_npu.space<gm>>
!gm_y = memref<1536x64xf32, #moe_npu.space<gm>>
!gm_ws = memref<24x64x64xf32, #moe_npu.space<gm>>

func.func @handoff(%X: !gm_x, %W: !gm_w, %Y: !gm_y) {
  %ws = moe_npu.workspace "tiles" : !gm_ws
  moe_npu.kernel "handoff" grid = 24 subblocks = 2 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %row = arith.muli %block, %c64 : index
    %l1a = moe_npu.alloc "l1_a" offset = 0 : memref<1x64x64xbf16, #moe_npu.space<l1>>
    %l1b = moe_npu.alloc "l1_b" offset = 8192 : memref<1x64x64xbf16, #moe_npu.space<l1>>
    %l0a = moe_npu.alloc "l0a" offset = 0 : memref<1x64x64xbf16, #moe_npu.space<l0a>>
    %l0b = moe_npu.alloc "l0b" offset = 0 : memref<1x64x64xbf16, #moe_npu.space<l0b>>
    %l0c = moe_npu.alloc "l0c" offset = 0 : memref<1x64x64xf32, #moe_npu.space<l0c>>
    moe_npu.load %X[%row, %c0] -> %l1a[%c0] rows %c64 : !gm_x, memref<1x64x64xbf16, #moe_npu.space<l1>>
    moe_npu.load %W[%c0, %c0] -> %l1b[%c0] rows %c64 : !gm_w, memref<1x64x64xbf16, #moe_npu.space<l1>>
    moe_npu.set_flag <mte2> -> <mte1> [%c0]
    moe_npu.wait_flag <mte2> -> <mte1> [%c0]
    moe_npu.copy %l1a[%c0] -> %l0a[%c0] : memref<1x64x64xbf16, #moe_npu.space<l1>>, memref<1x64x64xbf16, #moe_npu.space<l0a>>
    moe_npu.copy %l1b[%c0] -> %l0b[%c0] : memref<1x64x64xbf16, #moe_npu.space<l1>>, memref<1x64x64xbf16, #moe_npu.space<l0b>>
    moe_npu.set_flag <mte1> -> <m> [%c0]
    moe_npu.wait_flag <mte1> -> <m> [%c0]
    moe_npu.mmad %l0a[%c0], %l0b[%c0] -> %l0c[%c0] init %true : memref<1x64x64xbf16, #moe_npu.space<l0a>>, memref<1x64x64xbf16, #moe_npu.space<l0b>>, memref<1x64x64xf32, #moe_npu.space<l0c>>
    moe_npu.set_flag <m> -> <fix> [%c0]
    moe_npu.wait_flag <m> -> <fix> [%c0]
    moe_npu.fixpipe %l0c[%c0] -> %ws[%block, %c0, %c0] rows %c64 : memref<1x64x64xf32, #moe_npu.space<l0c>>, !gm_ws
    moe_npu.sync_block_set <fix> [%c3]
  } vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %y = moe_npu.alloc "ub_y" offset = 0 : memref<1x32x64xf32, #moe_npu.space<ub>>
    %r = arith.muli %sub, %c32 : index
    %base = arith.muli %block, %c64 : index
    %row = arith.addi %base, %r : index
    moe_npu.sync_block_wait <mte2> [%c3]
    moe_npu.load %ws[%block, %r, %c0] -> %y[%c0] rows %c32 : !gm_ws, memref<1x32x64xf32, #moe_npu.space<ub>>
    moe_npu.set_flag <mte2> -> <mte3> [%c0]
    moe_npu.wait_flag <mte2> -> <mte3> [%c0]
    moe_npu.store %y[%c0] -> %Y[%row, %c0] rows %c32 : memref<1x32x64xf32, #moe_npu.space<ub>>, !gm_y
  }
  return
}

// Ids the interval rules alone would reject: i - i is 0 for every i (the
// value-bounds analysis sees the correlation), and a block id stays below
// the grid.
func.func @ids() {
  moe_npu.kernel "ids" grid = 4 subblocks = 2 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c100 = arith.constant 100 : index
    scf.for %i = %c0 to %c100 step %c1 {
      %zero = arith.subi %i, %i : index
      moe_npu.set_flag <mte2> -> <mte1> [%zero]
      moe_npu.wait_flag <mte2> -> <mte1> [%zero]
    }
    moe_npu.set_flag <m> -> <fix> [%block]
    moe_npu.wait_flag <m> -> <fix> [%block]
  }
  return
}
