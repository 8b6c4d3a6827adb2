//===- DecomposeLayer.cpp - moe.layer into its component ops ----*- C++ -*-===//

#include "moec/Dialect/MoE/MoEDialect.h"
#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Dialect/MoE/MoEUtils.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOEDECOMPOSELAYER
#include "moec/Transforms/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace mlir::moe;

namespace {

struct DecomposeLayer : OpRewritePattern<LayerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    Type element = xType.getElementType();
    int64_t tokens = xType.getDimSize(0), hidden = xType.getDimSize(1);
    int64_t numExperts = op.getNumExperts();
    int64_t k = op.getRouting().getK();
    int64_t rows =
        ShapedType::isDynamic(tokens) ? ShapedType::kDynamic : tokens * k;
    int64_t intermediate =
        cast<RankedTensorType>(op.getWGate().getType()).getDimSize(2);
    // Router logits and weights are f32 (f64 for an f64 layer, whose
    // gradients are checked against finite differences).
    Type scores = element.isF64() ? element : rewriter.getF32Type();
    Type i32 = rewriter.getI32Type();
    FloatAttr limitAttr = op.getSwigluLimitAttr();

    Value logits = createAccumulatingMatmul(rewriter, loc, x,
                                            op.getRouterWeight(), scores);
    auto router =
        RouterOp::create(rewriter, loc,
                         TypeRange{RankedTensorType::get({tokens, k}, scores),
                                   RankedTensorType::get({tokens, k}, i32)},
                         logits, op.getBias(), op.getTokenIds(),
                         op.getHashTable(), op.getRouting());

    auto dispatch = DispatchOp::create(
        rewriter, loc,
        TypeRange{RankedTensorType::get({rows, hidden}, element),
                  RankedTensorType::get({rows}, i32),
                  RankedTensorType::get({numExperts + 1}, i32)},
        x, router.getIds(), numExperts, /*block=*/nullptr,
        /*capacity=*/nullptr);
    Value offsets = dispatch.getOffsets();
    auto interType = RankedTensorType::get({rows, intermediate}, element);
    Value gate = GroupedMatmulOp::create(
        rewriter, loc, interType, dispatch.getXs(), op.getWGate(), offsets);
    Value up = GroupedMatmulOp::create(rewriter, loc, interType,
                                       dispatch.getXs(), op.getWUp(), offsets);
    Value act = SwigluOp::create(rewriter, loc, interType, gate, up, limitAttr);
    Value expertOut = GroupedMatmulOp::create(
        rewriter, loc, RankedTensorType::get({rows, hidden}, element), act,
        op.getWDown(), offsets);
    Value y = CombineOp::create(rewriter, loc, xType, expertOut,
                                dispatch.getPerm(), router.getWeights());

    if (op.hasSharedExperts()) {
      Value sharedGate = createAccumulatingMatmul(rewriter, loc, x,
                                                  op.getSharedGate(), element);
      Value sharedUp =
          createAccumulatingMatmul(rewriter, loc, x, op.getSharedUp(), element);
      Value sharedAct = SwigluOp::create(rewriter, loc, sharedGate.getType(),
                                         sharedGate, sharedUp, limitAttr);
      Value shared = createAccumulatingMatmul(rewriter, loc, sharedAct,
                                              op.getSharedDown(), element);
      Value sum = createEmptyLike(rewriter, loc, xType, x);
      y = linalg::AddOp::create(rewriter, loc, ValueRange{y, shared},
                                ValueRange{sum})
              .getResult(0);
    }
    if (y.getType() != op.getType())
      y = tensor::CastOp::create(rewriter, loc, op.getType(), y);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct MoEDecomposeLayerPass
    : moe::impl::MoEDecomposeLayerBase<MoEDecomposeLayerPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeLayerPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::moe::populateDecomposeLayerPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeLayer>(patterns.getContext());
}
