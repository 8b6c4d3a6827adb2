//===- Losses.cpp - the auxiliary-loss ops to linalg ------------*- C++ -*-===//
//
// moe.load_balancing_loss, moe.router_z_loss, their gradients and
// moe.bias_update become linalg.generic reductions and elementwise generics
// on tensors. Every reduction dimension is a loop that runs in index order,
// so the sums are deterministic; they accumulate in f32 (f64 for f64
// inputs). Assignments are counted in i64 by comparing each id with the
// expert index of a generic over [T, k, E], which needs no scatter and drops
// out-of-range ids for free (they match no expert). Softmax and logsumexp
// subtract the row maximum (rowStats), in the forward and the backward
// alike, so that both see the same probabilities.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "moec/Conversion/LoweringUtils.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::lowering;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using Body = function_ref<Value(ImplicitLocOpBuilder &, ValueRange)>;

/// An index value as a float of `type`.
Value indexToFloat(ImplicitLocOpBuilder &b, Value index, Type type) {
  Value i64 = arith::IndexCastOp::create(b, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, type, i64);
}

/// A linalg.generic with one output `init`; `body` gets the input scalars
/// followed by the accumulator and returns the new output scalar.
Value buildGeneric(ImplicitLocOpBuilder &b, ValueRange inputs, Value init,
                   ArrayRef<AffineMap> maps,
                   ArrayRef<utils::IteratorType> iterators, Body body) {
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        linalg::YieldOp::create(nb, body(nb, args));
      });
  return generic.getResult(0);
}

AffineMap dims(ImplicitLocOpBuilder &b, unsigned numDims,
               ArrayRef<unsigned> results) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : results)
    exprs.push_back(b.getAffineDimExpr(d));
  return AffineMap::get(numDims, 0, exprs, b.getContext());
}

constexpr utils::IteratorType kParallel = utils::IteratorType::parallel;
constexpr utils::IteratorType kReduction = utils::IteratorType::reduction;

/// The per-token statistics of softmax and logsumexp.
struct RowStats {
  /// `[T]`: the row maximum, the shift subtracted before exp.
  Value max;
  /// `[T]`: sum_e exp(logits[t, e] - shift(max[t])).
  Value sumExp;
};

/// The row maximum when it is finite, else 0: a row of -inf then sums to 0
/// (logsumexp -inf) and a +inf logit to +inf, instead of inf - inf = NaN.
/// A NaN maximum stays NaN.
Value shiftOf(ImplicitLocOpBuilder &b, Value max) {
  Value isInf = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                      math::AbsFOp::create(b, max),
                                      floatConstant(b, max.getType(), kInf));
  return arith::SelectOp::create(b, isInf, floatConstant(b, max.getType(), 0.0),
                                 max);
}

RowStats rowStats(ImplicitLocOpBuilder &b, Value logits, Value tokens,
                  Type acc) {
  Value negInf = floatConstant(b, acc, -kInf);
  // maximumf propagates NaN: a NaN logit makes its row's loss NaN.
  Value max = buildGeneric(
      b, logits, filledTensor(b, tokens, negInf),
      {dims(b, 2, {0, 1}), dims(b, 2, {0})}, {kParallel, kReduction},
      [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
        return arith::MaximumFOp::create(nb, extendTo(nb, args[0], acc),
                                         args[1]);
      });
  Value sumExp =
      buildGeneric(b, ValueRange{logits, max},
                   filledTensor(b, tokens, floatConstant(b, acc, 0.0)),
                   {dims(b, 2, {0, 1}), dims(b, 2, {0}), dims(b, 2, {0})},
                   {kParallel, kReduction},
                   [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
                     Value shifted = arith::SubFOp::create(
                         nb, extendTo(nb, args[0], acc), shiftOf(nb, args[1]));
                     return arith::AddFOp::create(
                         nb, args[2], math::ExpOp::create(nb, shifted));
                   });
  return {max, sumExp};
}

