//===- SetTarget.cpp - attach a registry target to the module -------------===//

#include "moec/Codegen/Passes.h"

#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Dialect/MoE/MoEDialect.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOESETTARGET
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;

namespace {

struct SetTarget : moe::impl::MoESetTargetBase<SetTarget> {
  using Base::Base;

  void runOnOperation() override {
    llvm::Expected<moec::TargetDesc> resolved = moec::resolveTarget(target);
    if (!resolved) {
      getOperation().emitError() << llvm::toString(resolved.takeError());
      return signalPassFailure();
    }
    getOperation()->setAttr(moec::kTargetAttrName,
                            moec::toTargetAttr(&getContext(), *resolved));
  }
};

} // namespace
