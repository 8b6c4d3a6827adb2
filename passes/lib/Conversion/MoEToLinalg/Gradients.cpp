//===- Gradients.cpp - moe backward ops to elementwise linalg.generic -----===//

#include "PopulatePatterns.h"
#include "moec/Conversion/LoweringUtils.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::lowering;

namespace {

/// One linalg.generic with gate, up and dh as inputs and both cotangents as
/// outputs, so that sigmoid(gate) is computed once for both.
struct LowerSwigluGrad : OpRewritePattern<SwigluGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SwigluGradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto type = cast<RankedTensorType>(op.getGate().getType());
    Type elementType = type.getElementType();
    // f16/bf16 are computed in f32 like the forward; f64 keeps its
    // precision, which the finite-difference checks rely on.
    Type computeType = elementType.isF64() ? elementType : b.getF32Type();
    int64_t rank = type.getRank();
    std::optional<double> limit;
    if (FloatAttr limitAttr = op.getLimitAttr())
      limit = limitAttr.getValueAsDouble();

    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(dimSize(b, op.getGate(), d));
    // One tensor.empty per result, so that bufferization does not see two
    // writes into one buffer.
    Value inits[] = {emptyTensor(b, sizes, elementType),
                     emptyTensor(b, sizes, elementType)};
    SmallVector<AffineMap> maps(5, b.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, TypeRange{type, type},
        ValueRange{op.getGate(), op.getUp(), op.getDh()}, inits, maps,
        iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          auto extend = [&](Value scalar) {
            return elementType.isF64() ? scalar : extendToF32(nb, scalar);
          };
          auto constant = [&](double value) {
            return floatConstant(nb, computeType, value);
          };
          Value g = extend(args[0]), u = extend(args[1]);
          Value dh = extend(args[2]);

          // The forward's clamps (minimumf/maximumf keep NaNs).
          Value gc = g, uc = u;
          if (limit) {
            gc = arith::MinimumFOp::create(nb, g, constant(*limit));
            uc = arith::MaximumFOp::create(
                nb, arith::MinimumFOp::create(nb, u, constant(*limit)),
                constant(-*limit));
          }
          // s = sigmoid(g), silu = g s, silu' = s (1 + g (1 - s)).
          Value one = constant(1.0);
          Value expNeg = math::ExpOp::create(nb, arith::NegFOp::create(nb, gc));
          Value s = arith::DivFOp::create(
              nb, one, arith::AddFOp::create(nb, one, expNeg));
          Value silu = arith::MulFOp::create(nb, gc, s);
          Value dsilu = arith::MulFOp::create(
              nb, s,
              arith::AddFOp::create(
                  nb, one,
                  arith::MulFOp::create(nb, gc,
                                        arith::SubFOp::create(nb, one, s))));
          Value dg = arith::MulFOp::create(
              nb, arith::MulFOp::create(nb, dh, uc), dsilu);
          Value du = arith::MulFOp::create(nb, dh, silu);

          if (limit) {
            // Zero only where the clamp is strictly active: ordered `>` is
            // false at equality (the gradient passes, as for an unclamped
            // input) and for NaN (which stays NaN).
            Value zero = constant(0.0);
            Value gClamped = arith::CmpFOp::create(
                nb, arith::CmpFPredicate::OGT, g, constant(*limit));
            dg = arith::SelectOp::create(nb, gClamped, zero, dg);
            Value uClamped = arith::CmpFOp::create(
                nb, arith::CmpFPredicate::OGT, math::AbsFOp::create(nb, u),
                constant(*limit));
            du = arith::SelectOp::create(nb, uClamped, zero, du);
          }

          auto round = [&](Value scalar) {
            return elementType.isF64()
                       ? scalar
                       : truncateFromF32(nb, scalar, elementType);
          };
          linalg::YieldOp::create(nb, ValueRange{round(dg), round(du)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void lowering::populateGradientPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSwigluGrad>(patterns.getContext());
}
