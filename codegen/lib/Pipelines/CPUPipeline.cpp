//===- CPUPipeline.cpp - moe ops to LLVM for the host CPU -----------------===//

#include "moec/Pipelines/CPUPipeline.h"

#include "moec/Codegen/Passes.h"
#include "moec/Target/CPUTarget.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

unsigned moec::resolvedThreadCount(const CPUPipelineOptions &options) {
  if (options.threads != 0)
    return options.threads;
  // An invalid target is reported by the passes that read it.
  llvm::Expected<CPUTargetDesc> target = resolveCPUTarget(options.target);
  if (!target) {
    llvm::consumeError(target.takeError());
    return 1;
  }
  return target->numCores;
}

void moec::buildCPULowerToLinalgPipeline(OpPassManager &pm,
                                         const CPUPipelineOptions &options) {
  pm.addPass(moe::createMoEDecomposeLayer());
  pm.addPass(moe::createMoESelectCPUTiling({options.target}));
  pm.addPass(moe::createMoELowerToCPUKernels({options.target}));
  pm.addPass(moe::createMoELowerToLinalg());
  // The decomposition rounds dense f32 products to bf16/f16 with
  // elementwise arith ops on tensors (shared experts), which bufferisation
  // does not take; as linalg.generic it does.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void moec::buildCPUBufferizePipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Callers hand in plain row-major buffers; identity layouts let the code
  // use static strides instead of reading them from every descriptor.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));

  // Results are written straight into memory the caller owns: the entry
  // point of a framework-facing kernel must not hand back allocations.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(moe::createMoESplitWeightPacking());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
}

void moec::buildCPULowerToLLVMPipeline(OpPassManager &pm,
                                       const CPUPipelineOptions &options) {
  pm.addPass(moe::createMoECopiesToLoops());
  pm.addPass(moe::createMoEMatmulRowMajorLoops());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(moe::createMoEApproximateMath());
  unsigned threads = resolvedThreadCount(options);
  if (threads > 1) {
    ConvertSCFToOpenMPPassOptions openMP;
    openMP.numThreads = threads;
    pm.addPass(createConvertSCFToOpenMPPass(openMP));
    // Parallel bodies are wrapped in memref.alloca_scope, which must hold a
    // single block; the kernels allocate nothing there, so canonicalisation
    // inlines the scopes before loops become branches.
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // LLVM lowers f32 -> bf16 truncation to __truncsfbf2, which Debian 12's
  // libgcc lacks; expanded into integer arithmetic it needs no library.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(moe::createMoERequestCWrappers());
  // convert-to-llvm does not know x86vector; this lowers the AVX512_BF16
  // dot products (and every other vector op) first.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = options.runtimeAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void moec::buildCPUPipeline(OpPassManager &pm,
                            const CPUPipelineOptions &options) {
  buildCPULowerToLinalgPipeline(pm, options);
  buildCPUBufferizePipeline(pm);
  buildCPULowerToLLVMPipeline(pm, options);
}

void moec::registerCPUPipelines() {
  moe::registerMoECodegenPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "moe-cpu-lower-to-linalg",
      "CPU stage 1: decompose moe.layer and lower every moe op to linalg, "
      "tensor, scf, arith and math on tensors; expert GEMMs, the SwiGLU "
      "FFN and combine become packed, tiled CPU kernels",
      buildCPULowerToLinalgPipeline);
  PassPipelineRegistration<>(
      "moe-cpu-bufferize",
      "CPU stage 2: one-shot bufferisation with identity-layout function "
      "boundaries, results as caller-provided out-parameters, deallocation",
      buildCPUBufferizePipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "moe-cpu-lower-to-llvm",
      "CPU stage 3: loops, parallel loops (OpenMP unless threads=1), "
      "vectors, control flow and memrefs to the LLVM dialect with "
      "_mlir_ciface_ C entry points",
      buildCPULowerToLLVMPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "moe-cpu-pipeline",
      "Compile moe functions for the host CPU down to the LLVM dialect (all "
      "three moe-cpu-* stages)",
      buildCPUPipeline);
}
