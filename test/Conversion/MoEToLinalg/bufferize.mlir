// The output of --moe-lower-to-linalg must go through the upstream
// bufferization and LLVM lowering chain that the project pipeline runs after
// it: no moe, tensor or linalg op may survive, and no runtime helper beyond
// malloc/free may be called (memrefCopy from the MLIR runner utils would be
// needed for copies between strided buffers).
// RUN: moe-opt %s --moe-decompose-layer --moe-lower-to-linalg --canonicalize --cse \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:     --buffer-results-to-out-params --convert-linalg-to-loops \
// RUN:     --buffer-deallocation-pipeline --expand-strided-metadata --lower-affine \
// RUN:     --convert-scf-to-cf --convert-math-to-llvm --llvm-request-c-wrappers \
// RUN:     --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | FileCheck %s --implicit-check-not=moe. --implicit-check-not=tensor. \
// RUN:     --implicit-check-not=linalg. --implicit-check-not=memref. \
// RUN:     --implicit-check-not=scf. --implicit-check-not=memrefCopy

// One-shot bufferization itself must not copy a weight argument or any slice
// of it: no copy from a function argument, no buffer shaped like a weight
// or an expert's matrix. (It does copy the rows each grouped GEMM writes onto
// themselves, insert_slice into the matching extract_slice; the CSE in the
// deallocation pipeline folds those away, which the memrefCopy check above
// confirms.)
// RUN: moe-opt %s --moe-decompose-layer --moe-lower-to-linalg --canonicalize --cse \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN: | FileCheck %s --check-prefix=BUF

// CHECK-DAG:   llvm.func @malloc
// CHECK-DAG:   llvm.func @free
// CHECK-DAG:   llvm.func @_mlir_ciface_routed_bf16
// CHECK-DAG:   llvm.func @_mlir_ciface_shared_groups_f32
// CHECK-DAG:   llvm.func @_mlir_ciface_hash_f16
// CHECK-DAG:   llvm.func @_mlir_ciface_dispatch_block
// CHECK-DAG:   llvm.func @_mlir_ciface_dispatch_capacity_swiglu_fused

// BUF-LABEL:   func.func @routed_bf16(
// BUF-NOT:     memref.copy %arg
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}16x8xbf16>
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}8x16xbf16>
// BUF-NOT:     memref.alloc{{.*}} : memref<16x4xf32>
// BUF-LABEL:   func.func @shared_groups_f32(
// BUF-NOT:     memref.copy %arg
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}16x4xf32>
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}4x16xf32>
// BUF-NOT:     memref.alloc{{.*}} : memref<16x6xf32>
// BUF-NOT:     memref.alloc{{.*}} : memref<6x16xf32>
// BUF-LABEL:   func.func @hash_f16(
// BUF-NOT:     memref.copy %arg
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}16x8xf16>
// BUF-NOT:     memref.alloc{{.*}} : memref<100x2xi32>
// BUF-LABEL:   func.func @dispatch_block(
// BUF-NOT:     memref.copy %arg
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}16x8xf32>
// BUF-LABEL:   func.func @dispatch_capacity_swiglu_fused(
// BUF-NOT:     memref.copy %arg
// BUF-NOT:     memref.alloc{{.*}} : memref<{{[0-9x]*}}16x8xbf16>
// BUF:         return

func.func @routed_bf16(%x: tensor<?x16xbf16>, %rw: tensor<16x4xf32>,
                       %wg: tensor<4x16x8xbf16>, %wu: tensor<4x16x8xbf16>,
                       %wd: tensor<4x8x16xbf16>) -> tensor<?x16xbf16> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x16xbf16>, tensor<16x4xf32>, tensor<4x16x8xbf16>,
         tensor<4x16x8xbf16>, tensor<4x8x16xbf16>) -> tensor<?x16xbf16>
  return %y : tensor<?x16xbf16>
}

func.func @shared_groups_f32(%x: tensor<?x16xf32>, %rw: tensor<16x8xf32>,
                             %wg: tensor<8x16x4xf32>, %wu: tensor<8x16x4xf32>,
                             %wd: tensor<8x4x16xf32>, %sg: tensor<16x6xf32>,
                             %su: tensor<16x6xf32>, %sd: tensor<6x16xf32>,
                             %b: tensor<8xf32>) -> tensor<?x16xf32> {
  %y = moe.layer %x router %rw bias %b experts %wg, %wu, %wd
      shared %sg, %su, %sd
      routing <k = 2, scoring = sigmoid, n_group = 4, topk_group = 2,
               norm_topk_prob = true, routed_scaling_factor = 2.5>
      swiglu_limit = 10.0
      : (tensor<?x16xf32>, tensor<16x8xf32>, tensor<8x16x4xf32>,
         tensor<8x16x4xf32>, tensor<8x4x16xf32>, tensor<16x6xf32>,
         tensor<16x6xf32>, tensor<6x16xf32>, tensor<8xf32>)
      -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

func.func @hash_f16(%x: tensor<?x16xf16>, %rw: tensor<16x4xf32>,
                    %tokens: tensor<?xi64>, %table: tensor<100x2xi32>,
                    %wg: tensor<4x16x8xf16>, %wu: tensor<4x16x8xf16>,
                    %wd: tensor<4x8x16xf16>) -> tensor<?x16xf16> {
  %y = moe.layer %x router %rw hash(%tokens, %table) experts %wg, %wu, %wd
      routing <k = 2, scoring = sqrtsoftplus, norm_topk_prob = true,
               routed_scaling_factor = 1.5>
      : (tensor<?x16xf16>, tensor<16x4xf32>, tensor<4x16x8xf16>,
         tensor<4x16x8xf16>, tensor<4x8x16xf16>, tensor<?xi64>,
         tensor<100x2xi32>) -> tensor<?x16xf16>
  return %y : tensor<?x16xf16>
}

// The op-level forms a layer never produces: block padding, i64 results.
func.func @dispatch_block(%x: tensor<?x16xf32>, %ids: tensor<?x2xi64>,
                          %w: tensor<4x16x8xf32>, %p: tensor<?x2xf32>)
    -> tensor<?x8xf32> {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 block = 4
      : tensor<?x16xf32>, tensor<?x2xi64>
      -> tensor<?x16xf32>, tensor<?xi64>, tensor<5xi64>
  %y = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x16xf32>, tensor<4x16x8xf32>, tensor<5xi64> -> tensor<?x8xf32>
  %out = moe.combine %y, %perm, %p
      : tensor<?x8xf32>, tensor<?xi64>, tensor<?x2xf32> -> tensor<?x8xf32>
  return %out : tensor<?x8xf32>
}

func.func @dispatch_capacity_swiglu_fused(%x: tensor<?x16xbf16>,
                                          %ids: tensor<?x2xi32>,
                                          %w: tensor<4x16x8xbf16>)
    -> tensor<12x4xbf16> {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4 capacity = 3
      : tensor<?x16xbf16>, tensor<?x2xi32>
      -> tensor<12x16xbf16>, tensor<12xi32>, tensor<5xi32>
  %gu = moe.grouped_matmul %xs, %w, %offsets
      : tensor<12x16xbf16>, tensor<4x16x8xbf16>, tensor<5xi32>
      -> tensor<12x8xbf16>
  %h = moe.swiglu %gu limit = 7.0 : tensor<12x8xbf16> -> tensor<12x4xbf16>
  return %h : tensor<12x4xbf16>
}
