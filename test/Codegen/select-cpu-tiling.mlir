// Every target is spelled out, so the sizes do not depend on the machine.
// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-cpu-select-tiling="target=cpu-host:vector-bits=512,registers=32,l1d=48K,l2=1M,avx512f=true,avx512bf16=true" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-cpu-select-tiling="target=cpu-host:vector-bits=256,registers=16,l1d=32K,l2=512K,avx2=true,fma=true,avx512f=false" | FileCheck %s --check-prefixes=CHECK,AVX2

// Bad targets fail before any op is looked at.
// RUN: not moe-opt %s --split-input-file --moe-cpu-select-tiling="target=cpu-host:foo=1" 2>&1 | FileCheck %s --check-prefix=BADKEY
// RUN: not moe-opt %s --split-input-file --moe-cpu-select-tiling="target=cpu-host:l2=12X" 2>&1 | FileCheck %s --check-prefix=BADVALUE
// RUN: not moe-opt %s --split-input-file --moe-cpu-select-tiling="target=cpu-host:vector-bits=512,avx512f=false" 2>&1 | FileCheck %s --check-prefix=CONTRADICTION
// RUN: not moe-opt %s --split-input-file --moe-cpu-select-tiling="target=cpu-guest" 2>&1 | FileCheck %s --check-prefix=BADTARGET
// BADKEY: error: cpu-host: unknown key 'foo'; valid keys: vector-bits, registers, l1d, l2, l3, cores, fma, avx2, avx512f, avx512bf16
// BADVALUE: error: cpu-host: bad value '12X' for 'l2'; valid values: a positive byte count with an optional K, M or G suffix
// CONTRADICTION: error: cpu-host: vector-bits=512 needs avx512f=true
// BADTARGET: error: unknown CPU target 'cpu-guest'; valid targets: cpu-host

// Gate and up read the same rows with the same groups, so the kernel computes
// both in one pass (W = 2): half the columns per weight, and two panels share
// half of L2. AVX-512, gate/up (K = 1024): kc = K, as a quarter of L2 holds
// the two 32-column panels (256 bytes per k) and half of L1d 6 rows of K;
// the panels (128K each) leave 256K for 4K rows: mt = 60. With AVX2, half of its
// 32K L1d holds 6 rows of 682 k, so kc = 672 (a multiple of 16); two
// 8-column panel blocks of 21K leave 214K for rows of 2688 bytes: mt = 78.
// The down projection is a plain GEMM (W = 1) with K = 256 = kc.
// CHECK-LABEL: func.func @swiglu_ffn
// AVX512: moe.grouped_matmul %arg0, %arg1, %arg3 {moe.cpu_tiling = {bf16_dot = false, kc = 1024 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 60 : i64, nv = 2 : i64}}
// AVX512: moe.grouped_matmul %arg0, %arg2, %arg3 {moe.cpu_tiling = {bf16_dot = false, kc = 1024 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 60 : i64, nv = 2 : i64}}
// AVX512: moe.grouped_matmul %{{.*}}, %arg4, %arg3 {moe.cpu_tiling = {bf16_dot = false, kc = 256 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 96 : i64, nv = 4 : i64}}
// AVX2: moe.grouped_matmul %arg0, %arg1, %arg3 {moe.cpu_tiling = {bf16_dot = false, kc = 672 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 78 : i64, nv = 1 : i64}}
// AVX2: moe.grouped_matmul %arg0, %arg2, %arg3 {moe.cpu_tiling = {bf16_dot = false, kc = 672 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 78 : i64, nv = 1 : i64}}
// AVX2: moe.grouped_matmul %{{.*}}, %arg4, %arg3 {moe.cpu_tiling = {bf16_dot = false, kc = 256 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 96 : i64, nv = 2 : i64}}
func.func @swiglu_ffn(%xs: tensor<?x1024xf32>, %w_gate: tensor<4x1024x256xf32>,
                      %w_up: tensor<4x1024x256xf32>, %offsets: tensor<5xi32>,
                      %w_down: tensor<4x256x1024xf32>) -> tensor<?x1024xf32> {
  %g = moe.grouped_matmul %xs, %w_gate, %offsets
      : tensor<?x1024xf32>, tensor<4x1024x256xf32>, tensor<5xi32> -> tensor<?x256xf32>
  %u = moe.grouped_matmul %xs, %w_up, %offsets
      : tensor<?x1024xf32>, tensor<4x1024x256xf32>, tensor<5xi32> -> tensor<?x256xf32>
  %h = moe.swiglu %g, %u : tensor<?x256xf32>, tensor<?x256xf32> -> tensor<?x256xf32>
  %y = moe.grouped_matmul %h, %w_down, %offsets
      : tensor<?x256xf32>, tensor<4x256x1024xf32>, tensor<5xi32> -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

// -----

// Not fusable: different groups, a second use, or one fused gate_up weight.
// CHECK-LABEL: func.func @not_fused
// AVX512-COUNT-4: moe.cpu_tiling = {bf16_dot = false, kc = 64 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 96 : i64, nv = 4 : i64}
// AVX2-COUNT-4: moe.cpu_tiling = {bf16_dot = false, kc = 64 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 96 : i64, nv = 2 : i64}
func.func @not_fused(%xs: tensor<?x64xf32>, %w: tensor<4x64x128xf32>,
                     %w_gate_up: tensor<4x64x256xf32>, %offsets: tensor<5xi32>,
                     %other: tensor<5xi32>)
    -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>) {
  %g = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  %u = moe.grouped_matmul %xs, %w, %other
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  %h = moe.swiglu %g, %u : tensor<?x128xf32>, tensor<?x128xf32> -> tensor<?x128xf32>
  %gu = moe.grouped_matmul %xs, %w_gate_up, %offsets
      : tensor<?x64xf32>, tensor<4x64x256xf32>, tensor<5xi32> -> tensor<?x256xf32>
  %f = moe.swiglu %gu : tensor<?x256xf32> -> tensor<?x128xf32>
  %twice = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  %s = moe.swiglu %twice, %twice : tensor<?x128xf32>, tensor<?x128xf32> -> tensor<?x128xf32>
  return %h, %f, %s : tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>
}

