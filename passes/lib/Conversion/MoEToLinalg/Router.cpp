//===- Router.cpp - moe.router to scores and per-token top-k ----*- C++ -*-===//
//
// The scores of all tokens are data parallel and become linalg.generic ops.
// Selection is sequential per token (group limit, then k rounds of argmax),
// so it is an scf.for over tokens with scalar loops inside; a small scratch
// tensor carried by that loop holds the token's selection and group scores.
//
// Arithmetic runs in the compute type: f64 for f64 logits (so that the
// router's gradient can be checked by finite differences), f32 otherwise.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "RouterScores.h"
#include "moec/Conversion/LoweringUtils.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::lowering;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RouterInfo {
  Value logits, bias, tokenIds, hashTable;
  RoutingAttr routing;
  /// f64 for f64 logits, else f32 (computeTypeFor).
  Type computeType;
  Type weightType, idType;
  int64_t numExperts;
  Value tokens;
  /// `[T, E]` scores s in the compute type (before the bias).
  Value scores;
  /// `[T]` i1: the token has a NaN logit.
  Value hasNaN;
};

using ScalarFn = function_ref<Value(ImplicitLocOpBuilder &, ValueRange)>;

/// NaN becomes -inf, so that a NaN never wins a comparison; like
/// nanToNegInf, but in the scalar's own type (f32 or f64).
Value negInfIfNaN(ImplicitLocOpBuilder &b, Value scalar) {
  Value negInf = floatConstant(b, scalar.getType(), -kInf);
  return arith::SelectOp::create(b, isNaN(b, scalar), negInf, scalar);
}

/// A float scalar in `type`, widened or rounded: the bias may be wider than
/// the logits (an f64 bias on f32 logits).
Value toComputeType(ImplicitLocOpBuilder &b, Value scalar, Type type) {
  unsigned from = scalar.getType().getIntOrFloatBitWidth();
  unsigned to = type.getIntOrFloatBitWidth();
  return from > to ? truncateTo(b, scalar, type) : extendTo(b, scalar, type);
}

//===----------------------------------------------------------------------===//
// Scores (all tokens at once)
//===----------------------------------------------------------------------===//

/// `[T, E]` of `type` = fn(inputs) elementwise; each input is `[T, E]` or a
/// `[T]` per-token value broadcast along the row.
Value mapRows(ImplicitLocOpBuilder &b, Value tokens, int64_t numExperts,
              Type type, ValueRange inputs, ScalarFn fn) {
  Value init = emptyTensor(b, {tokens, indexConstant(b, numExperts)}, type);
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(cast<RankedTensorType>(input.getType()).getRank() == 2
                       ? b.getMultiDimIdentityMap(2)
                       : AffineMap::get(2, 0, getAffineDimExpr(0, context)));
  maps.push_back(b.getMultiDimIdentityMap(2));
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        linalg::YieldOp::create(nb, fn(nb, args.drop_back()));
      });
  return generic.getResult(0);
}

/// `[T]` reduction of a `[T, E]` tensor along its rows, in row order.
Value reduceRows(
    ImplicitLocOpBuilder &b, Value input, Value tokens, Value initValue,
    function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> combine) {
  Value init = filledTensor(b, tokens, initValue);
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(2),
      AffineMap::get(2, 0, getAffineDimExpr(0, context))};
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                utils::IteratorType::reduction};
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, ValueRange{input}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        linalg::YieldOp::create(nb, combine(nb, args[0], args[1]));
      });
  return generic.getResult(0);
}

} // namespace

// The scores are shared with moe.router_grad (RouterScores.h), whose
// gradient must be that of exactly these formulas.

/// log1p(x) = x * log(u) / (u - 1) with u = 1 + x (Goldberg): accurate for
/// small x, unlike log(1 + x), which is what math.log1p lowers to on LLVM.
static Value log1pAccurate(ImplicitLocOpBuilder &b, Value x) {
  Value one = floatConstant(b, x.getType(), 1.0);
  Value u = arith::AddFOp::create(b, one, x);
  Value ratio = arith::DivFOp::create(b, math::LogOp::create(b, u),
                                      arith::SubFOp::create(b, u, one));
  Value exact = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, u, one);
  return arith::SelectOp::create(b, exact, x,
                                 arith::MulFOp::create(b, x, ratio));
}

Value lowering::sigmoidScore(ImplicitLocOpBuilder &b, Value logit) {
  Value one = floatConstant(b, logit.getType(), 1.0);
  Value expNeg = math::ExpOp::create(b, arith::NegFOp::create(b, logit));
  return arith::DivFOp::create(b, one, arith::AddFOp::create(b, one, expNeg));
}

