//===- MatmulRowMajorLoops.cpp - matmul loops in (m, k, n) order
//-----------===//

#include "moec/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOEMATMULROWMAJORLOOPS
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;

namespace {

struct MatmulToRowMajorLoops : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    // Only the default (m, n, k) matmul: transposed or broadcast variants
    // carry other indexing maps and keep their loop order.
    if (op.hasUserDefinedMaps())
      return rewriter.notifyMatchFailure(op, "non-default indexing maps");
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generic))
      return failure();
    // Iteration dims are (m, n, k); visit them as (m, k, n).
    return linalg::interchangeGenericOp(rewriter, *generic, {0, 2, 1});
  }
};

struct MoEMatmulRowMajorLoopsPass
    : moe::impl::MoEMatmulRowMajorLoopsBase<MoEMatmulRowMajorLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatmulToRowMajorLoops>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
