//===- MoECanonicalize.cpp - moe canonicalisation patterns ------*- C++ -*-===//

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Dialect/MoE/MoEUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::moe;

namespace {

/// Keeping all `n_group` groups selects from every expert, exactly as if there
/// were no groups: drop the group limit (moe.router and moe.layer).
template <typename OpTy> struct DropTrivialGroupLimit : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    RoutingAttr routing = op.getRouting();
    if (routing.getNGroup() == 1 || routing.isGroupLimited())
      return failure();
    auto plain =
        RoutingAttr::get(op.getContext(), routing.getK(), routing.getScoring(),
                         /*n_group=*/1, /*topk_group=*/1, GroupScore::top2_sum,
                         routing.getNormTopkProb(), routing.getScale());
    rewriter.modifyOpInPlace(op, [&] { op.setRoutingAttr(plain); });
    return success();
  }
};

/// With one expert the grouped GEMM is a plain GEMM: all rows belong to it.
struct SingleExpertGroupedMatmul : OpRewritePattern<GroupedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    if (weightType.getDimSize(0) != 1)
      return failure();
    Location loc = op.getLoc();
    auto matrixType = RankedTensorType::get(weightType.getShape().drop_front(),
                                            weightType.getElementType());
    Value matrix = tensor::CollapseShapeOp::create(
        rewriter, loc, matrixType, op.getWeight(),
        ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    auto resultType = cast<RankedTensorType>(op.getType());
    Value product = createAccumulatingMatmul(
        rewriter, loc, op.getInput(), matrix, resultType.getElementType());
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, resultType, product);
    return success();
  }
};

/// One expert and k = 1 without padding: every token keeps its row, the
/// permutation is the identity and the single group spans all tokens.
struct SingleExpertDispatch : OpRewritePattern<DispatchOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DispatchOp op,
                                PatternRewriter &rewriter) const override {
    auto idsType = cast<RankedTensorType>(op.getIds().getType());
    if (op.getNumExperts() != 1 || idsType.getDimSize(1) != 1 ||
        op.getBlock() || op.getCapacity())
      return failure();
    Location loc = op.getLoc();
    auto permType = cast<RankedTensorType>(op.getPerm().getType());
    Type intType = permType.getElementType();
    Value tokens = tensor::DimOp::create(rewriter, loc, op.getX(), 0);

    Value xs =
        tensor::CastOp::create(rewriter, loc, op.getXs().getType(), op.getX());
    auto iotaType = RankedTensorType::get({ShapedType::kDynamic}, intType);
    auto iota = tensor::GenerateOp::create(
        rewriter, loc, iotaType, ValueRange{tokens},
        [&](OpBuilder &b, Location l, ValueRange indices) {
          Value i = arith::IndexCastOp::create(b, l, intType, indices[0]);
          tensor::YieldOp::create(b, l, i);
        });
    Value perm = tensor::CastOp::create(rewriter, loc, permType, iota);
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getIntegerAttr(intType, 0));
    Value end = arith::IndexCastOp::create(rewriter, loc, intType, tokens);
    // tensor.from_elements needs a static type, but the verifier also accepts
    // a dynamic offsets type (`tensor<?xi32>`): build `tensor<2xiN>`, then
    // cast (the cast folds away when the types already agree).
    Value offsets = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({2}, intType),
        ValueRange{zero, end});
    offsets = tensor::CastOp::create(rewriter, loc, op.getOffsets().getType(),
                                     offsets);
    rewriter.replaceOp(op, {xs, perm, offsets});
    return success();
  }
};

} // namespace

void RouterOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<DropTrivialGroupLimit<RouterOp>>(context);
}

void LayerOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<DropTrivialGroupLimit<LayerOp>>(context);
}

void GroupedMatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                  MLIRContext *context) {
  results.add<SingleExpertGroupedMatmul>(context);
}

void DispatchOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<SingleExpertDispatch>(context);
}
