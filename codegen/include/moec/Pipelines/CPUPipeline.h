//===- CPUPipeline.h - moe ops to LLVM for the host CPU ---------*- C++ -*-===//
//
// The CPU compilation pipeline as plain builder functions, so that moe-opt
// (through the registered pipelines), the runtime's compiler and the tests
// all run the same passes in the same order.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_PIPELINES_CPUPIPELINE_H
#define MOEC_PIPELINES_CPUPIPELINE_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace moec {

/// Stage 1: `moe.layer` into component ops, then every moe op into linalg,
/// tensor, scf, arith and math on tensors (`--moe-cpu-lower-to-linalg`).
void buildCPULowerToLinalgPipeline(mlir::OpPassManager &pm);

/// Stage 2: one-shot bufferisation of the whole module. Function boundaries
/// use identity-layout memrefs, results become caller-provided out-parameters
/// written in place, and every internal buffer is freed
/// (`--moe-cpu-bufferize`).
void buildCPUBufferizePipeline(mlir::OpPassManager &pm);

/// Stage 3: loops, control flow and memrefs to the LLVM dialect, with a
/// `_mlir_ciface_<name>` C entry point for every function
/// (`--moe-cpu-lower-to-llvm`).
void buildCPULowerToLLVMPipeline(mlir::OpPassManager &pm);

/// All three stages (`--moe-cpu-pipeline`).
void buildCPUPipeline(mlir::OpPassManager &pm);

/// Registers the four pipelines above with the pass registry.
void registerCPUPipelines();

} // namespace moec

#endif // MOEC_PIPELINES_CPUPIPELINE_H
