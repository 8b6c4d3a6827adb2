// RUN: moe-opt %s --moe-npu-drop-sync | FileCheck %s --check-prefix=FIRST
// RUN: moe-opt %s --moe-npu-drop-sync=index=2 | FileCheck %s --check-prefix=THIRD
// RUN: not moe-opt %s --moe-npu-drop-sync=index=3 2>&1 | FileCheck %s --check-prefix=RANGE

// A mixed kernel with two flag waits (cube) and one cross-core wait
// (vector): the pass erases the index-th wait in text order and nothing
// else.

!gm = memref<64x64xf32, #moe_npu.space<gm>>
func.func @plan(%a: !gm, %c: !gm) {
  moe_npu.kernel "k" grid = 1 subblocks = 1 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    moe_npu.set_flag <mte2> -> <mte1> [%c0]
    moe_npu.wait_flag <mte2> -> <mte1> [%c0]
    moe_npu.set_flag <m> -> <fix> [%c0]
    moe_npu.wait_flag <m> -> <fix> [%c0]
    moe_npu.sync_block_set <fix> [%c0]
  } vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    moe_npu.sync_block_wait <mte2> [%c0]
  }
  return
}

// FIRST: moe_npu.set_flag <mte2> -> <mte1>
// FIRST-NEXT: moe_npu.set_flag <m> -> <fix>
// FIRST-NEXT: moe_npu.wait_flag <m> -> <fix>
// FIRST: moe_npu.sync_block_wait <mte2>

// THIRD: moe_npu.wait_flag <mte2> -> <mte1>
// THIRD: moe_npu.wait_flag <m> -> <fix>
// THIRD: moe_npu.sync_block_set <fix>
// THIRD-NOT: moe_npu.sync_block_wait

// RANGE: error: --moe-npu-drop-sync: cannot drop wait 3, the module has 3 moe_npu.wait_flag/sync_block_wait op(s) (index counts from 0)