// -----

// bf16 weights use vdpbf16ps only with 512-bit AVX512_BF16. Half the bytes
// per element: a 128K panel (AVX-512) leaves room for more than 96 rows.
// CHECK-LABEL: func.func @bf16
// AVX512: moe.cpu_tiling = {bf16_dot = true, kc = 1024 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 96 : i64, nv = 4 : i64}
// AVX2: moe.cpu_tiling = {bf16_dot = false, kc = 1024 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 96 : i64, nv = 2 : i64}
func.func @bf16(%xs: tensor<?x1024xbf16>, %w: tensor<4x1024x256xbf16>,
                %offsets: tensor<5xi32>) -> tensor<?x256xbf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x1024xbf16>, tensor<4x1024x256xbf16>, tensor<5xi32> -> tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}

// -----

// linalg.matmul on tensors and on buffers, transposed B included (K and N
// come from the loops, not from B's shape). N = 48 is a multiple of 16 but
// not of 32: one vector per row at 512 bits, two at 256.
// CHECK-LABEL: func.func @linalg_matmul
// AVX512-COUNT-3: moe.cpu_tiling = {bf16_dot = false, kc = 64 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 96 : i64, nv = 1 : i64}
// AVX2-COUNT-3: moe.cpu_tiling = {bf16_dot = false, kc = 64 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 96 : i64, nv = 2 : i64}
// Dynamic N: no tiling.
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<?x64xf32>, memref<64x?xf32>) outs(%{{.*}} : memref<?x?xf32>)
// CHECK-NOT: moe.cpu_tiling
// CHECK: return
func.func @linalg_matmul(%a: tensor<?x64xf32>, %b: tensor<64x48xf32>,
                         %c: tensor<?x48xf32>, %ma: memref<?x64xf32>,
                         %mb: memref<64x48xf32>, %mbt: memref<48x64xf32>,
                         %mc: memref<?x48xf32>, %mbd: memref<64x?xf32>,
                         %mcd: memref<?x?xf32>) -> tensor<?x48xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x48xf32>)
                     outs(%c : tensor<?x48xf32>) -> tensor<?x48xf32>
  linalg.matmul ins(%ma, %mb : memref<?x64xf32>, memref<64x48xf32>)
                outs(%mc : memref<?x48xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
                ins(%ma, %mbt : memref<?x64xf32>, memref<48x64xf32>)
                outs(%mc : memref<?x48xf32>)
  linalg.matmul ins(%ma, %mbd : memref<?x64xf32>, memref<64x?xf32>)
                outs(%mcd : memref<?x?xf32>)
  return %r : tensor<?x48xf32>
}

