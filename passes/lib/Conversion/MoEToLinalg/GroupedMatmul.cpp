//===- GroupedMatmul.cpp - moe.grouped_matmul to per-expert GEMMs -*- C++ -*-=//
//
// One linalg.matmul per expert on the dynamic row slice [lo, hi) that the
// offsets give it: the work is proportional to the rows actually routed, never
// to E * R.
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

/// Rounds every element of the f32 `source` into `dest` (same shape), so
/// that the narrow result is written in place into the output rows.
Value truncateInto(ImplicitLocOpBuilder &b, Value source, Value dest) {
  auto destType = cast<RankedTensorType>(dest.getType());
  Type elementType = destType.getElementType();
  int64_t rank = destType.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{destType}, ValueRange{source}, ValueRange{dest}, maps,
      iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        linalg::YieldOp::create(nb, truncateFromF32(nb, args[0], elementType));
      });
  return generic.getResult(0);
}

/// What every step of the lowering needs to know about the op.
struct GroupedMatmulInfo {
  Value input, weight, offsets;
  RankedTensorType weightType;
  Type elementType;
  Value rows;

  int64_t k() const { return weightType.getDimSize(1); }
  int64_t n() const { return weightType.getDimSize(2); }
};

/// `acc[lo : lo+size] = input[lo : lo+size] @ weight[expert]`.
Value multiplyGroup(ImplicitLocOpBuilder &b, const GroupedMatmulInfo &info,
                    Value acc, Value expert, Value lo, Value size) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult k = b.getIndexAttr(info.k()), n = b.getIndexAttr(info.n());
  Value lhs = tensor::ExtractSliceOp::create(
      b, info.input, ArrayRef<OpFoldResult>{lo, zero},
      ArrayRef<OpFoldResult>{size, k}, ArrayRef<OpFoldResult>{one, one});
  auto matrixType =
      RankedTensorType::get({info.k(), info.n()}, info.elementType);
  Value rhs = tensor::ExtractSliceOp::create(
      b, matrixType, info.weight, ArrayRef<OpFoldResult>{expert, zero, zero},
      ArrayRef<OpFoldResult>{one, k, n}, ArrayRef<OpFoldResult>{one, one, one});

  SmallVector<OpFoldResult> offsets = {lo, zero}, sizes = {size, n},
                            strides = {one, one};
  Value dest = tensor::ExtractSliceOp::create(b, acc, offsets, sizes, strides);
  // An f32 or f64 result accumulates straight into its output rows (f64 in
  // f64, which the finite-difference checks of the gradients rely on); a
  // narrower one accumulates in an f32 tile that is then rounded into them.
  // Either way the group's rows are overwritten, as the contract assigns
  // them.
  bool inPlace = computeTypeFor(info.elementType) == info.elementType;
  Value tile =
      inPlace
          ? linalg::FillOp::create(b, zeroConstant(b, info.elementType), dest)
                .getResult(0)
          : zeroF32Tensor(b, {size, indexConstant(b, info.n())});
  Value product =
      linalg::MatmulOp::create(b, ValueRange{lhs, rhs}, ValueRange{tile})
          .getResult(0);
  if (!inPlace)
    product = truncateInto(b, product, dest);
  return tensor::InsertSliceOp::create(b, product, acc, offsets, sizes,
                                       strides);
}

/// `{lo, hi - lo}` for `expert`, with `lo = clamp(offsets[e], 0, R)` and
/// `hi = clamp(offsets[e+1], lo, R)`: bad offsets give wrong or empty
/// groups, never out-of-bounds slices.
std::pair<Value, Value> groupBounds(ImplicitLocOpBuilder &b,
                                    const GroupedMatmulInfo &info,
                                    Value expert) {
  Value offsets = info.offsets;
  Value next = arith::AddIOp::create(b, expert, indexConstant(b, 1));
  Value lo =
      clampIndex(b, toIndex(b, tensor::ExtractOp::create(b, offsets, expert)),
                 indexConstant(b, 0), info.rows);
  Value hi =
      clampIndex(b, toIndex(b, tensor::ExtractOp::create(b, offsets, next)), lo,
                 info.rows);
  return {lo, arith::SubIOp::create(b, hi, lo)};
}

/// Zeroes rows `[from, from + count)` of `acc`.
Value zeroRows(ImplicitLocOpBuilder &b, const GroupedMatmulInfo &info,
               Value acc, Value from, Value count) {
  SmallVector<OpFoldResult> offsets = {from, b.getIndexAttr(0)},
                            sizes = {count, b.getIndexAttr(info.n())},
                            strides(2, b.getIndexAttr(1));
  Value rows = tensor::ExtractSliceOp::create(b, acc, offsets, sizes, strides);
  Value zeros =
      linalg::FillOp::create(b, zeroConstant(b, info.elementType), rows)
          .getResult(0);
  return tensor::InsertSliceOp::create(b, zeros, acc, offsets, sizes, strides);
}

/// The result starts as tensor.empty, not as a zero-filled tensor: two
/// grouped GEMMs over the same rows (gate and up) would get one CSE'd init
/// and bufferization would then copy it. Instead each expert zeroes the rows
/// between the highest row written so far (`covered`) and its own first
/// row, and the rows past the last group are zeroed at the end. A row in no
/// group always lies in one of these gaps, and a gap never overlaps a group
/// written before it, so whatever the offsets, rows in no group end up 0.
Value lowerGroupedMatmul(ImplicitLocOpBuilder &b,
                         const GroupedMatmulInfo &info) {
  Value zero = indexConstant(b, 0);
  Value init =
      emptyTensor(b, {info.rows, indexConstant(b, info.n())}, info.elementType);
  Value numExperts = indexConstant(b, info.weightType.getDimSize(0));
  SmallVector<Value> results = buildLoop(
      b, numExperts, ValueRange{init, zero},
      [&](ImplicitLocOpBuilder &lb, Value expert, ValueRange args) {
        Value covered = args[1];
        Value lo, size;
        std::tie(lo, size) = groupBounds(lb, info, expert);
        Value gap = arith::MaxSIOp::create(
            lb, arith::SubIOp::create(lb, lo, covered), indexConstant(lb, 0));
        Value acc = zeroRows(lb, info, args[0], covered, gap);
        Value nonEmpty = arith::CmpIOp::create(lb, arith::CmpIPredicate::sgt,
                                               size, indexConstant(lb, 0));
        acc = buildIf(
            lb, nonEmpty, acc.getType(),
            [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
              return {multiplyGroup(tb, info, acc, expert, lo, size)};
            },
            [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
              return {acc};
            })[0];
        Value hi = arith::AddIOp::create(lb, lo, size);
        return SmallVector<Value>{acc, arith::MaxSIOp::create(lb, covered, hi)};
      });
  Value covered = results[1];
  Value tail = arith::SubIOp::create(b, info.rows, covered);
  return zeroRows(b, info, results[0], covered, tail);
}

struct LowerGroupedMatmul : OpRewritePattern<GroupedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto resultType = cast<RankedTensorType>(op.getType());
    GroupedMatmulInfo info{op.getInput(),
                           op.getWeight(),
                           op.getOffsets(),
                           cast<RankedTensorType>(op.getWeight().getType()),
                           resultType.getElementType(),
                           dimSize(b, op.getInput(), 0)};
    rewriter.replaceOp(op, castTo(b, lowerGroupedMatmul(b, info), resultType));
    return success();
  }
};

} // namespace

void lowering::populateGroupedMatmulPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerGroupedMatmul>(patterns.getContext());
}