/// `[E]` i64: how many of the `T*k` ids equal each expert, as a generic over
/// `[T, k, E]` comparing each id with the expert index (ids outside
/// `[0, E)` match none).
Value countAssignments(ImplicitLocOpBuilder &b, Value ids, Value numExperts) {
  Value init = filledTensor(b, numExperts, zeroConstant(b, b.getI64Type()));
  return buildGeneric(
      b, ids, init, {dims(b, 3, {0, 1}), dims(b, 3, {2})},
      {kReduction, kReduction, kParallel},
      [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
        Value expert = linalg::IndexOp::create(nb, 2);
        Value hit = arith::CmpIOp::create(nb, arith::CmpIPredicate::eq,
                                          toIndex(nb, args[0]), expert);
        Value one = arith::ConstantOp::create(nb, nb.getI64IntegerAttr(1));
        Value zero = zeroConstant(nb, nb.getI64Type());
        return arith::AddIOp::create(
            nb, args[1], arith::SelectOp::create(nb, hit, one, zero));
      });
}

/// Wraps `scalar` into a rank-0 tensor of `type`.
Value toRank0(ImplicitLocOpBuilder &b, Value scalar, Type type) {
  Value tensor = tensor::FromElementsOp::create(
      b, RankedTensorType::get({}, scalar.getType()), ValueRange{scalar});
  return castTo(b, tensor, type);
}

/// The scalar of a rank-0 tensor.
Value fromRank0(ImplicitLocOpBuilder &b, Value tensor) {
  return tensor::ExtractOp::create(b, tensor, ValueRange{});
}

/// p[t, e] = exp(logits[t, e] - shift(max[t])) / sumExp[t], the forward's
/// softmax, from a logit scalar and its row's statistics.
Value softmaxOf(ImplicitLocOpBuilder &b, Value logit, Value max, Value sumExp,
                Type acc) {
  Value shifted =
      arith::SubFOp::create(b, extendTo(b, logit, acc), shiftOf(b, max));
  return arith::DivFOp::create(b, math::ExpOp::create(b, shifted), sumExp);
}

/// `numerator / denominator` with the denominator replaced by 1 when
/// `tokens` is 0. The gradients' scale divides by T; with T = 0 d_logits is
/// empty and the scale unused, but it must not be formed by a division by
/// zero.
Value divideUnlessNoTokens(ImplicitLocOpBuilder &b, Value numerator,
                           Value denominator, Value tokens) {
  std::optional<int64_t> staticTokens = getConstantIntValue(tokens);
  if (staticTokens && *staticTokens != 0)
    return arith::DivFOp::create(b, numerator, denominator);
  Value noTokens = b.createOrFold<arith::CmpIOp>(arith::CmpIPredicate::eq,
                                                 tokens, indexConstant(b, 0));
  Value safe = b.createOrFold<arith::SelectOp>(
      noTokens, floatConstant(b, denominator.getType(), 1.0), denominator);
  return arith::DivFOp::create(b, numerator, safe);
}

/// A [T, E] tensor of logits' element type computed elementwise by `body`
/// from (logit, max[t], sumExp[t], extra[...]...), returned as the op's
/// type.
Value buildLogitsCotangent(ImplicitLocOpBuilder &b, Value logits,
                           const RowStats &stats, ValueRange extraInputs,
                           ArrayRef<AffineMap> extraMaps, Body body) {
  auto type = cast<RankedTensorType>(logits.getType());
  Value init = emptyTensor(b, {dimSize(b, logits, 0), dimSize(b, logits, 1)},
                           type.getElementType());
  SmallVector<Value> inputs = {logits, stats.max, stats.sumExp};
  llvm::append_range(inputs, extraInputs);
  SmallVector<AffineMap> maps = {dims(b, 2, {0, 1}), dims(b, 2, {0}),
                                 dims(b, 2, {0})};
  llvm::append_range(maps, extraMaps);
  maps.push_back(dims(b, 2, {0, 1}));
  Value result = buildGeneric(b, inputs, init, maps, {kParallel, kParallel},
                              [&](ImplicitLocOpBuilder &nb, ValueRange args) {
                                return truncateTo(nb, body(nb, args),
                                                  type.getElementType());
                              });
  return castTo(b, result, type);
}