// -----

// A tiling pinned in the IR is kept, whatever the target would choose.
// CHECK-LABEL: func.func @pinned
// CHECK: moe.grouped_matmul %arg0, %arg1, %arg2 {moe.cpu_tiling = {bf16_dot = false, kc = 1024 : i64, lanes = 4 : i64, mr = 3 : i64, mt = 9 : i64, nv = 1 : i64}}
func.func @pinned(%xs: tensor<?x64xf32>, %w: tensor<4x64x128xf32>,
                  %offsets: tensor<5xi32>) -> tensor<?x128xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 4, mr = 3, nv = 1, mt = 9, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// A pinned tiling the kernels cannot use is an error, not silently replaced.
func.func @pinned_bad_mt(%xs: tensor<?x64xf32>, %w: tensor<4x64x128xf32>,
                         %offsets: tensor<5xi32>) -> tensor<?x128xf32> {
  // expected-error @+1 {{moe.cpu_tiling: 'mt' must be a positive multiple of mr (6), got 50}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 6, nv = 4, mt = 50, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

func.func @pinned_missing_key(%a: memref<8x64xf32>, %b: memref<64x48xf32>,
                              %c: memref<8x48xf32>) {
  // expected-error @+1 {{moe.cpu_tiling: missing key 'bf16_dot'}}
  linalg.matmul {moe.cpu_tiling = {lanes = 16, mr = 6, nv = 4, mt = 48, kc = 64}}
      ins(%a, %b : memref<8x64xf32>, memref<64x48xf32>)
      outs(%c : memref<8x48xf32>)
  return
}

// -----

func.func @pinned_not_a_dictionary(%a: memref<8x64xf32>, %b: memref<64x48xf32>,
                                   %c: memref<8x48xf32>) {
  // expected-error @+1 {{moe.cpu_tiling: expected a dictionary, got "6x4"}}
  linalg.matmul {moe.cpu_tiling = "6x4"}
      ins(%a, %b : memref<8x64xf32>, memref<64x48xf32>)
      outs(%c : memref<8x48xf32>)
  return
}

// -----

// A module that carries a CPU moe.target is tiled for it, whatever the
// pass's target option says: here the AVX2 machine of the RUN lines above,
// given as an attribute, under the AVX-512 RUN line too (AVX2 tiles:
// 8 lanes, nv = 2 for the 128-column down projection).
// CHECK-LABEL: func.func @from_module_target
// CHECK: moe.cpu_tiling = {bf16_dot = false, kc = 256 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 96 : i64, nv = 2 : i64}
module attributes {moe.target = #moe.target<name = "cpu-host", kind = "cpu", cube_cores = 0, vector_cores = 4, vector_width = 32, vector_block = 32, vector_registers = 16, features = ["fma", "avx2"], matrix = [], memory = [#moe.memory<"L1d", capacity = 32768, align = 64>, #moe.memory<"L2", capacity = 524288, align = 64>, #moe.memory<"L3", capacity = 8388608, align = 64>], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {
  func.func @from_module_target(%h: tensor<?x256xf32>, %w: tensor<4x256x128xf32>,
                                %offsets: tensor<5xi32>) -> tensor<?x128xf32> {
    %y = moe.grouped_matmul %h, %w, %offsets
        : tensor<?x256xf32>, tensor<4x256x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
    return %y : tensor<?x128xf32>
  }
}

// -----

// An accelerator target cannot tile the CPU kernels.
// expected-error @below {{'moe.target' is 'ascend-lite', a npu target; the CPU kernels need kind "cpu"}}
module attributes {moe.target = #moe.target<name = "ascend-lite", kind = "npu", cube_cores = 0, vector_cores = 1, vector_width = 256, vector_block = 32, matrix = [], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {
  func.func @npu(%h: tensor<?x256xf32>, %w: tensor<4x256x128xf32>,
                 %offsets: tensor<5xi32>) -> tensor<?x128xf32> {
    %y = moe.grouped_matmul %h, %w, %offsets
        : tensor<?x256xf32>, tensor<4x256x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
    return %y : tensor<?x128xf32>
  }
}
