//===- PlanKernel.cpp - a function planned for an NPU, run emulated -------===//

#include "PlanKernel.h"

#include "moec/NPU/Emulator.h"
#include "moec/Pipelines/NPUPipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace moec;

namespace {
struct NoPreparedWeights final : PreparedWeights {
  uint64_t bytes() const override { return 0; }
};
} // namespace

llvm::Expected<std::unique_ptr<PlanKernel>>
PlanKernel::create(LoweredModule planned, llvm::StringRef entry) {
  auto plan = planned.module->lookupSymbol<mlir::func::FuncOp>(entry);
  if (!plan || !plan->hasAttr(kPlanAttrName))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "planning produced no plan for @%s",
                                   entry.str().c_str());
  Signature sig = planned.signature;
  // The plans take every result as an out-parameter and assume no aliasing.
  if (sig.hasInPlaceResults())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "@%s has in-place results (moe.in_place), which only CPU targets "
        "compile",
        entry.str().c_str());
  return std::unique_ptr<PlanKernel>(
      new PlanKernel(std::move(sig), std::move(planned), plan));
}

PlanKernel::PlanKernel(Signature sig, LoweredModule planned,
                       mlir::Operation *plan)
    : Kernel(std::move(sig)), planned(std::move(planned)), plan(plan) {}

llvm::Error PlanKernel::invoke(llvm::ArrayRef<TensorView> inputs,
                               llvm::ArrayRef<TensorView> outputs) const {
  // The plan takes the inputs, then the results as out-parameters.
  std::vector<TensorView> args(inputs.begin(), inputs.end());
  args.insert(args.end(), outputs.begin(), outputs.end());
  return npu::emulatePlan(llvm::cast<mlir::func::FuncOp>(plan), args);
}

llvm::Expected<std::shared_ptr<const PreparedWeights>>
PlanKernel::prepare(llvm::ArrayRef<TensorView>) const {
  return std::make_shared<NoPreparedWeights>();
}

llvm::Error PlanKernel::invokePrepared(llvm::ArrayRef<TensorView> inputs,
                                       llvm::ArrayRef<TensorView> outputs,
                                       const PreparedWeights &weights) const {
  if (!dynamic_cast<const NoPreparedWeights *>(&weights))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "@%s: the prepared weights were made by another kernel",
        signature().function.c_str());
  return invoke(inputs, outputs);
}