struct LowerLoadBalancingLoss : OpRewritePattern<LoadBalancingLossOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LoadBalancingLossOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value logits = op.getLogits(), ids = op.getIds();
    Type acc = computeTypeFor(
        cast<RankedTensorType>(logits.getType()).getElementType());
    Value tokens = dimSize(b, logits, 0);
    Value numExperts = dimSize(b, logits, 1);
    RowStats stats = rowStats(b, logits, tokens, acc);

    // probSum[e] = sum_t p[t, e], over tokens in order (t is the outer,
    // reduction dimension of this generic).
    Value probSum = buildGeneric(
        b, ValueRange{logits, stats.max, stats.sumExp},
        filledTensor(b, numExperts, floatConstant(b, acc, 0.0)),
        {dims(b, 2, {0, 1}), dims(b, 2, {0}), dims(b, 2, {0}), dims(b, 2, {1})},
        {kReduction, kParallel},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(nb, extendTo(nb, args[0], acc),
                                                shiftOf(nb, args[1]));
          Value p = arith::DivFOp::create(nb, math::ExpOp::create(nb, shifted),
                                          args[2]);
          return arith::AddFOp::create(nb, args[3], p);
        });
    Value counts = countAssignments(b, ids, numExperts);

    // dot = sum_e count[e] * probSum[e], in expert order.
    Value dot = buildGeneric(
        b, ValueRange{counts, probSum},
        filledTensor(b, ValueRange{}, floatConstant(b, acc, 0.0)),
        {dims(b, 1, {0}), dims(b, 1, {0}), dims(b, 1, {})}, {kReduction},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value count = arith::SIToFPOp::create(nb, acc, args[0]);
          return arith::AddFOp::create(
              nb, args[2], arith::MulFOp::create(nb, count, args[1]));
        });

    // loss = alpha * E * sum_e (count[e] / (T*k)) * (probSum[e] / T).
    Value pairs =
        b.createOrFold<arith::MulIOp>(tokens, dimSize(b, ids, /*d=*/1));
    Value denominator = arith::MulFOp::create(b, indexToFloat(b, pairs, acc),
                                              indexToFloat(b, tokens, acc));
    Value scale = arith::MulFOp::create(
        b, floatConstant(b, acc, op.getAlpha().convertToDouble()),
        indexToFloat(b, numExperts, acc));
    Value loss = arith::DivFOp::create(
        b, arith::MulFOp::create(b, scale, fromRank0(b, dot)), denominator);
    rewriter.replaceOp(op, toRank0(b, loss, op.getType()));
    return success();
  }
};

struct LowerRouterZLoss : OpRewritePattern<RouterZLossOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RouterZLossOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value logits = op.getLogits();
    Type acc = computeTypeFor(
        cast<RankedTensorType>(logits.getType()).getElementType());
    Value tokens = dimSize(b, logits, 0);
    RowStats stats = rowStats(b, logits, tokens, acc);

    // sum_t lse[t]^2 in token order, lse = shift + log(sumExp).
    Value sumSquares = buildGeneric(
        b, ValueRange{stats.max, stats.sumExp},
        filledTensor(b, ValueRange{}, floatConstant(b, acc, 0.0)),
        {dims(b, 1, {0}), dims(b, 1, {0}), dims(b, 1, {})}, {kReduction},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value lse = arith::AddFOp::create(nb, shiftOf(nb, args[0]),
                                            math::LogOp::create(nb, args[1]));
          return arith::AddFOp::create(nb, args[2],
                                       arith::MulFOp::create(nb, lse, lse));
        });
    Value loss = arith::DivFOp::create(b, fromRank0(b, sumSquares),
                                       indexToFloat(b, tokens, acc));
    rewriter.replaceOp(op, toRank0(b, loss, op.getType()));
    return success();
  }
};

