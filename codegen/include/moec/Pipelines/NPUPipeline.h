//===- NPUPipeline.h - moe ops to a kernel plan for cube/vector NPUs -*- C++
//-*-===//
//
// The one builder of the NPU planning pipeline, shared by moe-opt
// (--moe-npu-pipeline), the C++ API (a Kernel that runs the plan on the
// emulator) and the tests.
//
// Its result is a module whose functions are kernel plans: each takes the
// original function's inputs as GM buffers (same shapes and element types),
// then one GM out-parameter per original result, and carries the unit
// attribute `moe_npu.plan`. The module keeps its `moe.target`.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_PIPELINES_NPUPIPELINE_H
#define MOEC_PIPELINES_NPUPIPELINE_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace moec {

struct NPUPipelineOptions : mlir::PassPipelineOptions<NPUPipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("NPU target to plan for: a registry name such as "
                     "'ascend-910b', optionally with ':key=value,...' "
                     "overrides (docs/target-description.md); empty: the "
                     "module's moe.target"),
      llvm::cl::init("")};
};

/// set-target (when `options.target` is given), decompose, select tiles,
/// plan, verify the plan.
void buildNPUPipeline(mlir::OpPassManager &pm,
                      const NPUPipelineOptions &options);

/// The unit attribute that marks a plan function.
inline constexpr const char *kPlanAttrName = "moe_npu.plan";

void registerNPUPipelines();

} // namespace moec

#endif // MOEC_PIPELINES_NPUPIPELINE_H
