//===- InlinePrivateCalls.cpp - inline calls of private functions ---------===//

#include "moec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/Inliner.h"
#include "mlir/Transforms/InliningUtils.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOEINLINEPRIVATECALLS
#include "moec/Transforms/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;

namespace {

/// Private functions called by another function (never by themselves).
SmallVector<func::CallOp> privateCalls(ModuleOp module, SymbolTable &symbols) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
    if (callee && callee.isPrivate() && !callee.isDeclaration() &&
        call->getParentOfType<func::FuncOp>() != callee)
      calls.push_back(call);
  });
  return calls;
}

struct MoEInlinePrivateCallsPass
    : moe::impl::MoEInlinePrivateCallsBase<MoEInlinePrivateCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    InlinerInterface interface(&getContext());
    InlinerConfig config;
    SetVector<func::FuncOp> callees;
    // Inlining a body may bring in calls of other private functions; a
    // chain longer than the bound is a recursion through several functions.
    constexpr int kMaxDepth = 32;
    for (int depth = 0;; ++depth) {
      SmallVector<func::CallOp> calls = privateCalls(module, symbols);
      if (calls.empty())
        break;
      if (depth == kMaxDepth) {
        calls.front().emitError()
            << "--moe-inline-private-calls: calls of private functions nest "
               "deeper than "
            << kMaxDepth << " (recursion?)";
        return signalPassFailure();
      }
      for (func::CallOp call : calls) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (failed(inlineCall(interface, config.getCloneCallback(), call,
                              callee, &callee.getBody()))) {
          call.emitError() << "cannot inline the call of private function '@"
                           << callee.getSymName() << "'";
          return signalPassFailure();
        }
        call.erase();
        callees.insert(callee);
      }
    }
    for (func::FuncOp callee : callees)
      if (SymbolTable::symbolKnownUseEmpty(callee, module))
        callee.erase();
  }
};

} // namespace
