//===- NPUPipeline.cpp - moe ops to a kernel plan for cube/vector NPUs ----===//

#include "moec/Pipelines/NPUPipeline.h"

#include "moec/Codegen/Passes.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void moec::buildNPUPipeline(OpPassManager &pm,
                            const NPUPipelineOptions &options) {
  if (!options.target.empty())
    pm.addPass(moe::createMoESetTarget({options.target}));
  pm.addPass(moe::createMoEDecomposeLayer());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(moe::createMoENpuSelectTiles());
  pm.addPass(moe::createMoENpuPlan());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(moe::createMoENpuVerifyPlan());
}

void moec::registerNPUPipelines() {
  PassPipelineRegistration<NPUPipelineOptions>(
      "moe-npu-pipeline",
      "Plan moe functions for an Ascend-like cube/vector target: decompose, "
      "choose tiles from the target's buffers, rewrite into moe_npu kernels "
      "(explicit GM/L1/L0A/L0B/L0C/UB buffers, copies, cube and vector "
      "instructions, set/wait flags) and verify the plan",
      buildNPUPipeline);
}
