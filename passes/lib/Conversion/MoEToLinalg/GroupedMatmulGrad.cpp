//===- GroupedMatmulGrad.cpp - moe.grouped_matmul_wgrad to linalg ---------===//
//
// One reduction per expert over the dynamic row slice [lo, hi) that the
// offsets give it, as for the forward: the work is proportional to the rows
// actually routed. The reduction is a linalg.generic whose outermost loop is
// the row, so every element of d_weight sums its rows in ascending order
// (the order the CPU kernel uses too) and the loops read both operands row
// by row.
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

/// What every step of the lowering needs to know about the op.
struct WgradInfo {
  /// input [rows, K] and dy [rows, N], cast to their static column counts.
  Value input, dy, offsets;
  Value rows;
  int64_t experts, k, n;
  Type elementType, computeType;
};

/// `{lo, hi - lo}` for `expert`, with `lo = clamp(offsets[e], 0, R)` and
/// `hi = clamp(offsets[e+1], lo, R)`, exactly as the forward clamps them.
std::pair<Value, Value> groupBounds(ImplicitLocOpBuilder &b,
                                    const WgradInfo &info, Value expert) {
  Value next = arith::AddIOp::create(b, expert, indexConstant(b, 1));
  Value lo = clampIndex(
      b, toIndex(b, tensor::ExtractOp::create(b, info.offsets, expert)),
      indexConstant(b, 0), info.rows);
  Value hi = clampIndex(
      b, toIndex(b, tensor::ExtractOp::create(b, info.offsets, next)), lo,
      info.rows);
  return {lo, arith::SubIOp::create(b, hi, lo)};
}

/// `tile[k, n] += sum_r lhs[r, k] * rhs[r, n]` in the tile's type, rows
/// outermost and ascending.
Value accumulateGroup(ImplicitLocOpBuilder &b, const WgradInfo &info, Value lhs,
                      Value rhs, Value tile) {
  MLIRContext *context = b.getContext();
  AffineExpr r, k, n;
  bindDims(context, r, k, n);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {r, k}, context),
                                 AffineMap::get(3, 0, {r, n}, context),
                                 AffineMap::get(3, 0, {k, n}, context)};
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::reduction,
                                                utils::IteratorType::parallel,
                                                utils::IteratorType::parallel};
  Type accType = cast<RankedTensorType>(tile.getType()).getElementType();
  auto generic = linalg::GenericOp::create(
      b, TypeRange{tile.getType()}, ValueRange{lhs, rhs}, ValueRange{tile},
      maps, iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value product = arith::MulFOp::create(
            nb, extendTo(nb, args[0], accType), extendTo(nb, args[1], accType));
        Value sum = arith::AddFOp::create(nb, args[2], product);
        linalg::YieldOp::create(nb, sum);
      });
  return generic.getResult(0);
}

/// Rounds every element of the f32 `source` into `dest` (same shape).
Value truncateInto(ImplicitLocOpBuilder &b, Value source, Value dest) {
  auto destType = cast<RankedTensorType>(dest.getType());
  int64_t rank = destType.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{destType}, ValueRange{source}, ValueRange{dest}, maps,
      iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        linalg::YieldOp::create(
            nb, truncateTo(nb, args[0], destType.getElementType()));
      });
  return generic.getResult(0);
}

/// The result starts as tensor.empty and every expert overwrites its
/// [K, N] slice: zeros for an empty group, else the group's sum. f32 and
/// f64 accumulate straight into the slice; f16 and bf16 in an f32 tile
/// rounded into it once at the end.
Value lowerWgrad(ImplicitLocOpBuilder &b, const WgradInfo &info) {
  int64_t k = info.k, n = info.n;
  Value init = emptyTensor(b,
                           {indexConstant(b, info.experts), indexConstant(b, k),
                            indexConstant(b, n)},
                           info.elementType);
  bool inPlace = info.computeType == info.elementType;
  auto sliceType = RankedTensorType::get({k, n}, info.elementType);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return buildLoop(
      b, indexConstant(b, info.experts), ValueRange{init},
      [&](ImplicitLocOpBuilder &lb, Value expert, ValueRange args) {
        auto [lo, size] = groupBounds(lb, info, expert);
        SmallVector<OpFoldResult> offsets = {expert, zero, zero};
        SmallVector<OpFoldResult> sizes = {one, lb.getIndexAttr(k),
                                           lb.getIndexAttr(n)};
        SmallVector<OpFoldResult> strides(3, one);
        Value dest = tensor::ExtractSliceOp::create(lb, sliceType, args[0],
                                                    offsets, sizes, strides);
        Value zeroed =
            linalg::FillOp::create(lb, zeroConstant(lb, info.elementType), dest)
                .getResult(0);
        Value nonEmpty = arith::CmpIOp::create(lb, arith::CmpIPredicate::sgt,
                                               size, indexConstant(lb, 0));
        Value slice = buildIf(
            lb, nonEmpty, sliceType,
            [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
              Value lhs = tensor::ExtractSliceOp::create(
                  tb, info.input, ArrayRef<OpFoldResult>{lo, zero},
                  ArrayRef<OpFoldResult>{size, tb.getIndexAttr(k)},
                  ArrayRef<OpFoldResult>{one, one});
              Value rhs = tensor::ExtractSliceOp::create(
                  tb, info.dy, ArrayRef<OpFoldResult>{lo, zero},
                  ArrayRef<OpFoldResult>{size, tb.getIndexAttr(n)},
                  ArrayRef<OpFoldResult>{one, one});
              if (inPlace)
                return {accumulateGroup(tb, info, lhs, rhs, zeroed)};
              Value tile = zeroF32Tensor(
                  tb, {indexConstant(tb, k), indexConstant(tb, n)});
              return {truncateInto(
                  tb, accumulateGroup(tb, info, lhs, rhs, tile), zeroed)};
            },
            [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
              return {zeroed};
            })[0];
        return SmallVector<Value>{tensor::InsertSliceOp::create(
            lb, slice, args[0], offsets, sizes, strides)};
      })[0];
}

struct LowerGroupedMatmulWgrad : OpRewritePattern<GroupedMatmulWgradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupedMatmulWgradOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto dyType = cast<RankedTensorType>(op.getDy().getType());
    Type elementType = resultType.getElementType();
    int64_t k = resultType.getDimSize(1), n = resultType.getDimSize(2);
    // The verifier lets the operands leave K and N dynamic; the result fixes
    // them, so the slices get static column counts.
    Value input = castTo(
        b, op.getInput(),
        RankedTensorType::get({inputType.getDimSize(0), k}, elementType));
    Value dy =
        castTo(b, op.getDy(),
               RankedTensorType::get({dyType.getDimSize(0), n}, elementType));
    // Both row counts agree in a valid call; the smaller one keeps a
    // mismatched call inside both buffers.
    Value rows = b.createOrFold<arith::MinSIOp>(dimSize(b, op.getInput(), 0),
                                                dimSize(b, op.getDy(), 0));
    WgradInfo info{input,
                   dy,
                   op.getOffsets(),
                   rows,
                   resultType.getDimSize(0),
                   k,
                   n,
                   elementType,
                   computeTypeFor(elementType)};
    rewriter.replaceOp(op, lowerWgrad(b, info));
    return success();
  }
};

} // namespace

void lowering::populateGroupedMatmulGradPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerGroupedMatmulWgrad>(patterns.getContext());
}
