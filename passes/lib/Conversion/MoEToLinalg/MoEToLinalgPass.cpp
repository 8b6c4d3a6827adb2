//===- MoEToLinalgPass.cpp - the --moe-lower-to-linalg pass -----*- C++ -*-===//

#include "PopulatePatterns.h"

#include "moec/Dialect/MoE/MoEDialect.h"
#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOELOWERTOLINALG
#include "moec/Transforms/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace mlir::moe;

namespace {

struct MoELowerToLinalgPass
    : moe::impl::MoELowerToLinalgBase<MoELowerToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    // A moe.layer has no lowering of its own; say how to get rid of it
    // rather than leave an opaque "failed to lower".
    bool undecomposed = false;
    getOperation()->walk([&](LayerOp layer) {
      layer.emitOpError("must be decomposed first: run "
                        "--moe-decompose-layer before --moe-lower-to-linalg");
      undecomposed = true;
    });
    if (undecomposed)
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateMoEToLinalgPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));

    bool leftover = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa_and_nonnull<MoEDialect>(op->getDialect()))
        return;
      op->emitOpError("could not be lowered by --moe-lower-to-linalg");
      leftover = true;
    });
    if (leftover)
      signalPassFailure();
  }
};

} // namespace

void mlir::moe::populateMoEToLinalgPatterns(RewritePatternSet &patterns) {
  lowering::populateRouterPatterns(patterns);
  lowering::populateDispatchPatterns(patterns);
  lowering::populateGroupedMatmulPatterns(patterns);
  lowering::populateSwigluPatterns(patterns);
  lowering::populateCombinePatterns(patterns);
  lowering::populateOptimizerPatterns(patterns);
  lowering::populateGradientPatterns(patterns);
  lowering::populateLossPatterns(patterns);
  lowering::populateRouterGradPatterns(patterns);
  lowering::populateGroupedMatmulGradPatterns(patterns);
}
