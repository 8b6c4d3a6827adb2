//===- RouterGrad.cpp - moe.router_grad to two linalg.generic ops ---------===//
//
// Two generics, both parallel over tokens and each element computed by one
// loop nest in a fixed order (deterministic for any thread count):
//
// 1. per token `[T]`: the quantities every expert of the row needs: the
//    softmax max and sum (the forward's p = exp(l - max) / sum), the
//    renormalisation's denominator D and beta = sum_j (s_j / D) g_j, for
//    softmax gamma = sum_j s_j ds_j, and otherwise a NaN-logit flag;
// 2. per element `[T, E]`: dS[e] = the sum of ds_j over the slots that
//    picked e (repeated ids accumulate), times the score's derivative.
//
// The slot scores s_j are recomputed from the logits with the forward's own
// formulas (RouterScores.h) rather than read from the forward, so that the
// op needs only the forward's operands and ids.
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

struct RouterGradInfo {
  Value logits, ids, dWeights;
  RoutingAttr routing;
  Type elementType, computeType;
  int64_t numExperts;
  Value tokens;

  bool isSoftmax() const {
    return routing.getScoring() == ScoringFunc::softmax;
  }
  bool normalises() const { return routing.getNormTopkProb(); }

  Value constant(ImplicitLocOpBuilder &b, double value) const {
    return floatConstant(b, computeType, value);
  }
  Value logit(ImplicitLocOpBuilder &b, Value token, Value expert) const {
    return extendTo(
        b, tensor::ExtractOp::create(b, logits, ValueRange{token, expert}),
        computeType);
  }
  /// ids[token, slot] as an index (possibly out of range).
  Value id(ImplicitLocOpBuilder &b, Value token, Value slot) const {
    return toIndex(b,
                   tensor::ExtractOp::create(b, ids, ValueRange{token, slot}));
  }
  /// g_j = routed_scaling_factor * d_weights[token, slot].
  Value scaledCotangent(ImplicitLocOpBuilder &b, Value token,
                        Value slot) const {
    Value dw = extendTo(
        b, tensor::ExtractOp::create(b, dWeights, ValueRange{token, slot}),
        computeType);
    return arith::MulFOp::create(b, dw, constant(b, routing.getScale()));
  }
};

/// The per-token quantities of step 1, each a `[T]` tensor (null where the
/// routing does not need it).
struct RowStats {
  Value max, sum;          // softmax
  Value denominator, beta; // norm_topk_prob
  Value gamma;             // softmax
  Value hasNaN;            // sigmoid, sqrtsoftplus

  SmallVector<Value> all() const {
    SmallVector<Value> values;
    for (Value v : {max, sum, denominator, beta, gamma, hasNaN})
      if (v)
        values.push_back(v);
    return values;
  }
};

/// The forward's score of a compute-type logit; for softmax, p from the
/// row's max and sum exactly as the forward divides them.
Value score(ImplicitLocOpBuilder &b, const RouterGradInfo &info, Value logit,
            Value max, Value sum) {
  switch (info.routing.getScoring()) {
  case ScoringFunc::softmax:
    return arith::DivFOp::create(
        b, math::ExpOp::create(b, arith::SubFOp::create(b, logit, max)), sum);
  case ScoringFunc::sigmoid:
    return sigmoidScore(b, logit);
  case ScoringFunc::sqrtsoftplus:
    return sqrtSoftplusScore(b, logit);
  }
  llvm_unreachable("unknown scoring function");
}

/// ds_j from g_j: (g_j - beta) / D with renormalisation, g_j without.
Value slotGradient(ImplicitLocOpBuilder &b, const RouterGradInfo &info, Value g,
                   Value denominator, Value beta) {
  if (!info.normalises())
    return g;
  return arith::DivFOp::create(b, arith::SubFOp::create(b, g, beta),
                               denominator);
}

/// `sum_{j < k} select(valid_j, term(j), 0)` in slot order; `term` gets the
/// slot and its (clamped, so always addressable) id.
Value sumOverSlots(
    ImplicitLocOpBuilder &b, const RouterGradInfo &info, Value token,
    function_ref<Value(ImplicitLocOpBuilder &, Value slot, Value id)> term) {
  Value numExperts = indexConstant(b, info.numExperts);
  return buildLoop(
      b, indexConstant(b, info.routing.getK()),
      ValueRange{info.constant(b, 0.0)},
      [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange acc) {
        Value id = info.id(lb, token, slot);
        Value valid = isInRange(lb, id, numExperts);
        Value safeId = clampIndex(lb, id, indexConstant(lb, 0),
                                  indexConstant(lb, info.numExperts - 1));
        // A slot without a valid id has the constant weight 0 in the
        // forward: whatever its d_weights holds (even NaN) contributes 0.
        Value value = arith::SelectOp::create(lb, valid, term(lb, slot, safeId),
                                              info.constant(lb, 0.0));
        return SmallVector<Value>{arith::AddFOp::create(lb, acc[0], value)};
      })[0];
}

