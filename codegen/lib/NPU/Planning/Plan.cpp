// PLACEHOLDER: to be replaced by the real pass.
#include "moec/Codegen/Passes.h"
#include "moec/Dialect/MoENpu/MoENpuOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOENPUPLAN
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

namespace {
struct MoENpuPlan : mlir::moe::impl::MoENpuPlanBase<MoENpuPlan> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("not implemented yet");
    signalPassFailure();
  }
};
} // namespace
