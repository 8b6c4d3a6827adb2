// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-target=ascend-910b --moe-npu-verify-plan
// RUN: not moe-opt %s --split-input-file --moe-target=cpu-host --moe-npu-verify-plan 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not moe-opt %s --split-input-file --moe-npu-verify-plan 2>&1 | FileCheck %s --check-prefix=NONE

// One plan error per case, each against ascend-910b (UB 192K with 32-byte
// alignment, L1 512K with 32, L0A/L0B 64K and L0C 128K with 512, 16x16x16
// bf16 fractals, 8 event ids, 11 cross-core ids, 24 cube and 48 vector
// cores). Cases that need another target are in
// verify-plan-invalid-target.mlir.

// CPU: error: --moe-npu-verify-plan: 'moe.target' is 'cpu-host', a cpu target; planning needs kind "npu"
// NONE: error: --moe-npu-verify-plan: planning needs an NPU target: the module has no 'moe.target' #moe.target

// The buffers of a region add up past the memory; all slots count.
func.func @ub_overflow() {
  // expected-error @+1 {{'UB' overflows by 12288 bytes (208896 of 196608) in kernel 'swiglu' (vector core): ub_g 2x16x1024xf32 = 131072, ub_h 2x16x1024xbf16 = 65536, ub_w 1x12x256xf32 = 12288; tiling #moe_npu.vector_tiling<rows = 16, cols = 1024>}}
  moe_npu.kernel "swiglu" grid = 24 subblocks = 2 vector {
  ^bb0(%block: index, %sub: index):
    %g = moe_npu.alloc "ub_g" offset = 0 : memref<2x16x1024xf32, #moe_npu.space<ub>>
    %h = moe_npu.alloc "ub_h" offset = 131072 : memref<2x16x1024xbf16, #moe_npu.space<ub>>
    %w = moe_npu.alloc "ub_w" offset = 196608 : memref<1x12x256xf32, #moe_npu.space<ub>>
  } {moe_npu.tiling = #moe_npu.vector_tiling<rows = 16, cols = 1024>}
  return
}

// -----

// The buffers fit in total, but one is placed past the end.
func.func @past_the_end() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    // expected-error @+1 {{'ub_a' [192512, 200704) ends past the 196608 bytes of 'UB' in kernel 'k' (vector core)}}
    %a = moe_npu.alloc "ub_a" offset = 192512 : memref<1x8x256xf32, #moe_npu.space<ub>>
  }
  return
}

// -----

func.func @misaligned_offset() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    // expected-error @+1 {{offset 16 of 'l1_a' in L1 is not a multiple of the 32-byte alignment of target 'ascend-910b'}}
    %a = moe_npu.alloc "l1_a" offset = 16 : memref<2x64x64xbf16, #moe_npu.space<l1>>
  }
  return
}

// -----

func.func @misaligned_slot() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    // expected-error @+1 {{a slot of 'ub_x' (3x5xf16) is 30 bytes, not a multiple of the 32-byte alignment of UB in target 'ascend-910b'}}
    %x = moe_npu.alloc "ub_x" offset = 0 : memref<2x3x5xf16, #moe_npu.space<ub>>
  }
  return
}

// -----

func.func @overlap() {
  moe_npu.kernel "gemm" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    // expected-note @+1 {{'l1_a' is allocated here}}
    %a = moe_npu.alloc "l1_a" offset = 0 : memref<2x128x64xbf16, #moe_npu.space<l1>>
    // expected-error @+1 {{'l1_b' [16384, 81920) overlaps 'l1_a' [0, 32768) in L1 of kernel 'gemm' (cube core)}}
    %b = moe_npu.alloc "l1_b" offset = 16384 : memref<2x64x256xbf16, #moe_npu.space<l1>>
  }
  return
}

// -----

// A and C have 24 rows: not a multiple of m0 = 16.
func.func @fractal_mmad() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %true = arith.constant true
    // expected-error @+1 {{L0A tile 'l0a' 24x64 (an A operand of bf16) is not a multiple of the 16x16 fractal (m0 x k0) of target 'ascend-910b'}}
    %a = moe_npu.alloc "l0a" offset = 0 : memref<1x24x64xbf16, #moe_npu.space<l0a>>
    %b = moe_npu.alloc "l0b" offset = 0 : memref<1x64x32xbf16, #moe_npu.space<l0b>>
    // expected-error @+1 {{L0C tile 'l0c' 24x32 (an accumulator of bf16) is not a multiple of the 16x16 fractal (m0 x n0) of target 'ascend-910b'}}
    %c = moe_npu.alloc "l0c" offset = 0 : memref<1x24x32xf32, #moe_npu.space<l0c>>
    moe_npu.mmad %a[%c0], %b[%c0] -> %c[%c0] init %true : memref<1x24x64xbf16, #moe_npu.space<l0a>>, memref<1x64x32xbf16, #moe_npu.space<l0b>>, memref<1x24x32xf32, #moe_npu.space<l0c>>
  }
  return
}