/// Step 1: one linalg.generic over tokens with one output per quantity.
RowStats computeRowStats(ImplicitLocOpBuilder &b, const RouterGradInfo &info) {
  bool softmax = info.isSoftmax(), norm = info.normalises();
  SmallVector<Type> types;
  int numFloats = (softmax ? 3 : 0) + (norm ? 2 : 0);
  types.append(numFloats, info.computeType);
  if (!softmax)
    types.push_back(b.getI1Type());
  // One tensor.empty per output: they are distinct buffers.
  SmallVector<Value> inits;
  for (Type type : types)
    inits.push_back(emptyTensor(b, info.tokens, type));
  SmallVector<Type> resultTypes;
  for (Value init : inits)
    resultTypes.push_back(init.getType());
  SmallVector<AffineMap> maps(inits.size(), b.getMultiDimIdentityMap(1));
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel};

  auto generic = linalg::GenericOp::create(
      b, resultTypes, ValueRange{}, inits, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value token = linalg::IndexOp::create(nb, 0);
        Value numExperts = indexConstant(nb, info.numExperts);
        SmallVector<Value> yields;

        // The forward's stable softmax: the row max (maximumf keeps NaN),
        // then the sum of exp(l - max), both over experts in order.
        Value max, sum;
        if (softmax) {
          max =
              buildLoop(nb, numExperts, ValueRange{info.constant(nb, -kInf)},
                        [&](ImplicitLocOpBuilder &lb, Value e, ValueRange acc) {
                          return SmallVector<Value>{arith::MaximumFOp::create(
                              lb, info.logit(lb, token, e), acc[0])};
                        })[0];
          sum =
              buildLoop(nb, numExperts, ValueRange{info.constant(nb, 0.0)},
                        [&](ImplicitLocOpBuilder &lb, Value e, ValueRange acc) {
                          Value shifted = arith::SubFOp::create(
                              lb, info.logit(lb, token, e), max);
                          return SmallVector<Value>{arith::AddFOp::create(
                              lb, acc[0], math::ExpOp::create(lb, shifted))};
                        })[0];
          yields.append({max, sum});
        }
        auto slotScore = [&](ImplicitLocOpBuilder &lb, Value id) {
          return score(lb, info, info.logit(lb, token, id), max, sum);
        };

        // D = sum of the selected scores in slot order (the forward's sum),
        // plus 1e-20 unless softmax; beta = sum_j (s_j / D) g_j.
        Value denominator, beta;
        if (norm) {
          denominator = sumOverSlots(
              nb, info, token, [&](ImplicitLocOpBuilder &lb, Value, Value id) {
                return slotScore(lb, id);
              });
          if (!softmax)
            denominator = arith::AddFOp::create(nb, denominator,
                                                info.constant(nb, 1e-20));
          beta = sumOverSlots(
              nb, info, token,
              [&](ImplicitLocOpBuilder &lb, Value slot, Value id) -> Value {
                Value w =
                    arith::DivFOp::create(lb, slotScore(lb, id), denominator);
                return arith::MulFOp::create(
                    lb, w, info.scaledCotangent(lb, token, slot));
              });
          yields.append({denominator, beta});
        }

        if (softmax) {
          // gamma = sum_j s_j ds_j, the softmax Jacobian's rank-one part.
          Value gamma = sumOverSlots(
              nb, info, token,
              [&](ImplicitLocOpBuilder &lb, Value slot, Value id) -> Value {
                Value ds = slotGradient(lb, info,
                                        info.scaledCotangent(lb, token, slot),
                                        denominator, beta);
                return arith::MulFOp::create(lb, slotScore(lb, id), ds);
              });
          yields.push_back(gamma);
        } else {
          // The forward makes a NaN-logit row's weights NaN; softmax gets
          // that from its NaN max, the others from this flag.
          Value noNaN = arith::ConstantOp::create(nb, nb.getBoolAttr(false));
          yields.push_back(buildLoop(
              nb, numExperts, ValueRange{noNaN},
              [&](ImplicitLocOpBuilder &lb, Value e, ValueRange acc) {
                Value logit = tensor::ExtractOp::create(lb, info.logits,
                                                        ValueRange{token, e});
                return SmallVector<Value>{
                    arith::OrIOp::create(lb, acc[0], isNaN(lb, logit))};
              })[0]);
        }
        linalg::YieldOp::create(nb, yields);
      });

  RowStats stats;
  ValueRange results = generic.getResults();
  unsigned next = 0;
  if (softmax) {
    stats.max = results[next++];
    stats.sum = results[next++];
  }
  if (norm) {
    stats.denominator = results[next++];
    stats.beta = results[next++];
  }
  if (softmax)
    stats.gamma = results[next++];
  else
    stats.hasNaN = results[next++];
  return stats;
}

