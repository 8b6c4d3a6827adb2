// The target is spelled out, so the tiling (and which kernels apply) does not
// depend on the machine.
// threads=1: the kernels' scf.parallel loops become plain loops; no OpenMP.
// RUN: moe-opt %s --moe-cpu-pipeline="threads=1 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" \
// RUN:   | FileCheck %s --check-prefixes=CHECK,ONE --implicit-check-not=omp. --implicit-check-not=llvm.intr.exp --implicit-check-not=_mlir_memref_to_llvm
// RUN: moe-opt %s --moe-cpu-pipeline="threads=1 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=IR1 --implicit-check-not=__kmpc
// threads=2: OpenMP parallel regions with two threads, one per kernel loop.
// RUN: moe-opt %s --moe-cpu-pipeline="threads=2 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" \
// RUN:   | FileCheck %s --check-prefixes=CHECK,TWO
// RUN: moe-opt %s --moe-cpu-pipeline="threads=2 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=IR2
// runtime-allocator=true: allocations go through MLIR's generic allocation
// functions (which the JIT runtime defines), not libc.
// RUN: moe-opt %s --moe-cpu-pipeline="threads=1 runtime-allocator=true target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" \
// RUN:   | FileCheck %s --check-prefix=RTALLOC --implicit-check-not=@aligned_alloc --implicit-check-not=@malloc --implicit-check-not=@free
// The stages run one by one give the same result as the whole pipeline.
// RUN: moe-opt %s --moe-cpu-lower-to-linalg="threads=2 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" \
// RUN:   | moe-opt --moe-cpu-bufferize \
// RUN:   | moe-opt --moe-cpu-lower-to-llvm="threads=2 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" -o %t.staged
// RUN: moe-opt %s --moe-cpu-pipeline="threads=2 target=cpu-host:vector-bits=512,registers=32,l2=1M,avx512f=true,avx512bf16=true" -o %t.whole
// RUN: diff %t.staged %t.whole

// H = 64, I = 32, E = 4, k = 2: gate/up (32 columns = one 16 x 2 panel),
// down (64 columns) and combine (64 = 4 x 16 lanes) become kernels; the
// router (4 columns) stays a linalg.matmul. The entry point allocates the
// packed weights, packs them and runs the packed variant.
// CHECK-LABEL: llvm.func @moe_layer(
// ONE-COUNT-3: llvm.call @aligned_alloc(
// CHECK: llvm.call @moe_layer__prepack(
// CHECK: llvm.call @moe_layer__packed(
// ONE-COUNT-3: llvm.call @free(
// CHECK: llvm.func @_mlir_ciface_moe_layer(

// The layer itself: no pack call; the gate/up kernel (two accumulator sets
// per row, f32 fma on 16 lanes, SwiGLU epilogue with the exp approximated
// inline), the down projection, the combine.
// CHECK-LABEL: llvm.func @moe_layer__packed(
// CHECK-NOT: llvm.call @__moe_pack
// TWO: omp.parallel num_threads(%{{.*}} : i32)
// TWO-NEXT: omp.wsloop
// CHECK: llvm.intr.fma(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK: llvm.fdiv %{{.*}} : vector<16xf32>
// TWO: omp.parallel num_threads
// TWO: omp.parallel num_threads
// CHECK-LABEL: llvm.func @_mlir_ciface_moe_layer__packed(

// CHECK-LABEL: llvm.func @moe_layer__prepack(
// CHECK-COUNT-3: llvm.call @__moe_pack_
// CHECK-LABEL: llvm.func @_mlir_ciface_moe_layer__prepack(
// CHECK-LABEL: llvm.func internal @__moe_pack_4x64x32xf32_nr32(
// TWO: omp.parallel
// CHECK-LABEL: llvm.func internal @__moe_pack_4x32x64xf32_nr64(
// TWO: omp.parallel

// IR1: define void @_mlir_ciface_moe_layer(
// IR1-NOT: declare {{.*}} @expf
// IR1: define void @_mlir_ciface_moe_layer__packed(

// IR2-LABEL: define void @moe_layer__packed(
// IR2: call void @__kmpc_push_num_threads(ptr @{{.*}}, i32 %{{.*}}, i32 2)
// IR2: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @{{.*}}, i32 1, ptr @moe_layer__packed..omp_par
// IR2: @__kmpc_fork_call(ptr @{{.*}}, i32 1, ptr @moe_layer__packed..omp_par
// IR2: @__kmpc_fork_call(ptr @{{.*}}, i32 1, ptr @moe_layer__packed..omp_par
// IR2-LABEL: define internal void @__moe_pack_4x64x32xf32_nr32(
// IR2: @__kmpc_fork_call
// IR2: declare {{.*}}void @__kmpc_fork_call(

// RTALLOC-LABEL: llvm.func @_mlir_memref_to_llvm_aligned_alloc(i64, i64) -> !llvm.ptr
// RTALLOC-LABEL: llvm.func @moe_layer(
// RTALLOC-COUNT-3: llvm.call @_mlir_memref_to_llvm_aligned_alloc(
// RTALLOC: llvm.call @moe_layer__prepack(
// RTALLOC: llvm.call @moe_layer__packed(
// RTALLOC-COUNT-3: llvm.call @_mlir_memref_to_llvm_free(
// RTALLOC-LABEL: llvm.func @moe_layer__packed(
// RTALLOC: llvm.call @_mlir_memref_to_llvm_aligned_alloc(
// RTALLOC: llvm.call @_mlir_memref_to_llvm_free(
func.func @moe_layer(%x: tensor<?x64xf32>, %rw: tensor<64x4xf32>,
                     %wg: tensor<4x64x32xf32>, %wu: tensor<4x64x32xf32>,
                     %wd: tensor<4x32x64xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x64xf32>, tensor<64x4xf32>, tensor<4x64x32xf32>,
         tensor<4x64x32xf32>, tensor<4x32x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
