//===- Gradients.cpp - moe backward ops to elementwise linalg.generic -----===//

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
    Type computeType = computeTypeFor(elementType);
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
            return extendTo(nb, scalar, computeType);
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
            return truncateTo(nb, scalar, elementType);
          };
          linalg::YieldOp::create(nb, ValueRange{round(dg), round(du)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// moe.combine_grad through the forward's inverse permutation (the same
/// helper, so both agree on which row holds a pair), then one
/// linalg.generic per result, each element computed by one thread in a
/// fixed order:
///   d_expert_out[i, h] = w[t, j] * dy[t, h]  if inv[perm[i]] == i, else 0
///   d_weights[t, j]    = sum_h ys[inv[t*k+j], h] * dy[t, h]  (0 if no row)
struct LowerCombineGrad : OpRewritePattern<CombineGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CombineGradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value ys = op.getExpertOut(), perm = op.getPerm(), w = op.getWeights(),
          dy = op.getDy();
    Type ysElement = cast<RankedTensorType>(ys.getType()).getElementType();
    Type wElement = cast<RankedTensorType>(w.getType()).getElementType();
    // The verifier makes both f64 or neither.
    Type computeType = computeTypeFor(ysElement);
    auto extend = [&](ImplicitLocOpBuilder &eb, Value scalar) {
      return extendTo(eb, scalar, computeType);
    };
    auto zero = [&](ImplicitLocOpBuilder &zb) -> SmallVector<Value> {
      return {floatConstant(zb, computeType, 0.0)};
    };

    Value rows = dimSize(b, ys, 0), hidden = dimSize(b, ys, 1);
    Value tokens = dimSize(b, w, 0), k = dimSize(b, w, 1);
    Value pairs = b.createOrFold<arith::MulIOp>(tokens, k);
    Value inv = invertPermutation(b, perm, pairs);
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(2)};
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);

    // d_expert_out: only the row that won its pair receives a gradient.
    Value dysInit = emptyTensor(b, {rows, hidden}, ysElement);
    auto dys = linalg::GenericOp::create(
        b, TypeRange{dysInit.getType()}, ValueRange{}, ValueRange{dysInit},
        maps, iterators, [&](OpBuilder &nested, Location loc, ValueRange) {
          ImplicitLocOpBuilder nb(loc, nested);
          Value row = linalg::IndexOp::create(nb, 0);
          Value h = linalg::IndexOp::create(nb, 1);
          Value pair = toIndex(nb, tensor::ExtractOp::create(nb, perm, row));
          Value value = buildIf(
              nb, isInRange(nb, pair, pairs), computeType,
              [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
                Value winner = tensor::ExtractOp::create(tb, inv, pair);
                Value wins = arith::CmpIOp::create(tb, arith::CmpIPredicate::eq,
                                                   winner, row);
                return buildIf(
                    tb, wins, computeType,
                    [&](ImplicitLocOpBuilder &wb) -> SmallVector<Value> {
                      Value token = arith::DivUIOp::create(wb, pair, k);
                      Value slot = arith::RemUIOp::create(wb, pair, k);
                      Value weight =
                          extend(wb, tensor::ExtractOp::create(
                                         wb, w, ValueRange{token, slot}));
                      Value grad =
                          extend(wb, tensor::ExtractOp::create(
                                         wb, dy, ValueRange{token, h}));
                      return {arith::MulFOp::create(wb, weight, grad)};
                    },
                    zero);
              },
              zero)[0];
          linalg::YieldOp::create(nb, truncateTo(nb, value, ysElement));
        });

    // d_weights: a dot product over h in order, 0 for a pair with no row.
    Value dwInit = emptyTensor(b, {tokens, k}, wElement);
    auto dw = linalg::GenericOp::create(
        b, TypeRange{dwInit.getType()}, ValueRange{}, ValueRange{dwInit}, maps,
        iterators, [&](OpBuilder &nested, Location loc, ValueRange) {
          ImplicitLocOpBuilder nb(loc, nested);
          Value token = linalg::IndexOp::create(nb, 0);
          Value slot = linalg::IndexOp::create(nb, 1);
          Value pair = arith::AddIOp::create(
              nb, arith::MulIOp::create(nb, token, k), slot);
          Value row = tensor::ExtractOp::create(nb, inv, pair);
          Value value = buildIf(
              nb, isInRange(nb, row, rows), computeType,
              [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
                return buildLoop(
                    tb, hidden, zero(tb),
                    [&](ImplicitLocOpBuilder &lb, Value h, ValueRange acc) {
                      Value x = extend(lb, tensor::ExtractOp::create(
                                               lb, ys, ValueRange{row, h}));
                      Value g = extend(lb, tensor::ExtractOp::create(
                                               lb, dy, ValueRange{token, h}));
                      Value product = arith::MulFOp::create(lb, x, g);
                      return SmallVector<Value>{
                          arith::AddFOp::create(lb, acc[0], product)};
                    });
              },
              zero)[0];
          linalg::YieldOp::create(nb, truncateTo(nb, value, wElement));
        });

    rewriter.replaceOp(op, {castTo(b, dys.getResult(0), ys.getType()),
                            castTo(b, dw.getResult(0), w.getType())});
    return success();
  }
};

} // namespace

void lowering::populateGradientPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSwigluGrad, LowerCombineGrad>(patterns.getContext());
}
