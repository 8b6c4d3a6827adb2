// Every op pins its tiling in the IR and the target is spelled out, so the
// kernels do not depend on the machine.
// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-cpu-lower-to-kernels="target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" | FileCheck %s
// RUN: not moe-opt %s --split-input-file --moe-cpu-lower-to-kernels="target=cpu-guest" 2>&1 | FileCheck %s --check-prefix=BADTARGET
// BADTARGET: error: unknown CPU target 'cpu-guest'; valid targets: cpu-host

// Gate and up over the rows of a plain dispatch: one kernel computes both
// (two packed weights, two accumulator sets) and applies the SwiGLU in its
// epilogue; the gather is folded into the loads, so the kernel reads x and
// perm (row i reads token perm[i] / k, k = 2) instead of the gathered rows.
// 32 columns per panel (16 lanes x nv = 2): weights [4, 64, 32] pack to
// [4, 1, 64, 32], each through the one pack function for that type.
// CHECK-LABEL: func.func @fused_ffn(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x64xf32>, %{{.*}}: tensor<?x2xi32>, %[[WG:[a-z0-9]+]]: tensor<4x64x32xf32>, %[[WU:[a-z0-9]+]]: tensor<4x64x32xf32>)
// CHECK: %[[XS:.+]], %[[PERM:.+]], %[[OFF:.+]] = moe.dispatch
// CHECK-NOT: moe.grouped_matmul
// CHECK-DAG: %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<?x64xf32> to memref<?x64xf32>
// CHECK-DAG: %[[PB:.+]] = bufferization.to_buffer %[[PERM]] read_only : tensor<?xi32> to memref<?xi32>
// CHECK-DAG: %[[OB:.+]] = bufferization.to_buffer %[[OFF]] read_only : tensor<5xi32> to memref<5xi32>
// CHECK-DAG: %[[GP:.+]] = call @[[PACK:__moe_pack_4x64x32xf32_nr32]](%[[WG]]) : (tensor<4x64x32xf32>) -> tensor<4x1x64x32xf32>
// CHECK-DAG: %[[UP:.+]] = call @[[PACK]](%[[WU]]) : (tensor<4x64x32xf32>) -> tensor<4x1x64x32xf32>
// CHECK-DAG: %[[GB:.+]] = bufferization.to_buffer %[[GP]] read_only : tensor<4x1x64x32xf32> to memref<4x1x64x32xf32>
// CHECK-DAG: %[[UB:.+]] = bufferization.to_buffer %[[UP]] read_only : tensor<4x1x64x32xf32> to memref<4x1x64x32xf32>
// CHECK-NOT: bufferization.to_buffer %[[XS]]
// CHECK: %[[OUT:.+]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32xf32>
// CHECK: scf.parallel
// CHECK: memref.load %[[PB]][%{{.*}}] : memref<?xi32>
// CHECK: arith.divsi %{{.*}}, %c2{{.*}} : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64
// CHECK-DAG: vector.load %[[GB]]{{.*}} : memref<4x1x64x32xf32>, vector<16xf32>
// CHECK-DAG: vector.load %[[UB]]{{.*}} : memref<4x1x64x32xf32>, vector<16xf32>
// CHECK-DAG: memref.load %[[XB]]{{.*}} : memref<?x64xf32>
// CHECK: vector.fma
// CHECK: scf.yield
// The SwiGLU epilogue: silu(g) * u.
// CHECK: arith.negf
// CHECK-NEXT: math.exp %{{.*}} : vector<16xf32>
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.divf
// CHECK-NEXT: arith.mulf
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK: scf.reduce
// CHECK: %[[RES:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<?x32xf32> to tensor<?x32xf32>
// CHECK-NOT: moe.swiglu
// CHECK: return %[[RES]]
// CHECK: func.func private @[[PACK]](%{{.*}}: tensor<4x64x32xf32>) -> tensor<4x1x64x32xf32> attributes {llvm.linkage = #llvm.linkage<internal>, moe.weight_pack}
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<4x64x32xf32>, vector<32xf32>
// CHECK: vector.store %{{.*}} : memref<4x1x64x32xf32>, vector<32xf32>
// CHECK-NOT: func.func private @__moe_pack
func.func @fused_ffn(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>,
                     %wg: tensor<4x64x32xf32>, %wu: tensor<4x64x32xf32>)
    -> tensor<?x32xf32> {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x64xf32>, tensor<?x2xi32>
      -> tensor<?x64xf32>, tensor<?xi32>, tensor<5xi32>
  %g = moe.grouped_matmul %xs, %wg, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 2, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %u = moe.grouped_matmul %xs, %wu, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 2, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %h = moe.swiglu %g, %u : tensor<?x32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// A blocked dispatch pads its groups with zero rows: the gather is not
// folded, the kernel reads the gathered rows themselves. The register tile
// of mr = 2 rows holds 2 rows x 1 vector x 2 weights = 4 accumulators.
// CHECK-LABEL: func.func @fused_ffn_blocked_dispatch(
// CHECK: %[[XS:.+]], %[[PERM:.+]], %[[OFF:.+]] = moe.dispatch
// CHECK: %[[XB:.+]] = bufferization.to_buffer %[[XS]] read_only : tensor<?x64xf32> to memref<?x64xf32>
// CHECK-NOT: bufferization.to_buffer %[[PERM]]
// CHECK: call @__moe_pack_4x64x32xf32_nr16(
// CHECK: call @__moe_pack_4x64x32xf32_nr16(
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-2: math.exp %{{.*}} : vector<16xf32>
// CHECK-NOT: moe.swiglu
// CHECK: return
func.func @fused_ffn_blocked_dispatch(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>,
                                      %wg: tensor<4x64x32xf32>,
                                      %wu: tensor<4x64x32xf32>)
    -> tensor<?x32xf32> {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 block = 4
      : tensor<?x64xf32>, tensor<?x2xi32>
      -> tensor<?x64xf32>, tensor<?xi32>, tensor<5xi32>
  %g = moe.grouped_matmul %xs, %wg, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %u = moe.grouped_matmul %xs, %wu, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %h = moe.swiglu %g, %u : tensor<?x32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// A plain grouped GEMM (the down projection): one weight, no epilogue. Rows
// between and after the groups are zeroed; the work items (expert, panel,
// block of mt rows) run as one scf.parallel.
// CHECK-LABEL: func.func @grouped(
// CHECK-SAME: %[[XS:[a-z0-9]+]]: tensor<?x32xf32>, %[[W:[a-z0-9]+]]: tensor<4x32x64xf32>, %[[OFF:[a-z0-9]+]]: tensor<5xi32>)
// CHECK-DAG: %[[XB:.+]] = bufferization.to_buffer %[[XS]] read_only
// CHECK-DAG: %[[OB:.+]] = bufferization.to_buffer %[[OFF]] read_only
// CHECK-DAG: %[[P:.+]] = call @[[PACK:__moe_pack_4x32x64xf32_nr64]](%[[W]]) : (tensor<4x32x64xf32>) -> tensor<4x1x32x64xf32>
// CHECK-DAG: %[[PB:.+]] = bufferization.to_buffer %[[P]] read_only : tensor<4x1x32x64xf32> to memref<4x1x32x64xf32>
// CHECK: %[[OUT:.+]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x64xf32>
// CHECK: memref.load %[[OB]]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<?x64xf32, strided<[64, 1], offset: ?>>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<?x64xf32, strided<[64, 1], offset: ?>>)
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %[[PB]]
// CHECK: memref.load %[[XB]]
// CHECK-COUNT-8: vector.fma
// CHECK-NOT: math.exp
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK: %[[RES:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: moe.grouped_matmul
// CHECK: return %[[RES]]
// CHECK: func.func private @[[PACK]](%{{.*}}: tensor<4x32x64xf32>) -> tensor<4x1x32x64xf32> attributes {llvm.linkage = #llvm.linkage<internal>, moe.weight_pack}
func.func @grouped(%xs: tensor<?x32xf32>, %w: tensor<4x32x64xf32>,
                   %offsets: tensor<5xi32>) -> tensor<?x64xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 4, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x32xf32>, tensor<4x32x64xf32>, tensor<5xi32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// linalg.matmul into a zero fill (the router, shared experts) is one group
// of a dense [K, N] weight, packed as E = 1. Into any other init the
// product is accumulated, which the kernel does not do: left alone.
// CHECK-LABEL: func.func @dense(
// CHECK-SAME: %[[A:[a-z0-9]+]]: tensor<?x64xf32>, %[[B:[a-z0-9]+]]: tensor<64x32xf32>)
// CHECK: %[[C1:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[ONE:.+]] = linalg.fill ins(%[[C1]] : f32)
// CHECK: %[[AB:.+]] = bufferization.to_buffer %[[A]] read_only : tensor<?x64xf32> to memref<?x64xf32>
// CHECK: %[[P:.+]] = call @[[PACK:__moe_pack_64x32xf32_nr16]](%[[B]]) : (tensor<64x32xf32>) -> tensor<1x2x64x16xf32>
// CHECK: %[[OUT:.+]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32xf32>
// CHECK: scf.parallel
// CHECK: vector.fma
// CHECK: %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: %[[R1:.+]] = linalg.matmul {moe.cpu_tiling = {{.*}}} ins(%[[A]], %[[B]] : tensor<?x64xf32>, tensor<64x32xf32>) outs(%[[ONE]] : tensor<?x32xf32>)
// CHECK: return %[[R]], %[[R1]]
// CHECK: func.func private @[[PACK]](%{{.*}}: tensor<64x32xf32>) -> tensor<1x2x64x16xf32> attributes {llvm.linkage = #llvm.linkage<internal>, moe.weight_pack}
func.func @dense(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %a, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x32xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %o = linalg.fill ins(%one : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %r = linalg.matmul
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>)
      outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
  %r1 = linalg.matmul
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>)
      outs(%o : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r, %r1 : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// Combine: per token, a vector of the target's width at a time, the k slots
// summed in order through the inverse permutation.
// CHECK-LABEL: func.func @combine(
// CHECK-SAME: %[[YS:[a-z0-9]+]]: tensor<?x64xf32>, %[[PERM:[a-z0-9]+]]: tensor<?xi32>, %[[W:[a-z0-9]+]]: tensor<?x2xf32>)
// CHECK-DAG: %[[YB:.+]] = bufferization.to_buffer %[[YS]] read_only
// CHECK-DAG: %[[PB:.+]] = bufferization.to_buffer %[[PERM]] read_only
// CHECK-DAG: %[[WB:.+]] = bufferization.to_buffer %[[W]] read_only
// CHECK: %[[OUT:.+]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x64xf32>
// CHECK: %[[INV:.+]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: memref.load %[[PB]]
// CHECK: memref.store %{{.*}}, %[[INV]]
// CHECK: scf.parallel (%[[T:.+]]) =
// CHECK: scf.for %[[COL:.+]] = %{{.*}} to %c64{{.*}} step %c16
// CHECK: memref.load %[[INV]]
// CHECK: scf.if
// CHECK: memref.load %[[WB]][%[[T]], %{{.*}}] : memref<?x2xf32>
// CHECK: vector.load %[[YB]][%{{.*}}, %[[COL]]] : memref<?x64xf32>, vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[OUT]][%[[T]], %[[COL]]] : memref<?x64xf32>, vector<16xf32>
// CHECK-NOT: moe.combine
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
func.func @combine(%ys: tensor<?x64xf32>, %perm: tensor<?xi32>,
                   %w: tensor<?x2xf32>) -> tensor<?x64xf32> {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Shapes the tiling does not divide are left for --moe-lower-to-linalg: N =
// 24 is not a multiple of a 16-column panel; H = 40 not a multiple of the
// combine's 16 lanes; an op without moe.cpu_tiling is not touched either.
// No pack function is made.
// CHECK-LABEL: func.func @not_divisible(
// CHECK-NOT: bufferization.to_buffer
// CHECK: moe.grouped_matmul %{{.*}} {moe.cpu_tiling = {bf16_dot = false, kc = 1024 : i64, lanes = 16 : i64, mr = 2 : i64, mt = 4 : i64, nv = 1 : i64}}
// CHECK: moe.grouped_matmul %{{.*}} :
// CHECK: moe.combine
// CHECK-NOT: call
// CHECK: return
// CHECK-NOT: __moe_pack
func.func @not_divisible(%xs: tensor<?x64xf32>, %w: tensor<4x64x24xf32>,
                         %w2: tensor<4x64x32xf32>, %offsets: tensor<5xi32>,
                         %ys: tensor<?x40xf32>, %perm: tensor<?xi32>,
                         %rw: tensor<?x2xf32>)
    -> (tensor<?x24xf32>, tensor<?x32xf32>, tensor<?x40xf32>) {
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x24xf32>, tensor<5xi32> -> tensor<?x24xf32>
  %y2 = moe.grouped_matmul %xs, %w2, %offsets
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %c = moe.combine %ys, %perm, %rw
      : tensor<?x40xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x40xf32>
  return %y, %y2, %c : tensor<?x24xf32>, tensor<?x32xf32>, tensor<?x40xf32>
}

// -----

// bf16 with AVX512_BF16 dot products: the weights are packed with k
// interleaved in pairs, [E, N/NR, K/2, 2*NR] = [4, 2, 64, 32], and each step
// of the k loop consumes two k: one 32-bit (bf16, bf16) input pair
// broadcast, one vdpbf16ps per accumulator.
// CHECK-LABEL: func.func @bf16_dot(
// CHECK-SAME: %[[XS:[a-z0-9]+]]: tensor<?x128xbf16>, %[[W:[a-z0-9]+]]: tensor<4x128x32xbf16>
// CHECK: %[[P:.+]] = call @[[PACK:__moe_pack_4x128x32xbf16_nr16_pairs]](%[[W]]) : (tensor<4x128x32xbf16>) -> tensor<4x2x64x32xbf16>
// CHECK: %[[OUT:.+]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32xbf16>
// CHECK: scf.parallel
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c128{{.*}} step %c2{{.*}} iter_args
// CHECK: vector.load %{{.*}} : memref<4x2x64x32xbf16>, vector<32xbf16>
// CHECK: vector.load %{{.*}} : memref<?x128xbf16>, vector<2xbf16>
// CHECK: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK: vector.broadcast %{{.*}} : vector<1xi32> to vector<16xi32>
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<32xbf16>
// CHECK: x86vector.avx512.dot %{{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK-NOT: moe.grouped_matmul
// CHECK: func.func private @[[PACK]](%{{.*}}: tensor<4x128x32xbf16>) -> tensor<4x2x64x32xbf16> attributes {llvm.linkage = #llvm.linkage<internal>, moe.weight_pack}
// CHECK: vector.interleave %{{.*}}, %{{.*}} : vector<16xbf16> -> vector<32xbf16>
// CHECK: vector.store %{{.*}} : memref<4x2x64x32xbf16>, vector<32xbf16>
func.func @bf16_dot(%xs: tensor<?x128xbf16>, %w: tensor<4x128x32xbf16>,
                    %offsets: tensor<5xi32>) -> tensor<?x32xbf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = true}}
      : tensor<?x128xbf16>, tensor<4x128x32xbf16>, tensor<5xi32> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// The same bf16 op without dot products: plain panels, bf16 extended to f32
// and multiplied with vector.fma.
// CHECK-LABEL: func.func @bf16_no_dot(
// CHECK: call @__moe_pack_4x128x32xbf16_nr16(%{{.*}}) : (tensor<4x128x32xbf16>) -> tensor<4x2x128x16xbf16>
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %c128{{.*}} step %c1{{.*}} iter_args
// CHECK: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: vector.fma
// CHECK-NOT: x86vector.avx512.dot
// CHECK: return
func.func @bf16_no_dot(%xs: tensor<?x128xbf16>, %w: tensor<4x128x32xbf16>,
                       %offsets: tensor<5xi32>) -> tensor<?x32xbf16> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x128xbf16>, tensor<4x128x32xbf16>, tensor<5xi32> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// A malformed pinned tiling is an error at the op, not silently ignored.
func.func @bad_mt(%xs: tensor<?x64xf32>, %w: tensor<4x64x32xf32>,
                  %offsets: tensor<5xi32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{invalid 'moe.cpu_tiling': moe.cpu_tiling: 'mt' must be a positive multiple of mr (6), got 50}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 6, nv = 1, mt = 50, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

func.func @bad_lanes_in_ffn(%xs: tensor<?x64xf32>, %wg: tensor<4x64x32xf32>,
                            %wu: tensor<4x64x32xf32>, %offsets: tensor<5xi32>)
    -> tensor<?x32xf32> {
  // expected-error @+1 {{invalid 'moe.cpu_tiling': moe.cpu_tiling: 'lanes' must be 4, 8 or 16, got 32}}
  %g = moe.grouped_matmul %xs, %wg, %offsets
      {moe.cpu_tiling = {lanes = 32, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %u = moe.grouped_matmul %xs, %wu, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  %h = moe.swiglu %g, %u : tensor<?x32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

func.func @missing_key(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>)
    -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  // expected-error @+1 {{invalid 'moe.cpu_tiling': moe.cpu_tiling: missing key 'bf16_dot'}}
  %r = linalg.matmul {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 64}}
      ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>)
      outs(%z : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

func.func @unknown_key(%xs: tensor<?x64xf32>, %w: tensor<4x64x32xf32>,
                       %offsets: tensor<5xi32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{invalid 'moe.cpu_tiling': moe.cpu_tiling: unknown key 'nr'; valid keys: lanes, mr, nv, mt, kc, bf16_dot}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 1, mt = 4, kc = 1024, bf16_dot = false, nr = 16}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// K = 64 in blocks of kc = 16: a scratch slot of mt x 32 f32 per worker
// (at most 64 workers share the items), a loop over the 4 blocks around the
// row tiles, partial sums loaded from the scratch after the first block and
// stored to it before the last, where the epilogue writes the output. The
// rows left after the full mr-row tiles (mr = 2: one) take a 1-row tile.
// CHECK-LABEL: func.func @k_blocked(
// CHECK: %[[TOTAL:.+]] = memref.load %{{.*}}[%c4{{.*}}] : memref<5xindex>
// CHECK: %[[WORKERS:.+]] = arith.minui %[[TOTAL]], %c64
// CHECK: %[[SCRATCH:.+]] = memref.alloc(%[[WORKERS]]) {alignment = 64 : i64} : memref<?x4x32xf32>
// CHECK: scf.parallel (%[[W:.+]]) = (%c0{{.*}}) to (%[[WORKERS]])
// CHECK: scf.for
// CHECK: scf.for %[[KB:.+]] = %c0{{.*}} to %c4
// CHECK: %[[KLO:.+]] = arith.muli %[[KB]], %c16
// CHECK: %[[FIRST:.+]] = arith.cmpi eq, %[[KB]], %c0
// CHECK: %[[LAST:.+]] = arith.cmpi eq, %[[KB]], %c3
// CHECK: scf.if %[[FIRST]] -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: } else {
// CHECK: vector.load %[[SCRATCH]][%[[W]]
// CHECK: scf.for %{{.*}} = %[[KLO]] to
// CHECK: vector.fma
// CHECK: scf.if %[[LAST]] {
// CHECK: vector.store %{{.*}}, %{{.*}} : memref<?x32xf32>, vector<16xf32>
// CHECK: } else {
// CHECK: vector.store %{{.*}}, %[[SCRATCH]][%[[W]]
func.func @k_blocked(%xs: tensor<?x64xf32>, %w: tensor<4x64x32xf32>,
                     %offsets: tensor<5xi32>) -> tensor<?x32xf32> {
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 2, mt = 4, kc = 16, bf16_dot = false}}
      : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

func.func @odd_kc_with_dot_products(%xs: tensor<?x64xbf16>, %w: tensor<4x64x32xbf16>,
                                    %offsets: tensor<5xi32>) -> tensor<?x32xbf16> {
  // expected-error @+1 {{'moe.cpu_tiling': 'kc' must be even with bf16 dot products, got 15}}
  %y = moe.grouped_matmul %xs, %w, %offsets
      {moe.cpu_tiling = {lanes = 16, mr = 2, nv = 2, mt = 4, kc = 15, bf16_dot = true}}
      : tensor<?x64xbf16>, tensor<4x64x32xbf16>, tensor<5xi32> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}