/// d_logits[t, e'] = dloss * alpha * E / (T * T*k) * p[t, e'] *
///                   (count[e'] - mix[t]),  mix[t] = sum_e count[e] p[t, e]
/// (f_e = count[e] / (T*k), factored out of both terms). mix is a reduction
/// over experts in order; the rest is elementwise.
struct LowerLoadBalancingLossGrad : OpRewritePattern<LoadBalancingLossGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LoadBalancingLossGradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value logits = op.getLogits(), ids = op.getIds();
    Type acc = computeTypeFor(
        cast<RankedTensorType>(logits.getType()).getElementType());
    Value tokens = dimSize(b, logits, 0);
    Value numExperts = dimSize(b, logits, 1);
    RowStats stats = rowStats(b, logits, tokens, acc);
    Value counts = countAssignments(b, ids, numExperts);

    // mix[t] = sum_e count[e] * p[t, e], experts in order.
    Value mix =
        buildGeneric(b, ValueRange{logits, stats.max, stats.sumExp, counts},
                     filledTensor(b, tokens, floatConstant(b, acc, 0.0)),
                     {dims(b, 2, {0, 1}), dims(b, 2, {0}), dims(b, 2, {0}),
                      dims(b, 2, {1}), dims(b, 2, {0})},
                     {kParallel, kReduction},
                     [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
                       Value p = softmaxOf(nb, args[0], args[1], args[2], acc);
                       Value count = arith::SIToFPOp::create(nb, acc, args[3]);
                       return arith::AddFOp::create(
                           nb, args[4], arith::MulFOp::create(nb, count, p));
                     });

    // scale = dloss * alpha * E / (T * T*k). k = 0 (no assignments) leaves
    // a zero denominator: the gradient is NaN, like the forward's loss.
    Value pairs =
        b.createOrFold<arith::MulIOp>(tokens, dimSize(b, ids, /*d=*/1));
    Value denominator = arith::MulFOp::create(b, indexToFloat(b, tokens, acc),
                                              indexToFloat(b, pairs, acc));
    Value numerator = arith::MulFOp::create(
        b, fromRank0(b, op.getDloss()),
        arith::MulFOp::create(
            b, floatConstant(b, acc, op.getAlpha().convertToDouble()),
            indexToFloat(b, numExperts, acc)));
    Value scale = divideUnlessNoTokens(b, numerator, denominator, tokens);

    Value grad = buildLogitsCotangent(
        b, logits, stats, ValueRange{mix, counts},
        {dims(b, 2, {0}), dims(b, 2, {1})},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value p = softmaxOf(nb, args[0], args[1], args[2], acc);
          Value count = arith::SIToFPOp::create(nb, acc, args[4]);
          Value centred = arith::SubFOp::create(nb, count, args[3]);
          return arith::MulFOp::create(nb, scale,
                                       arith::MulFOp::create(nb, p, centred));
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

/// d_logits[t, e] = (2 * dloss / T) * lse[t] * p[t, e]: the per-token factor
/// (with the logarithm) once per row, then one elementwise generic.
struct LowerRouterZLossGrad : OpRewritePattern<RouterZLossGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RouterZLossGradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value logits = op.getLogits();
    Type acc = computeTypeFor(
        cast<RankedTensorType>(logits.getType()).getElementType());
    Value tokens = dimSize(b, logits, 0);
    RowStats stats = rowStats(b, logits, tokens, acc);

    Value numerator = arith::MulFOp::create(b, floatConstant(b, acc, 2.0),
                                            fromRank0(b, op.getDloss()));
    Value scale = divideUnlessNoTokens(b, numerator,
                                       indexToFloat(b, tokens, acc), tokens);

    // rowFactor[t] = scale * lse[t], lse = shift + log(sumExp) as in the
    // forward.
    Value rowFactor = buildGeneric(
        b, ValueRange{stats.max, stats.sumExp}, emptyTensor(b, tokens, acc),
        {dims(b, 1, {0}), dims(b, 1, {0}), dims(b, 1, {0})}, {kParallel},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value lse = arith::AddFOp::create(nb, shiftOf(nb, args[0]),
                                            math::LogOp::create(nb, args[1]));
          return arith::MulFOp::create(nb, scale, lse);
        });

    Value grad = buildLogitsCotangent(
        b, logits, stats, ValueRange{rowFactor}, {dims(b, 2, {0})},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value p = softmaxOf(nb, args[0], args[1], args[2], acc);
          return arith::MulFOp::create(nb, args[3], p);
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

struct LowerBiasUpdate : OpRewritePattern<BiasUpdateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BiasUpdateOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value bias = op.getBias(), ids = op.getIds();
    Type elementType = cast<RankedTensorType>(bias.getType()).getElementType();
    Type acc = computeTypeFor(elementType);
    Value numExperts = dimSize(b, bias, 0);
    Value counts = countAssignments(b, ids, numExperts);

    // sign(T*k/E - load) = sign(T*k - E*load), exact in i64 (E > 0).
    Type i64 = b.getI64Type();
    Value pairs =
        b.createOrFold<arith::MulIOp>(dimSize(b, ids, 0), dimSize(b, ids, 1));
    Value pairs64 = arith::IndexCastOp::create(b, i64, pairs);
    Value experts64 = arith::IndexCastOp::create(b, i64, numExperts);
    Value gamma = floatConstant(b, acc, op.getGamma().convertToDouble());
    Value init = emptyTensor(b, numExperts, elementType);
    Value updated = buildGeneric(
        b, ValueRange{bias, counts}, init,
        {dims(b, 1, {0}), dims(b, 1, {0}), dims(b, 1, {0})}, {kParallel},
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value diff = arith::SubIOp::create(
              nb, pairs64, arith::MulIOp::create(nb, experts64, args[1]));
          Value zero = zeroConstant(nb, i64);
          Value under =
              arith::CmpIOp::create(nb, arith::CmpIPredicate::sgt, diff, zero);
          Value over =
              arith::CmpIOp::create(nb, arith::CmpIPredicate::slt, diff, zero);
          Value sign = arith::SelectOp::create(
              nb, under, floatConstant(nb, acc, 1.0),
              arith::SelectOp::create(nb, over, floatConstant(nb, acc, -1.0),
                                      floatConstant(nb, acc, 0.0)));
          Value step = arith::MulFOp::create(nb, gamma, sign);
          Value sum =
              arith::AddFOp::create(nb, extendTo(nb, args[0], acc), step);
          return truncateTo(nb, sum, elementType);
        });
    rewriter.replaceOp(op, castTo(b, updated, op.getType()));
    return success();
  }
};

