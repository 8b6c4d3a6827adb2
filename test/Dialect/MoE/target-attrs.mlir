// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s --mlir-print-op-generic | moe-opt | FileCheck %s

// A target description written inline round-trips, in custom and generic
// form; defaulted parameters (align 1, bandwidth 0.0) are not printed.
// CHECK: module attributes {moe.target = #moe.target<name = "tiny", kind = "npu", clock_ghz = 1.5, cube_cores = 2, vector_cores = 4, vector_width = 256, vector_block = 32,
// CHECK-SAME: matrix = [#moe.matrix<f16, m0 = 16, k0 = 16, n0 = 16, macs = 4096>, #moe.matrix<i8, m0 = 16, k0 = 32, n0 = 16, macs = 8192>]
// CHECK-SAME: memory = [#moe.memory<"GM", capacity = 0, align = 512, bandwidth = 1.6e+03>, #moe.memory<"L1", capacity = 524288, align = 32>, #moe.memory<"UB", capacity = 196608, align = 32>, #moe.memory<"SCRATCH", capacity = 64>]
// CHECK-SAME: copies = [#moe.copy<"GM" -> "L1" on "MTE2">, #moe.copy<"GM" -> "UB" on "MTE2">, #moe.copy<"UB" -> "GM" on "MTE3">]
// CHECK-SAME: pipes = ["MTE2", "MTE3", "V"], event_ids = 8, cross_core_event_ids = 11>
module attributes {moe.target = #moe.target<
    name = "tiny", kind = "npu", clock_ghz = 1.5, cube_cores = 2,
    vector_cores = 4, vector_width = 256, vector_block = 32,
    matrix = [#moe.matrix<f16, m0 = 16, k0 = 16, n0 = 16, macs = 4096>,
              #moe.matrix<i8, m0 = 16, k0 = 32, n0 = 16, macs = 8192>],
    memory = [#moe.memory<"GM", capacity = 0, align = 512, bandwidth = 1600.0>,
              #moe.memory<"L1", capacity = 524288, align = 32>,
              #moe.memory<"UB", capacity = 196608, align = 32, bandwidth = 0.0>,
              #moe.memory<"SCRATCH", capacity = 64, align = 1>],
    copies = [#moe.copy<"GM" -> "L1" on "MTE2">,
              #moe.copy<"GM" -> "UB" on "MTE2">,
              #moe.copy<"UB" -> "GM" on "MTE3">],
    pipes = ["MTE2", "MTE3", "V"], event_ids = 8, cross_core_event_ids = 11>} {
}
