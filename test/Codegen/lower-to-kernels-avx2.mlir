// On a 256-bit target, moe.combine takes 8 lanes from the target, and a
// tiling pinned for 512-bit vectors or AVX512_BF16 is refused: the code
// would fault with an illegal instruction.
// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-cpu-lower-to-kernels="target=cpu-host:vector-bits=256,registers=16,l2=512K,avx2=true,fma=true,avx512f=false" | FileCheck %s

// CHECK-LABEL: func.func @combine(
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c8
// CHECK: vector.load %{{.*}} : memref<?x64xf32>, vector<8xf32>
// CHECK-NOT: moe.combine
func.func @combine(%ys: tensor<?x64xf32>, %perm: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x64xf32> {
  %y = moe.combine %ys, %perm, %w : tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @wide_tiling(%x: tensor<?x64xf32>, %w: tensor<4x64x64xf32>, %off: tensor<5xi32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'moe.cpu_tiling' needs 512-bit vectors, which target}}
  %y = moe.grouped_matmul %x, %w, %off {moe.cpu_tiling = {bf16_dot = false, kc = 1024 : i64, lanes = 16 : i64, mr = 6 : i64, mt = 48 : i64, nv = 4 : i64}} : tensor<?x64xf32>, tensor<4x64x64xf32>, tensor<5xi32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @dot_without_bf16(%x: tensor<?x64xbf16>, %w: tensor<4x64x32xbf16>, %off: tensor<5xi32>) -> tensor<?x32xbf16> {
  // expected-error @+1 {{'moe.cpu_tiling' needs 256-bit vectors and AVX512_BF16}}
  %y = moe.grouped_matmul %x, %w, %off {moe.cpu_tiling = {bf16_dot = true, kc = 1024 : i64, lanes = 8 : i64, mr = 6 : i64, mt = 48 : i64, nv = 2 : i64}} : tensor<?x64xbf16>, tensor<4x64x32xbf16>, tensor<5xi32> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

func.func @not_a_dictionary(%x: tensor<?x64xf32>, %w: tensor<4x64x32xf32>, %off: tensor<5xi32>) -> tensor<?x32xf32> {
  // expected-error @+1 {{'moe.cpu_tiling' must be a dictionary, got "6x4"}}
  %y = moe.grouped_matmul %x, %w, %off {moe.cpu_tiling = "6x4"} : tensor<?x64xf32>, tensor<4x64x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
