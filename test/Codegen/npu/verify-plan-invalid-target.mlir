// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-npu-verify-plan

// Plan errors that only a chip unlike the 910B shows, each against a
// hand-written target (the registry's entries have every edge the dialect
// can express, and a matrix mode for every cube operand type).

// A chip whose vector cores cannot load from GM.
module attributes {moe.target = #moe.target<name = "no-gm-ub", kind = "npu", clock_ghz = 1.0, cube_cores = 1, vector_cores = 2, vector_width = 256, vector_block = 32, matrix = [],
    memory = [#moe.memory<"GM", capacity = 0, align = 512>, #moe.memory<"UB", capacity = 196608, align = 32>],
    copies = [#moe.copy<"UB" -> "GM" on "MTE3">],
    pipes = ["S", "V", "MTE2", "MTE3"], event_ids = 8, cross_core_event_ids = 11>} {
  func.func @missing_edge(%x: memref<64x64xf32, #moe_npu.space<gm>>) {
    moe_npu.kernel "k" grid = 1 subblocks = 2 vector {
    ^bb0(%block: index, %sub: index):
      %c0 = arith.constant 0 : index
      %c8 = arith.constant 8 : index
      %t = moe_npu.alloc "ub_x" offset = 0 : memref<1x8x64xf32, #moe_npu.space<ub>>
      // expected-error @+1 {{copy GM -> UB is not an edge of target 'no-gm-ub' (edges: UB->GM on MTE3)}}
      moe_npu.load %x[%c0, %c0] -> %t[%c0] rows %c8 : memref<64x64xf32, #moe_npu.space<gm>>, memref<1x8x64xf32, #moe_npu.space<ub>>
      moe_npu.store %t[%c0] -> %x[%c0, %c0] rows %c8 : memref<1x8x64xf32, #moe_npu.space<ub>>, memref<64x64xf32, #moe_npu.space<gm>>
    }
    return
  }
}

// -----

// A chip that stores UB to GM on MTE2, where moe_npu.store issues on MTE3.
module attributes {moe.target = #moe.target<name = "store-on-mte2", kind = "npu", clock_ghz = 1.0, cube_cores = 1, vector_cores = 2, vector_width = 256, vector_block = 32, matrix = [],
    memory = [#moe.memory<"GM", capacity = 0, align = 512>, #moe.memory<"UB", capacity = 196608, align = 32>],
    copies = [#moe.copy<"GM" -> "UB" on "MTE2">, #moe.copy<"UB" -> "GM" on "MTE2">],
    pipes = ["S", "V", "MTE2", "MTE3"], event_ids = 8, cross_core_event_ids = 11>} {
  func.func @wrong_pipe(%x: memref<64x64xf32, #moe_npu.space<gm>>) {
    moe_npu.kernel "k" grid = 1 subblocks = 2 vector {
    ^bb0(%block: index, %sub: index):
      %c0 = arith.constant 0 : index
      %c8 = arith.constant 8 : index
      %t = moe_npu.alloc "ub_x" offset = 0 : memref<1x8x64xf32, #moe_npu.space<ub>>
      // expected-error @+1 {{copy UB -> GM runs on MTE2 in target 'store-on-mte2', but moe_npu.store issues on MTE3}}
      moe_npu.store %t[%c0] -> %x[%c0, %c0] rows %c8 : memref<1x8x64xf32, #moe_npu.space<ub>>, memref<64x64xf32, #moe_npu.space<gm>>
    }
    return
  }
}

// -----

// A cube with an f16 mode only: bf16 tiles have no fractal.
module attributes {moe.target = #moe.target<name = "f16-only", kind = "npu", clock_ghz = 1.0, cube_cores = 1, vector_cores = 2, vector_width = 256, vector_block = 32,
    matrix = [#moe.matrix<f16, m0 = 16, k0 = 16, n0 = 16, macs = 4096>],
    memory = [#moe.memory<"GM", capacity = 0, align = 512>, #moe.memory<"L0A", capacity = 65536, align = 512>, #moe.memory<"L0B", capacity = 65536, align = 512>, #moe.memory<"L0C", capacity = 131072, align = 512>],
    copies = [], pipes = ["S", "M"], event_ids = 8, cross_core_event_ids = 11>} {
  func.func @no_matrix_mode() {
    moe_npu.kernel "k" grid = 1 subblocks = 2 cube {
    ^bb0(%block: index):
      %c0 = arith.constant 0 : index
      %true = arith.constant true
      // expected-error @+1 {{cube buffer 'l0a' holds bf16 operands, which have no matrix mode in target 'f16-only' (modes: f16)}}
      %a = moe_npu.alloc "l0a" offset = 0 : memref<1x16x16xbf16, #moe_npu.space<l0a>>
      // expected-error @+1 {{cube buffer 'l0b' holds bf16 operands, which have no matrix mode in target 'f16-only' (modes: f16)}}
      %b = moe_npu.alloc "l0b" offset = 0 : memref<1x16x16xbf16, #moe_npu.space<l0b>>
      // expected-error @+1 {{cube buffer 'l0c' holds bf16 operands, which have no matrix mode in target 'f16-only' (modes: f16)}}
      %c = moe_npu.alloc "l0c" offset = 0 : memref<1x16x16xf32, #moe_npu.space<l0c>>
      moe_npu.mmad %a[%c0], %b[%c0] -> %c[%c0] init %true : memref<1x16x16xbf16, #moe_npu.space<l0a>>, memref<1x16x16xbf16, #moe_npu.space<l0b>>, memref<1x16x16xf32, #moe_npu.space<l0c>>
    }
    return
  }
}

// -----

// A vector-only chip: no L1 for a cube buffer.
module attributes {moe.target = #moe.target<name = "vector-only", kind = "npu", clock_ghz = 1.0, cube_cores = 1, vector_cores = 2, vector_width = 256, vector_block = 32, matrix = [],
    memory = [#moe.memory<"GM", capacity = 0, align = 512>, #moe.memory<"UB", capacity = 196608, align = 32>],
    copies = [], pipes = ["S", "V"], event_ids = 8, cross_core_event_ids = 11>} {
  func.func @missing_memory() {
    moe_npu.kernel "k" grid = 1 subblocks = 2 cube {
    ^bb0(%block: index):
      // expected-error @+2 {{kernel 'k' (cube core) allocates in L1, but target 'vector-only' has no such memory}}
      // expected-error @+1 {{cube buffer 'l1_a' holds bf16 operands, which have no matrix mode in target 'vector-only' (modes: none)}}
      %a = moe_npu.alloc "l1_a" offset = 0 : memref<2x16x16xbf16, #moe_npu.space<l1>>
    }
    return
  }
}