// -----

// B has 24 columns: not a multiple of n0 = 16.
func.func @fractal_b() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    // expected-error @+1 {{L0B tile 'l0b' 64x24 (a B operand of bf16) is not a multiple of the 16x16 fractal (k0 x n0) of target 'ascend-910b'}}
    %b = moe_npu.alloc "l0b" offset = 0 : memref<1x64x24xbf16, #moe_npu.space<l0b>>
  }
  return
}

// -----

// An L1 tile of f32 is 16 rows x 8 columns (32 bytes) per fractal.
func.func @fractal_l1() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    // expected-error @+1 {{L1 tile 'l1_a' 16x12 (an L1 tile of f32) is not a multiple of the 16x8 fractal (16 rows x 32 bytes) of target 'ascend-910b'}}
    %a = moe_npu.alloc "l1_a" offset = 0 : memref<2x16x12xf32, #moe_npu.space<l1>>
  }
  return
}

// -----

func.func @event_id_constant() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    %c8 = arith.constant 8 : index
    // expected-error @+1 {{the event id of moe_npu.set_flag ranges over [8, 8], beyond the 8 event ids (0..7) of target 'ascend-910b'}}
    moe_npu.set_flag <mte2> -> <mte1> [%c8]
    // expected-error @+1 {{the event id of moe_npu.wait_flag ranges over [8, 8], beyond the 8 event ids (0..7) of target 'ascend-910b'}}
    moe_npu.wait_flag <mte2> -> <mte1> [%c8]
  }
  return
}

// -----

// A ping-pong id is bounded by the loop and its modulus; an id per loop
// iteration is bounded by the loop alone.
func.func @event_id_loop() {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c10 = arith.constant 10 : index
    scf.for %i = %c0 to %c10 step %c1 {
      %slot = arith.remui %i, %c2 : index
      %next = arith.addi %slot, %c1 : index
      moe_npu.set_flag <mte2> -> <mte1> [%next]
      moe_npu.wait_flag <mte2> -> <mte1> [%next]
      // expected-error @+1 {{the event id of moe_npu.set_flag ranges over [0, 9], beyond the 8 event ids (0..7) of target 'ascend-910b'}}
      moe_npu.set_flag <m> -> <fix> [%i]
      // expected-error @+1 {{the event id of moe_npu.wait_flag ranges over [0, 9], beyond the 8 event ids (0..7) of target 'ascend-910b'}}
      moe_npu.wait_flag <m> -> <fix> [%i]
    }
  }
  return
}

// -----

// An id read from memory has no bound.
func.func @event_id_unbounded(%ids: memref<4xi32, #moe_npu.space<gm>>) {
  moe_npu.kernel "k" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %e = moe_npu.load_scalar %ids[%c0] : memref<4xi32, #moe_npu.space<gm>>
    // expected-error @+1 {{cannot bound the event id of moe_npu.set_flag (its upper end is unknown); target 'ascend-910b' has 8 event ids (0..7)}}
    moe_npu.set_flag <mte2> -> <v> [%e]
  }
  return
}

// -----

// Cross-core flags use their own budget; the block id ranges over the grid.
func.func @cross_core_flag() {
  moe_npu.kernel "k" grid = 12 subblocks = 2 cube {
  ^bb0(%block: index):
    %c10 = arith.constant 10 : index
    moe_npu.sync_block_set <fix> [%c10]
    // expected-error @+1 {{the cross-core flag id of moe_npu.sync_block_set ranges over [0, 11], beyond the 11 cross-core event ids (0..10) of target 'ascend-910b'}}
    moe_npu.sync_block_set <fix> [%block]
  } vector {
  ^bb0(%block: index, %sub: index):
    %c3 = arith.constant 3 : index
    %id = arith.addi %sub, %c3 : index
    moe_npu.sync_block_wait <mte2> [%id]
  }
  return
}

// -----

func.func @grid() {
  // expected-error @+1 {{kernel 'k' has grid = 32 but target 'ascend-910b' has 24 cube cores}}
  moe_npu.kernel "k" grid = 32 subblocks = 2 vector {
  ^bb0(%block: index, %sub: index):
  }
  return
}

// -----

func.func @subblocks() {
  // expected-error @+1 {{kernel 'k' has subblocks = 4 but target 'ascend-910b' has 2 vector cores per cube core (48 / 24)}}
  moe_npu.kernel "k" grid = 24 subblocks = 4 vector {
  ^bb0(%block: index, %sub: index):
  }
  return
}
