//===- PlanReport.cpp - --moe-plan-report ---------------------------------===//
//
// Prints the cost model's estimate of every plan function of the module (a
// function that launches moe_npu kernels) on the module's NPU target. The
// IR is not changed.
//
//===----------------------------------------------------------------------===//

#include "moec/Codegen/Passes.h"
#include "moec/NPU/CostModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOEPLANREPORT
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;

namespace {

struct MoEPlanReport : mlir::moe::impl::MoEPlanReportBase<MoEPlanReport> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<moec::TargetDesc> target = moec::npuTargetOf(module);
    if (!target) {
      module.emitError() << "--moe-plan-report: "
                         << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    std::string message;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(output, &message);
    if (!file) {
      module.emitError() << "--moe-plan-report: " << message;
      return signalPassFailure();
    }
    moec::npu::CostParams params;
    params.burstCycles = burstCycles;
    params.loadScalarCycles = loadScalarCycles;
    params.metadataCyclesPerPair = metadataCycles;
    for (auto plan : module.getOps<func::FuncOp>()) {
      if (plan.getBody().getOps<moe_npu::KernelOp>().empty())
        continue;
      llvm::Expected<moec::npu::PlanEstimate> estimate =
          moec::npu::estimatePlan(plan, *target, tokens, params);
      if (!estimate) {
        plan.emitError() << "--moe-plan-report: "
                         << llvm::toString(estimate.takeError());
        return signalPassFailure();
      }
      moec::npu::printPlanEstimate(*estimate, file->os());
    }
    file->keep();
    markAllAnalysesPreserved();
  }
};

} // namespace
