//===- Combine.cpp - moe.combine to a gather-and-reduce ---------*- C++ -*-===//
//
// Each token gathers its k rows through the inverse permutation and sums them
// in slot order: deterministic, no scatter-add, no atomics.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "moec/Conversion/LoweringUtils.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::lowering;

namespace {

struct CombineInfo {
  Value expertOut, perm, weights;
  Type elementType, computeType;
  Value rows, hidden, tokens, k, pairs;
};

/// `weights[t, j] * expert_out[inv[t*k + j], h]` in the compute type, or 0 when
/// the slot has no row; `firstPair` is `t*k`.
Value slotTerm(ImplicitLocOpBuilder &b, const CombineInfo &info, Value inv,
               Value token, Value firstPair, Value slot, Value h) {
  Value pair = arith::AddIOp::create(b, firstPair, slot);
  Value row = tensor::ExtractOp::create(b, inv, pair);
  return buildIf(
      b, isInRange(b, row, info.rows), info.computeType,
      [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
        Value weight = extendTo(tb,
                                tensor::ExtractOp::create(
                                    tb, info.weights, ValueRange{token, slot}),
                                info.computeType);
        Value x = extendTo(
            tb,
            tensor::ExtractOp::create(tb, info.expertOut, ValueRange{row, h}),
            info.computeType);
        return {arith::MulFOp::create(tb, weight, x)};
      },
      [&](ImplicitLocOpBuilder &eb) -> SmallVector<Value> {
        return {floatConstant(eb, info.computeType, 0.0)};
      })[0];
}

/// `result[t, h] = sum_j slotTerm(t, j, h)` over j = 0 .. k-1 in order.
Value reduceSlots(ImplicitLocOpBuilder &b, const CombineInfo &info, Value inv) {
  Value init = emptyTensor(b, {info.tokens, info.hidden}, info.elementType);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(2)};
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, ValueRange{}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location loc, ValueRange) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value token = linalg::IndexOp::create(nb, 0);
        Value h = linalg::IndexOp::create(nb, 1);
        Value firstPair = arith::MulIOp::create(nb, token, info.k);
        Value sum = buildLoop(
            nb, info.k, ValueRange{floatConstant(nb, info.computeType, 0.0)},
            [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange acc) {
              Value term = slotTerm(lb, info, inv, token, firstPair, slot, h);
              return SmallVector<Value>{
                  arith::AddFOp::create(lb, acc[0], term)};
            })[0];
        linalg::YieldOp::create(nb, truncateTo(nb, sum, info.elementType));
      });
  return generic.getResult(0);
}

struct LowerCombine : OpRewritePattern<CombineOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CombineOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto resultType = cast<RankedTensorType>(op.getType());
    Value out = op.getExpertOut(), weights = op.getWeights();
    CombineInfo info{out,
                     op.getPerm(),
                     weights,
                     resultType.getElementType(),
                     computeTypeFor(resultType.getElementType()),
                     dimSize(b, out, 0),
                     dimSize(b, out, 1),
                     dimSize(b, weights, 0),
                     dimSize(b, weights, 1),
                     Value()};
    info.pairs = b.createOrFold<arith::MulIOp>(info.tokens, info.k);
    Value inv = invertPermutation(b, info.perm, info.pairs);
    rewriter.replaceOp(op, castTo(b, reduceSlots(b, info, inv), resultType));
    return success();
  }
};

} // namespace

void lowering::populateCombinePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerCombine>(patterns.getContext());
}
