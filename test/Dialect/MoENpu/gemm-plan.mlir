// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt --mlir-print-op-generic %s | moe-opt | FileCheck %s

// A plain GEMM C[M, N] = A[M, K] x B[K, N] planned by hand: 64x64 output
// tiles dealt to the blocks, K in steps of 32, L1 and L0A/L0B double
// buffered, with the usual ping-pong flags.

!gm_a = memref<128x64xf32, #moe_npu.space<gm>>
!gm_b = memref<64x128xf32, #moe_npu.space<gm>>
!gm_c = memref<128x128xf32, #moe_npu.space<gm>>

// CHECK-LABEL: func.func @gemm
// CHECK: moe_npu.kernel "gemm" grid = 2 subblocks = 2 cube {
// CHECK: moe_npu.alloc "l1_a" offset = 0 : memref<2x64x32xf32, #moe_npu.space<l1>>
// CHECK: moe_npu.set_flag <mte1> -> <mte2>[%{{.*}}]
// CHECK: moe_npu.load %{{.*}}[%{{.*}}, %{{.*}}] -> %{{.*}}[%{{.*}}] rows %{{.*}} : memref<128x64xf32, #moe_npu.space<gm>>, memref<2x64x32xf32, #moe_npu.space<l1>>
// CHECK: moe_npu.copy
// CHECK: moe_npu.mmad %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] -> %{{.*}}[%{{.*}}] init %{{.*}}
// CHECK: moe_npu.fixpipe
func.func @gemm(%A: !gm_a, %B: !gm_b, %C: !gm_c) {
  moe_npu.kernel "gemm" grid = 2 subblocks = 2 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %c4 = arith.constant 4 : index
    %l1a = moe_npu.alloc "l1_a" offset = 0 : memref<2x64x32xf32, #moe_npu.space<l1>>
    %l1b = moe_npu.alloc "l1_b" offset = 16384 : memref<2x32x64xf32, #moe_npu.space<l1>>
    %l0a = moe_npu.alloc "l0a" offset = 0 : memref<2x64x32xf32, #moe_npu.space<l0a>>
    %l0b = moe_npu.alloc "l0b" offset = 0 : memref<2x32x64xf32, #moe_npu.space<l0b>>
    %l0c = moe_npu.alloc "l0c" offset = 0 : memref<1x64x64xf32, #moe_npu.space<l0c>>
    moe_npu.set_flag <mte1> -> <mte2> [%c0]
    moe_npu.set_flag <mte1> -> <mte2> [%c1]
    moe_npu.set_flag <m> -> <mte1> [%c0]
    moe_npu.set_flag <m> -> <mte1> [%c1]
    moe_npu.set_flag <fix> -> <m> [%c0]
    scf.for %tile = %block to %c4 step %c2 {
      %tm = arith.divui %tile, %c2 : index
      %tn = arith.remui %tile, %c2 : index
      %row = arith.muli %tm, %c64 : index
      %col = arith.muli %tn, %c64 : index
      moe_npu.wait_flag <fix> -> <m> [%c0]
      scf.for %kk = %c0 to %c2 step %c1 {
        %k = arith.muli %kk, %c32 : index
        %first = arith.cmpi eq, %kk, %c0 : index
        moe_npu.wait_flag <mte1> -> <mte2> [%kk]
        moe_npu.load %A[%row, %k] -> %l1a[%kk] rows %c64 : !gm_a, memref<2x64x32xf32, #moe_npu.space<l1>>
        moe_npu.load %B[%k, %col] -> %l1b[%kk] rows %c32 : !gm_b, memref<2x32x64xf32, #moe_npu.space<l1>>
        moe_npu.set_flag <mte2> -> <mte1> [%kk]
        moe_npu.wait_flag <mte2> -> <mte1> [%kk]
        moe_npu.wait_flag <m> -> <mte1> [%kk]
        moe_npu.copy %l1a[%kk] -> %l0a[%kk] : memref<2x64x32xf32, #moe_npu.space<l1>>, memref<2x64x32xf32, #moe_npu.space<l0a>>
        moe_npu.copy %l1b[%kk] -> %l0b[%kk] : memref<2x32x64xf32, #moe_npu.space<l1>>, memref<2x32x64xf32, #moe_npu.space<l0b>>
        moe_npu.set_flag <mte1> -> <mte2> [%kk]
        moe_npu.set_flag <mte1> -> <m> [%kk]
        moe_npu.wait_flag <mte1> -> <m> [%kk]
        moe_npu.mmad %l0a[%kk], %l0b[%kk] -> %l0c[%c0] init %first : memref<2x64x32xf32, #moe_npu.space<l0a>>, memref<2x32x64xf32, #moe_npu.space<l0b>>, memref<1x64x64xf32, #moe_npu.space<l0c>>
        moe_npu.set_flag <m> -> <mte1> [%kk]
      }
      moe_npu.set_flag <m> -> <fix> [%c0]
      moe_npu.wait_flag <m> -> <fix> [%c0]
      moe_npu.fixpipe %l0c[%c0] -> %C[%row, %col] rows %c64 : memref<1x64x64xf32, #moe_npu.space<l0c>>, !gm_c
      moe_npu.set_flag <fix> -> <m> [%c0]
    }
    moe_npu.wait_flag <mte1> -> <mte2> [%c0]
    moe_npu.wait_flag <mte1> -> <mte2> [%c1]
    moe_npu.wait_flag <m> -> <mte1> [%c0]
    moe_npu.wait_flag <m> -> <mte1> [%c1]
    moe_npu.wait_flag <fix> -> <m> [%c0]
  }
  return
}