/// Step 2: d_logits[t, e] over `[T, E]`, the row's quantities broadcast.
Value computeLogitGradients(ImplicitLocOpBuilder &b, const RouterGradInfo &info,
                            const RowStats &stats) {
  SmallVector<Value> rowInputs = stats.all();
  SmallVector<Value> inputs = {info.logits};
  inputs.append(rowInputs);
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(2)};
  maps.append(rowInputs.size(),
              AffineMap::get(2, 0, getAffineDimExpr(0, context)));
  maps.push_back(b.getMultiDimIdentityMap(2));
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  Value init = emptyTensor(b, {info.tokens, indexConstant(b, info.numExperts)},
                           info.elementType);
  bool softmax = info.isSoftmax(), norm = info.normalises();

  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value token = linalg::IndexOp::create(nb, 0);
        Value expert = linalg::IndexOp::create(nb, 1);
        Value logit = extendTo(nb, args[0], info.computeType);
        unsigned next = 1;
        Value max, sum, denominator, beta, gamma, hasNaN;
        if (softmax) {
          max = args[next++];
          sum = args[next++];
        }
        if (norm) {
          denominator = args[next++];
          beta = args[next++];
        }
        if (softmax)
          gamma = args[next++];
        else
          hasNaN = args[next++];

        // dS[e]: the slots that picked e, in slot order. An id outside
        // [0, E) never equals e, so hash-table misses drop out here too.
        Value dS = buildLoop(
            nb, indexConstant(nb, info.routing.getK()),
            ValueRange{info.constant(nb, 0.0)},
            [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange acc) {
              Value picked =
                  arith::CmpIOp::create(lb, arith::CmpIPredicate::eq,
                                        info.id(lb, token, slot), expert);
              Value ds =
                  slotGradient(lb, info, info.scaledCotangent(lb, token, slot),
                               denominator, beta);
              Value term = arith::SelectOp::create(lb, picked, ds,
                                                   info.constant(lb, 0.0));
              return SmallVector<Value>{
                  arith::AddFOp::create(lb, acc[0], term)};
            })[0];

        Value grad;
        switch (info.routing.getScoring()) {
        case ScoringFunc::softmax: {
          // dl = p (dS - gamma): every expert of the row gets a gradient.
          Value p = score(nb, info, logit, max, sum);
          grad = arith::MulFOp::create(nb, p,
                                       arith::SubFOp::create(nb, dS, gamma));
          break;
        }
        case ScoringFunc::sigmoid: {
          // s' = s (1 - s).
          Value s = sigmoidScore(nb, logit);
          Value derivative = arith::MulFOp::create(
              nb, s, arith::SubFOp::create(nb, info.constant(nb, 1.0), s));
          grad = arith::MulFOp::create(nb, dS, derivative);
          break;
        }
        case ScoringFunc::sqrtsoftplus: {
          // s' = sigmoid(l) / (2 s); where softplus underflows to 0 (very
          // negative l) the true derivative tends to 0, not inf or NaN.
          Value s = sqrtSoftplusScore(nb, logit);
          Value numerator =
              arith::MulFOp::create(nb, dS, sigmoidScore(nb, logit));
          Value twoS = arith::AddFOp::create(nb, s, s);
          Value zeroScore = arith::CmpFOp::create(nb, arith::CmpFPredicate::OEQ,
                                                  s, info.constant(nb, 0.0));
          grad = arith::SelectOp::create(
              nb, zeroScore, info.constant(nb, 0.0),
              arith::DivFOp::create(nb, numerator, twoS));
          break;
        }
        }
        if (hasNaN)
          grad = arith::SelectOp::create(nb, hasNaN, info.constant(nb, kNaN),
                                         grad);
        linalg::YieldOp::create(nb, truncateTo(nb, grad, info.elementType));
      });
  return generic.getResult(0);
}

struct LowerRouterGrad : OpRewritePattern<RouterGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RouterGradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto logitsType = cast<RankedTensorType>(op.getLogits().getType());
    Type elementType = logitsType.getElementType();
    // The bias only chose the ids, which are given: it is not read.
    RouterGradInfo info{op.getLogits(),
                        op.getIds(),
                        op.getDWeights(),
                        op.getRouting(),
                        elementType,
                        computeTypeFor(elementType),
                        logitsType.getDimSize(1),
                        dimSize(b, op.getLogits(), 0)};
    RowStats stats = computeRowStats(b, info);
    Value dLogits = computeLogitGradients(b, info, stats);
    rewriter.replaceOp(op, castTo(b, dLogits, logitsType));
    return success();
  }
};

} // namespace

void lowering::populateRouterGradPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerRouterGrad>(patterns.getContext());
}
