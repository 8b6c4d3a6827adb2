//===- CPUPipeline.h - moe ops to LLVM for the host CPU ---------*- C++ -*-===//
//
// The one builder of the CPU pipeline, shared by moe-opt (--moe-cpu-*), the
// C++ API and the tests. Its three stages are registered on their own so
// that tests can stop between them.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_PIPELINES_CPUPIPELINE_H
#define MOEC_PIPELINES_CPUPIPELINE_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace moec {

struct CPUPipelineOptions : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("CPU target description the tile sizes come from: "
                     "'cpu-host', optionally with ':key=value,...' overrides "
                     "(docs/cpu-target.md)"),
      llvm::cl::init("cpu-host")};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads the parallel loops run on (OpenMP); 0 means one "
                     "per core of the target, 1 runs them serially with no "
                     "OpenMP runtime"),
      llvm::cl::init(0)};
  Option<bool> runtimeAllocator{
      *this, "runtime-allocator",
      llvm::cl::desc("Allocate temporaries through "
                     "_mlir_memref_to_llvm_alloc/_free, which libmoec "
                     "implements with a cache of large blocks, instead of "
                     "malloc/free (which return them to the kernel, so every "
                     "call page-faults its temporaries in again)"),
      llvm::cl::init(false)};
};

/// Stage 1: inline private callees, decompose moe.layer, choose tiles, lower
/// expert GEMMs, the SwiGLU FFN and combine to CPU kernels and the rest of the
/// moe ops to linalg.
void buildCPULowerToLinalgPipeline(mlir::OpPassManager &pm,
                                   const CPUPipelineOptions &options);
/// Stage 2: one-shot bufferisation, results as out-parameters, deallocation.
void buildCPUBufferizePipeline(mlir::OpPassManager &pm);
/// Stage 3: loops, parallel loops, vectors and memrefs to the LLVM dialect.
void buildCPULowerToLLVMPipeline(mlir::OpPassManager &pm,
                                 const CPUPipelineOptions &options);

void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// The thread count the pipeline uses for `options` (resolving 0).
unsigned resolvedThreadCount(const CPUPipelineOptions &options);

void registerCPUPipelines();

} // namespace moec

#endif // MOEC_PIPELINES_CPUPIPELINE_H