/// softplus(l) = max(l, 0) + log1p(exp(-|l|)).
Value lowering::sqrtSoftplusScore(ImplicitLocOpBuilder &b, Value logit) {
  Value positive = arith::MaximumFOp::create(
      b, logit, floatConstant(b, logit.getType(), 0.0));
  Value expNegAbs = math::ExpOp::create(
      b, arith::NegFOp::create(b, math::AbsFOp::create(b, logit)));
  Value softplus =
      arith::AddFOp::create(b, positive, log1pAccurate(b, expNegAbs));
  return math::SqrtOp::create(b, softplus);
}

namespace {

/// Stable softmax per row: exp(l - max) / sum. maximumf propagates NaN, and
/// so does the sum, so a NaN logit makes the whole row NaN.
Value softmaxScores(ImplicitLocOpBuilder &b, Value logits, Value tokens,
                    int64_t numExperts, Type type) {
  Value rowMax = reduceRows(
      b, logits, tokens, floatConstant(b, type, -kInf),
      [&](ImplicitLocOpBuilder &nb, Value logit, Value acc) -> Value {
        return arith::MaximumFOp::create(nb, extendTo(nb, logit, type), acc);
      });
  Value exps = mapRows(b, tokens, numExperts, type, ValueRange{logits, rowMax},
                       [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
                         Value shifted = arith::SubFOp::create(
                             nb, extendTo(nb, args[0], type), args[1]);
                         return math::ExpOp::create(nb, shifted);
                       });
  Value rowSum =
      reduceRows(b, exps, tokens, floatConstant(b, type, 0.0),
                 [](ImplicitLocOpBuilder &nb, Value e, Value acc) -> Value {
                   return arith::AddFOp::create(nb, acc, e);
                 });
  return mapRows(b, tokens, numExperts, type, ValueRange{exps, rowSum},
                 [](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
                   return arith::DivFOp::create(nb, args[0], args[1]);
                 });
}

Value computeScores(ImplicitLocOpBuilder &b, const RouterInfo &info) {
  Value logits = info.logits;
  Type type = info.computeType;
  switch (info.routing.getScoring()) {
  case ScoringFunc::softmax:
    return softmaxScores(b, logits, info.tokens, info.numExperts, type);
  case ScoringFunc::sigmoid:
    return mapRows(b, info.tokens, info.numExperts, type, logits,
                   [&](ImplicitLocOpBuilder &nb, ValueRange args) {
                     return sigmoidScore(nb, extendTo(nb, args[0], type));
                   });
  case ScoringFunc::sqrtsoftplus:
    return mapRows(b, info.tokens, info.numExperts, type, logits,
                   [&](ImplicitLocOpBuilder &nb, ValueRange args) {
                     return sqrtSoftplusScore(nb, extendTo(nb, args[0], type));
                   });
  }
  llvm_unreachable("unknown scoring function");
}

Value rowsWithNaN(ImplicitLocOpBuilder &b, Value logits, Value tokens) {
  Value noNaN = arith::ConstantOp::create(b, b.getBoolAttr(false));
  return reduceRows(b, logits, tokens, noNaN,
                    [](ImplicitLocOpBuilder &nb, Value logit, Value acc) {
                      return arith::OrIOp::create(nb, acc, isNaN(nb, logit));
                    });
}

//===----------------------------------------------------------------------===//
// Selection (one token)
//===----------------------------------------------------------------------===//

Value extractScore(ImplicitLocOpBuilder &b, const RouterInfo &info, Value token,
                   Value expert) {
  return tensor::ExtractOp::create(b, info.scores, ValueRange{token, expert});
}

/// The index of the largest untaken entry of `values[first .. first+n)`,
/// ties to the lower index. Candidates are never NaN (see negInfIfNaN), so
/// NaN is the taken marker; with fewer than n entries taken one is always
/// found, even when every candidate is -inf.
Value argmaxUntaken(ImplicitLocOpBuilder &b, Value values, int64_t first,
                    int64_t n) {
  Value none = indexConstant(b, -1);
  Type type = cast<RankedTensorType>(values.getType()).getElementType();
  SmallVector<Value> best = buildLoop(
      b, indexConstant(b, first), indexConstant(b, first + n),
      ValueRange{none, floatConstant(b, type, -kInf)},
      [&](ImplicitLocOpBuilder &lb, Value i, ValueRange args) {
        Value bestIndex = args[0], bestValue = args[1];
        Value v = tensor::ExtractOp::create(lb, values, i);
        Value untaken =
            arith::CmpFOp::create(lb, arith::CmpFPredicate::ORD, v, v);
        Value first = arith::CmpIOp::create(lb, arith::CmpIPredicate::slt,
                                            bestIndex, indexConstant(lb, 0));
        Value larger =
            arith::CmpFOp::create(lb, arith::CmpFPredicate::OGT, v, bestValue);
        Value take = arith::AndIOp::create(
            lb, untaken, arith::OrIOp::create(lb, first, larger));
        return SmallVector<Value>{
            arith::SelectOp::create(lb, take, i, bestIndex),
            arith::SelectOp::create(lb, take, v, bestValue)};
      });
  return clampIndex(b, best[0], indexConstant(b, first),
                    indexConstant(b, first + n - 1));
}

Value markTaken(ImplicitLocOpBuilder &b, Value values, Value index) {
  Type type = cast<RankedTensorType>(values.getType()).getElementType();
  return tensor::InsertOp::create(b, floatConstant(b, type, kNaN), values,
                                  index);
}

/// `scratch[e] = c = s + bias` for every expert, NaN read as -inf.
Value loadSelectionScores(ImplicitLocOpBuilder &b, const RouterInfo &info,
                          Value token, Value sel) {
  Value bias = info.bias;
  return buildLoop(
      b, indexConstant(b, info.numExperts), sel,
      [&](ImplicitLocOpBuilder &lb, Value expert, ValueRange args) {
        Value c = extractScore(lb, info, token, expert);
        if (bias)
          c = arith::AddFOp::create(
              lb, c,
              toComputeType(lb, tensor::ExtractOp::create(lb, bias, expert),
                            info.computeType));
        return SmallVector<Value>{
            tensor::InsertOp::create(lb, negInfIfNaN(lb, c), args[0], expert)};
      })[0];
}

/// The score of the group of `size` experts starting at `first`: its max,
/// or the sum of its two largest c (top2_sum; a lone expert scores its own
/// c).
Value groupScore(ImplicitLocOpBuilder &b, const RouterInfo &info, Value sel,
                 Value first, int64_t size) {
  Value end = arith::AddIOp::create(b, first, indexConstant(b, size));
  Value negInf = floatConstant(b, info.computeType, -kInf);
  if (info.routing.getGroupScore() == GroupScore::max || size == 1) {
    return buildLoop(b, first, end, negInf,
                     [&](ImplicitLocOpBuilder &lb, Value e, ValueRange acc) {
                       Value v = tensor::ExtractOp::create(lb, sel, e);
                       return SmallVector<Value>{
                           arith::MaximumFOp::create(lb, acc[0], v)};
                     })[0];
  }
  SmallVector<Value> top2 = buildLoop(
      b, first, end, ValueRange{negInf, negInf},
      [&](ImplicitLocOpBuilder &lb, Value e, ValueRange acc) {
        Value v = tensor::ExtractOp::create(lb, sel, e);
        Value aboveFirst =
            arith::CmpFOp::create(lb, arith::CmpFPredicate::OGT, v, acc[0]);
        Value aboveSecond =
            arith::CmpFOp::create(lb, arith::CmpFPredicate::OGT, v, acc[1]);
        Value second = arith::SelectOp::create(
            lb, aboveFirst, acc[0],
            arith::SelectOp::create(lb, aboveSecond, v, acc[1]));
        return SmallVector<Value>{
            arith::SelectOp::create(lb, aboveFirst, v, acc[0]), second};
      });
  return arith::AddFOp::create(b, top2[0], top2[1]);
}

/// Group limit: sets c = -inf for the experts outside the topk_group best
/// groups (ties to the lower group). The group scores live in the scratch
/// after the experts' c, at `E + g`; a kept group holds the taken marker.
Value keepTopGroups(ImplicitLocOpBuilder &b, const RouterInfo &info,
                    Value scratch) {
  int64_t numGroups = info.routing.getNGroup();
  int64_t groupSize = info.numExperts / numGroups;
  Value size = indexConstant(b, groupSize);
  Value base = indexConstant(b, info.numExperts);
  scratch =
      buildLoop(b, indexConstant(b, numGroups), scratch,
                [&](ImplicitLocOpBuilder &lb, Value g, ValueRange args) {
                  Value first = arith::MulIOp::create(lb, g, size);
                  // inf + -inf in top2_sum is NaN: it ranks as -inf like any
                  // NaN.
                  Value score = negInfIfNaN(
                      lb, groupScore(lb, info, args[0], first, groupSize));
                  Value slot = arith::AddIOp::create(lb, base, g);
                  return SmallVector<Value>{
                      tensor::InsertOp::create(lb, score, args[0], slot)};
                })[0];
  scratch = buildLoop(b, indexConstant(b, info.routing.getTopkGroup()), scratch,
                      [&](ImplicitLocOpBuilder &lb, Value, ValueRange args) {
                        Value best = argmaxUntaken(lb, args[0], info.numExperts,
                                                   numGroups);
                        return SmallVector<Value>{markTaken(lb, args[0], best)};
                      })[0];
  return buildLoop(
      b, indexConstant(b, numGroups), scratch,
      [&](ImplicitLocOpBuilder &lb, Value g, ValueRange args) {
        Value slot = arith::AddIOp::create(lb, base, g);
        Value kept = isNaN(lb, tensor::ExtractOp::create(lb, args[0], slot));
        Value first = arith::MulIOp::create(lb, g, size);
        Value end = arith::AddIOp::create(lb, first, size);
        return buildLoop(
            lb, first, end, args,
            [&](ImplicitLocOpBuilder &eb, Value e, ValueRange inner) {
              Value c = tensor::ExtractOp::create(eb, inner[0], e);
              Value masked = arith::SelectOp::create(
                  eb, kept, c, floatConstant(eb, info.computeType, -kInf));
              return SmallVector<Value>{
                  tensor::InsertOp::create(eb, masked, inner[0], e)};
            });
      })[0];
}

/// k rounds of argmax over the experts' c in `sel`; writes `ids[token, :]`
/// and returns the new ids, the new sel and the sum of the picked (unbiased)
/// scores.
SmallVector<Value> pickTopK(ImplicitLocOpBuilder &b, const RouterInfo &info,
                            Value token, Value ids, Value sel) {
  return buildLoop(
      b, indexConstant(b, info.routing.getK()),
      ValueRange{ids, sel, floatConstant(b, info.computeType, 0.0)},
      [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange args) {
        Value best = argmaxUntaken(lb, args[1], 0, info.numExperts);
        Value newIds =
            tensor::InsertOp::create(lb, fromIndex(lb, best, info.idType),
                                     args[0], ValueRange{token, slot});
        Value sum = arith::AddFOp::create(lb, args[2],
                                          extractScore(lb, info, token, best));
        return SmallVector<Value>{newIds, markTaken(lb, args[1], best), sum};
      });
}

/// Hash routing: `ids[token, j] = table[token_ids[token], j]`, or -1 where
/// the token id or the entry is out of range. Returns the new ids and the sum
/// of the scores at the valid ids.
SmallVector<Value> lookUpHashIds(ImplicitLocOpBuilder &b,
                                 const RouterInfo &info, Value token,
                                 Value ids) {
  Value table = info.hashTable;
  Value vocab = dimSize(b, table, 0), columns = dimSize(b, table, 1);
  Value tokenId =
      toIndex(b, tensor::ExtractOp::create(b, info.tokenIds, token));
  Value knownToken = isInRange(b, tokenId, vocab);
  Value none = indexConstant(b, -1);
  Value numExperts = indexConstant(b, info.numExperts);
  return buildLoop(
      b, indexConstant(b, info.routing.getK()),
      ValueRange{ids, floatConstant(b, info.computeType, 0.0)},
      [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange args) {
        Value inTable = arith::AndIOp::create(
            lb, knownToken,
            arith::CmpIOp::create(lb, arith::CmpIPredicate::slt, slot,
                                  columns));
        Value entry = buildIf(
            lb, inTable, lb.getIndexType(),
            [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
              return {toIndex(tb, tensor::ExtractOp::create(
                                      tb, table, ValueRange{tokenId, slot}))};
            },
            [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
              return {none};
            })[0];
        Value valid = isInRange(lb, entry, numExperts);
        Value id = arith::SelectOp::create(lb, valid, entry, none);
        Value newIds =
            tensor::InsertOp::create(lb, fromIndex(lb, id, info.idType),
                                     args[0], ValueRange{token, slot});
        Value score =
            extractScore(lb, info, token,
                         clampIndex(lb, entry, indexConstant(lb, 0),
                                    indexConstant(lb, info.numExperts - 1)));
        Value sum = arith::AddFOp::create(
            lb, args[1],
            arith::SelectOp::create(lb, valid, score,
                                    floatConstant(lb, info.computeType, 0.0)));
        return SmallVector<Value>{newIds, sum};
      });
}

/// Steps 6-8 of the contract for one selected score: renormalise, apply the
/// NaN rule, scale.
Value finishWeight(ImplicitLocOpBuilder &b, const RouterInfo &info, Value w,
                   Value sum, Value hasNaN) {
  Type type = info.computeType;
  if (info.routing.getNormTopkProb()) {
    Value denominator = info.routing.getScoring() == ScoringFunc::softmax
                            ? sum
                            : Value(arith::AddFOp::create(
                                  b, sum, floatConstant(b, type, 1e-20)));
    w = arith::DivFOp::create(b, w, denominator);
  }
  w = arith::SelectOp::create(b, hasNaN, floatConstant(b, type, kNaN), w);
  return arith::MulFOp::create(b, w,
                               floatConstant(b, type, info.routing.getScale()));
}

/// `weights[token, j]` from the ids just written; a slot without a valid id
/// (hash routing) gets weight 0.
Value writeWeights(ImplicitLocOpBuilder &b, const RouterInfo &info, Value token,
                   Value ids, Value weights, Value sum) {
  Value hasNaN = tensor::ExtractOp::create(b, info.hasNaN, token);
  Value numExperts = indexConstant(b, info.numExperts);
  return buildLoop(
      b, indexConstant(b, info.routing.getK()), weights,
      [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange args) {
        Value id = toIndex(
            lb, tensor::ExtractOp::create(lb, ids, ValueRange{token, slot}));
        Value valid = isInRange(lb, id, numExperts);
        Value score =
            extractScore(lb, info, token,
                         clampIndex(lb, id, indexConstant(lb, 0),
                                    indexConstant(lb, info.numExperts - 1)));
        Value w = arith::SelectOp::create(
            lb, valid, finishWeight(lb, info, score, sum, hasNaN),
            floatConstant(lb, info.computeType, 0.0));
        return SmallVector<Value>{
            tensor::InsertOp::create(lb, truncateTo(lb, w, info.weightType),
                                     args[0], ValueRange{token, slot})};
      })[0];
}

/// The token loop. Carries weights, ids, and for top-k routing one
/// compute-type scratch tensor: the token's c for the E experts, then the group
/// scores. One tensor rather than two: two loop-carried scratch tensors of one
/// type would share a CSE'd tensor.empty, which one-shot bufferization then
/// maps to a single buffer.
std::pair<Value, Value> routeTokens(ImplicitLocOpBuilder &b,
                                    const RouterInfo &info) {
  Value k = indexConstant(b, info.routing.getK());
  SmallVector<Value> inits = {emptyTensor(b, {info.tokens, k}, info.weightType),
                              emptyTensor(b, {info.tokens, k}, info.idType)};
  bool hash = info.tokenIds != nullptr;
  bool grouped = !hash && info.routing.isGroupLimited();
  int64_t scratchSize =
      info.numExperts + (grouped ? info.routing.getNGroup() : 0);
  if (!hash)
    inits.push_back(
        emptyTensor(b, indexConstant(b, scratchSize), info.computeType));

  SmallVector<Value> results = buildLoop(
      b, info.tokens, inits,
      [&](ImplicitLocOpBuilder &lb, Value token, ValueRange args) {
        SmallVector<Value> next(args);
        Value sum;
        if (hash) {
          SmallVector<Value> picked = lookUpHashIds(lb, info, token, args[1]);
          next[1] = picked[0];
          sum = picked[1];
        } else {
          Value sel = loadSelectionScores(lb, info, token, args[2]);
          if (grouped)
            sel = keepTopGroups(lb, info, sel);
          SmallVector<Value> picked = pickTopK(lb, info, token, args[1], sel);
          next[1] = picked[0];
          next[2] = picked[1];
          sum = picked[2];
        }
        next[0] = writeWeights(lb, info, token, next[1], args[0], sum);
        return next;
      });
  return {results[0], results[1]};
}

struct LowerRouter : OpRewritePattern<RouterOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RouterOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
    auto idsType = cast<RankedTensorType>(op.getIds().getType());
    Type logitType =
        cast<RankedTensorType>(op.getLogits().getType()).getElementType();
    RouterInfo info{op.getLogits(),
                    op.getBias(),
                    op.getTokenIds(),
                    op.getHashTable(),
                    op.getRouting(),
                    computeTypeFor(logitType),
                    weightsType.getElementType(),
                    idsType.getElementType(),
                    op.getNumExperts(),
                    dimSize(b, op.getLogits(), 0),
                    Value(),
                    Value()};
    info.scores = computeScores(b, info);
    info.hasNaN = rowsWithNaN(b, op.getLogits(), info.tokens);
    auto [weights, ids] = routeTokens(b, info);
    rewriter.replaceOp(
        op, {castTo(b, weights, weightsType), castTo(b, ids, idsType)});
    return success();
  }
};

} // namespace

void lowering::populateRouterPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerRouter>(patterns.getContext());
}
