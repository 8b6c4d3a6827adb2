//===- CPUPipeline.cpp - moe ops to LLVM for the host CPU
//------------------===//

#include "moec/Pipelines/CPUPipeline.h"

#include "moec/Codegen/Passes.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/Transforms/RequestCWrappers.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void moec::buildCPULowerToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(moe::createMoEDecomposeLayer());
  pm.addPass(moe::createMoELowerToLinalg());
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
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
}

void moec::buildCPULowerToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(moe::createMoECopiesToLoops());
  pm.addPass(moe::createMoEMatmulRowMajorLoops());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // LLVM lowers f32 -> bf16 truncation to __truncsfbf2, which Debian 12's
  // libgcc lacks; expanded into integer arithmetic it needs no library.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void moec::buildCPUPipeline(OpPassManager &pm) {
  buildCPULowerToLinalgPipeline(pm);
  buildCPUBufferizePipeline(pm);
  buildCPULowerToLLVMPipeline(pm);
}

void moec::registerCPUPipelines() {
  moe::registerMoECodegenPasses();
  PassPipelineRegistration<>(
      "moe-cpu-lower-to-linalg",
      "CPU stage 1: decompose moe.layer and lower every moe op to linalg, "
      "tensor, scf, arith and math on tensors",
      buildCPULowerToLinalgPipeline);
  PassPipelineRegistration<>(
      "moe-cpu-bufferize",
      "CPU stage 2: one-shot bufferisation with identity-layout function "
      "boundaries, results as caller-provided out-parameters, deallocation",
      buildCPUBufferizePipeline);
  PassPipelineRegistration<>(
      "moe-cpu-lower-to-llvm",
      "CPU stage 3: loops, control flow and memrefs to the LLVM dialect with "
      "_mlir_ciface_ C entry points",
      buildCPULowerToLLVMPipeline);
  PassPipelineRegistration<>(
      "moe-cpu-pipeline",
      "Compile moe functions for the host CPU down to the LLVM dialect (all "
      "three moe-cpu-* stages)",
      buildCPUPipeline);
}
