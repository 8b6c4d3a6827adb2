// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-set-target="target=ascend-910b:ub=96K,clock-ghz=1.8" | FileCheck %s
// RUN: moe-opt %s --split-input-file --moe-set-target="target=cpu-host:vector-bits=256,avx2=true,fma=true,avx512f=false,l1d=32K,l2=512K,l3=8M,cores=4" | FileCheck %s --check-prefix=CPU
// RUN: moe-opt %s --split-input-file --moe-target=ascend-910c | FileCheck %s --check-prefix=C910
// RUN: not moe-opt %s --split-input-file --moe-set-target="target=ascend-910b:ub=12X" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not moe-opt %s --moe-target=ascend-9 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// A target file: the target on its first line, one override per line after.
// RUN: echo "ascend-910b:clock-ghz=1.7  # a slower part" > %t.chip
// RUN: echo "" >> %t.chip
// RUN: echo "ub=64K" >> %t.chip
// RUN: moe-opt %s --moe-target=@%t.chip | FileCheck %s --check-prefix=FILE
// RUN: not moe-opt %s --moe-target=@%t.missing 2>&1 | FileCheck %s --check-prefix=NOFILE

// The registry entry, with its overrides applied, becomes the module's
// moe.target (replacing one it had); the module's ops are untouched.
// CHECK: module attributes {moe.target = #moe.target<name = "ascend-910b", kind = "npu", clock_ghz = 1.8, cube_cores = 24, vector_cores = 48, vector_width = 256, vector_block = 32,
// CHECK-SAME: #moe.matrix<bf16, m0 = 16, k0 = 16, n0 = 16, macs = 4096>
// CHECK-SAME: #moe.memory<"GM", capacity = 68719476736, align = 512, bandwidth = 1.6e+03>
// CHECK-SAME: #moe.memory<"L0C", capacity = 131072, align = 512, bandwidth = 2.0e+02>
// CHECK-SAME: #moe.memory<"UB", capacity = 98304, align = 32>
// CHECK-SAME: #moe.copy<"L0C" -> "GM" on "FIX">
// CHECK-SAME: pipes = ["S", "V", "M", "MTE1", "MTE2", "MTE3", "FIX"], event_ids = 8, cross_core_event_ids = 11>
// CHECK: func.func @f

// CPU: moe.target = #moe.target<name = "cpu-host", kind = "cpu", cube_cores = 0, vector_cores = 4, vector_width = 32, vector_block = 32, vector_registers = 16, features = ["fma", "avx2"], matrix = [], memory = [#moe.memory<"L1d", capacity = 32768, align = 64>, #moe.memory<"L2", capacity = 524288, align = 64>, #moe.memory<"L3", capacity = 8388608, align = 64>], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>

// C910: #moe.target<name = "ascend-910c", kind = "npu", clock_ghz = 1.91,

// FILE: #moe.target<name = "ascend-910b", kind = "npu", clock_ghz = 1.7,
// FILE-SAME: #moe.memory<"UB", capacity = 65536, align = 32>
// NOFILE: moe-opt: error: --moe-target: cannot read target file '{{.*}}.missing':

// BAD: error: ascend-910b: bad value '12X' for 'ub'; valid values: a positive byte count with an optional K, M or G suffix
// UNKNOWN: moe-opt: error: --moe-target: unknown target 'ascend-9'; valid targets: cpu-host, ascend-910b, ascend-910c
module attributes {moe.target = #moe.target<name = "old", kind = "cpu", cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 64, matrix = [], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {
  func.func @f() {
    return
  }
}
