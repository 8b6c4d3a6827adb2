//===- Optimizer.cpp - moe.adamw to one elementwise linalg.generic -------===//

#include "PopulatePatterns.h"
#include "moec/Conversion/LoweringUtils.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::lowering;

namespace {

/// `1 - beta^t`, computed in f64 whatever the parameter type (as PyTorch
/// does on the host): it is one scalar per call, and in f32 the rounding of
/// beta (0.999f is off by 1.3e-8) grows t-fold in beta^t. Rounded once to
/// `computeType`.
Value biasCorrection(ImplicitLocOpBuilder &b, Type computeType, double beta,
                     Value step) {
  Type f64 = b.getF64Type();
  Value power = math::PowFOp::create(b, floatConstant(b, f64, beta), step);
  Value correction =
      arith::SubFOp::create(b, floatConstant(b, f64, 1.0), power);
  return truncateTo(b, correction, computeType);
}

/// The whole update is one linalg.generic that reads grad and writes param,
/// m and v in their own tensors (`ins(grad) outs(param, m, v)`), so each
/// element is read once and written once, and one-shot bufferization can
/// update the caller's buffers in place when the function ties its results
/// to those arguments (`moe.in_place`, docs/training-design.md). Where a
/// buffer may not be overwritten (a read-only argument, or a value read
/// again later), bufferization copies it first. Only the bias corrections
/// depend on the step; they are computed once, outside the loop.
struct LowerAdamW : OpRewritePattern<AdamWOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AdamWOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto type = cast<RankedTensorType>(op.getParam().getType());
    Type elementType = type.getElementType();
    // f16/bf16 would lose the small (1 - beta) terms and the moments'
    // precision, so they are computed in f32; f64 keeps its precision.
    Type computeType = computeTypeFor(elementType);
    int64_t rank = type.getRank();

    Value step = tensor::ExtractOp::create(b, op.getStep(), ValueRange{});
    Value t = arith::SIToFPOp::create(b, b.getF64Type(), step);
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    Value correction1 = biasCorrection(b, computeType, beta1, t);
    Value correction2 = biasCorrection(b, computeType, beta2, t);

    SmallVector<AffineMap> maps(4, b.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    double lr = op.getLr().convertToDouble();
    double eps = op.getEps().convertToDouble();
    double weightDecay = op.getWeightDecay().convertToDouble();

    auto generic = linalg::GenericOp::create(
        b, TypeRange{type, type, type}, ValueRange{op.getGrad()},
        ValueRange{op.getParam(), op.getM(), op.getV()}, maps, iterators,
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          auto extend = [&](Value scalar) {
            return extendTo(nb, scalar, computeType);
          };
          auto constant = [&](double value) {
            return floatConstant(nb, computeType, value);
          };
          // Block arguments: grad (the input), then param, m and v (the
          // outputs, which hold the old values).
          Value g = extend(args[0]), p = extend(args[1]);
          Value m = extend(args[2]), v = extend(args[3]);

          // The (1 - b) factors are rounded from f64 once, like PyTorch's
          // host-side scalars.
          // m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2
          Value newM = arith::AddFOp::create(
              nb, arith::MulFOp::create(nb, constant(beta1), m),
              arith::MulFOp::create(nb, constant(1.0 - beta1), g));
          Value gSquared = arith::MulFOp::create(nb, g, g);
          Value newV = arith::AddFOp::create(
              nb, arith::MulFOp::create(nb, constant(beta2), v),
              arith::MulFOp::create(nb, constant(1.0 - beta2), gSquared));

          // p' = p - lr (mh / (sqrt(vh) + eps) + wd p), with the weight
          // decay on the old p.
          Value mHat = arith::DivFOp::create(nb, newM, correction1);
          Value vHat = arith::DivFOp::create(nb, newV, correction2);
          Value denominator = arith::AddFOp::create(
              nb, math::SqrtOp::create(nb, vHat), constant(eps));
          Value update = arith::AddFOp::create(
              nb, arith::DivFOp::create(nb, mHat, denominator),
              arith::MulFOp::create(nb, constant(weightDecay), p));
          Value newP = arith::SubFOp::create(
              nb, p, arith::MulFOp::create(nb, constant(lr), update));

          auto round = [&](Value scalar) {
            return truncateTo(nb, scalar, elementType);
          };
          linalg::YieldOp::create(
              nb, ValueRange{round(newP), round(newM), round(newV)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void lowering::populateOptimizerPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerAdamW>(patterns.getContext());
}