/// The number of elements of `value` and the identity map over its rank.
std::pair<Value, AffineMap> elementsOf(ImplicitLocOpBuilder &b, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Value count = indexConstant(b, 1);
  for (int64_t d = 0; d < type.getRank(); ++d)
    count = b.createOrFold<arith::MulIOp>(count, dimSize(b, value, d));
  return {count, b.getMultiDimIdentityMap(type.getRank())};
}

/// loss = sum_i (input - target)^2 / N, the sum in row-major order.
struct LowerMseLoss : OpRewritePattern<MseLossOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MseLossOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto type = cast<RankedTensorType>(op.getInput().getType());
    Type acc = computeTypeFor(type.getElementType());
    auto [count, identity] = elementsOf(b, op.getInput());
    unsigned rank = type.getRank();
    Value sum = buildGeneric(
        b, ValueRange{op.getInput(), op.getTarget()},
        filledTensor(b, ValueRange{}, floatConstant(b, acc, 0.0)),
        {identity, identity, AffineMap::get(rank, 0, {}, b.getContext())},
        SmallVector<utils::IteratorType>(rank, kReduction),
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(nb, extendTo(nb, args[0], acc),
                                          extendTo(nb, args[1], acc));
          return arith::AddFOp::create(nb, args[2],
                                       arith::MulFOp::create(nb, d, d));
        });
    Value loss = arith::DivFOp::create(b, fromRank0(b, sum),
                                       indexToFloat(b, count, acc));
    rewriter.replaceOp(op, toRank0(b, loss, op.getType()));
    return success();
  }
};

/// d_input = (2 * dloss / N) * (input - target), elementwise.
struct LowerMseLossGrad : OpRewritePattern<MseLossGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MseLossGradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto type = cast<RankedTensorType>(op.getInput().getType());
    Type element = type.getElementType();
    Type acc = computeTypeFor(element);
    auto [count, identity] = elementsOf(b, op.getInput());
    // With N = 0 the result is empty and the scale unused.
    Value scale = arith::DivFOp::create(
        b,
        arith::MulFOp::create(b, floatConstant(b, acc, 2.0),
                              fromRank0(b, op.getDloss())),
        indexToFloat(b, count, acc));
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      sizes.push_back(dimSize(b, op.getInput(), d));
    Value result = buildGeneric(
        b, ValueRange{op.getInput(), op.getTarget()},
        emptyTensor(b, sizes, element), {identity, identity, identity},
        SmallVector<utils::IteratorType>(type.getRank(), kParallel),
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(nb, extendTo(nb, args[0], acc),
                                          extendTo(nb, args[1], acc));
          return truncateTo(nb, arith::MulFOp::create(nb, scale, d), element);
        });
    rewriter.replaceOp(op, castTo(b, result, type));
    return success();
  }
};

} // namespace

void lowering::populateLossPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerLoadBalancingLoss, LowerRouterZLoss,
               LowerLoadBalancingLossGrad, LowerRouterZLossGrad,
               LowerBiasUpdate, LowerMseLoss, LowerMseLossGrad>(
      patterns.getContext());
}
