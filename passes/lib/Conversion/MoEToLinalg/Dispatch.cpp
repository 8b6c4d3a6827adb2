//===- Dispatch.cpp - moe.dispatch to a counting sort and a gather -*- C++ -*-//
//
// A stable counting sort of the T*k (token, slot) pairs by expert id: count
// the pairs of every expert, lay the groups out with an exclusive prefix sum,
// then scatter the pairs in increasing pair order, which keeps each group
// sorted by pair index. The token rows are then gathered through the
// permutation.
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

struct DispatchInfo {
  Value x, ids;
  Type elementType, intType;
  int64_t numExperts;
  std::optional<int64_t> block, capacity;
  Value tokens, k, pairs;
};

/// The groups once laid out: `offsets` as the op returns them, `cursors[e]`
/// the first row of group e (where its first pair goes) and `rows` = R.
struct GroupLayout {
  Value offsets, cursors, rows;
};

/// Calls `body(pair, id)` for every pair `t*k + j` in increasing order, with
/// `id = ids[t, j]` as an index; threads `inits` through both loops.
SmallVector<Value>
forEachPair(ImplicitLocOpBuilder &b, const DispatchInfo &info, ValueRange inits,
            function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value pair,
                                            Value id, ValueRange args)>
                body) {
  Value ids = info.ids;
  return buildLoop(
      b, info.tokens, inits,
      [&](ImplicitLocOpBuilder &tb, Value token, ValueRange tokenArgs) {
        Value first = arith::MulIOp::create(tb, token, info.k);
        return buildLoop(
            tb, info.k, tokenArgs,
            [&](ImplicitLocOpBuilder &sb, Value slot, ValueRange args) {
              Value pair = arith::AddIOp::create(sb, first, slot);
              Value id = toIndex(sb, tensor::ExtractOp::create(
                                         sb, ids, ValueRange{token, slot}));
              return body(sb, pair, id, args);
            });
      });
}

/// `counts[e]` = number of pairs with id e; ids outside `[0, E)` count
/// nowhere.
Value countPairs(ImplicitLocOpBuilder &b, const DispatchInfo &info) {
  Value numExperts = indexConstant(b, info.numExperts);
  Value init = filledTensor(b, numExperts, indexConstant(b, 0));
  return forEachPair(
      b, info, init,
      [&](ImplicitLocOpBuilder &pb, Value, Value id, ValueRange args) {
        Value counts = args[0];
        Value valid = isInRange(pb, id, numExperts);
        // Branch-free: an invalid id adds 0 to a clamped, in-range slot.
        Value slot = clampIndex(pb, id, indexConstant(pb, 0),
                                indexConstant(pb, info.numExperts - 1));
        Value increment = arith::SelectOp::create(
            pb, valid, indexConstant(pb, 1), indexConstant(pb, 0));
        Value count = arith::AddIOp::create(
            pb, tensor::ExtractOp::create(pb, counts, slot), increment);
        return SmallVector<Value>{
            tensor::InsertOp::create(pb, count, counts, slot)};
      })[0];
}

/// Rows reserved for a group of `count` pairs.
Value groupRows(ImplicitLocOpBuilder &b, const DispatchInfo &info,
                Value count) {
  if (info.capacity)
    return indexConstant(b, *info.capacity);
  if (!info.block)
    return count;
  // ceil(count / B) * B, with unsigned division: counts are never negative.
  Value block = indexConstant(b, *info.block);
  Value padded =
      arith::AddIOp::create(b, count, indexConstant(b, *info.block - 1));
  return arith::MulIOp::create(b, arith::DivUIOp::create(b, padded, block),
                               block);
}

/// Exclusive prefix sum of the group sizes. `counts` is reused as the cursor
/// tensor: each entry is read once, then overwritten with its group's start.
GroupLayout layoutGroups(ImplicitLocOpBuilder &b, const DispatchInfo &info,
                         Value counts) {
  Value zero = indexConstant(b, 0);
  Value offsetsInit =
      emptyTensor(b, indexConstant(b, info.numExperts + 1), info.intType);
  SmallVector<Value> results = buildLoop(
      b, indexConstant(b, info.numExperts),
      ValueRange{offsetsInit, counts, zero, zero},
      [&](ImplicitLocOpBuilder &lb, Value expert, ValueRange args) {
        Value offsets = args[0], cursors = args[1], start = args[2],
              validPairs = args[3];
        Value count = tensor::ExtractOp::create(lb, cursors, expert);
        offsets = tensor::InsertOp::create(
            lb, fromIndex(lb, start, info.intType), offsets, expert);
        cursors = tensor::InsertOp::create(lb, start, cursors, expert);
        Value end =
            arith::AddIOp::create(lb, start, groupRows(lb, info, count));
        return SmallVector<Value>{offsets, cursors, end,
                                  arith::AddIOp::create(lb, validPairs, count)};
      });
  Value groupedRows = results[2], validPairs = results[3];
  Value offsets =
      tensor::InsertOp::create(b, fromIndex(b, groupedRows, info.intType),
                               results[0], indexConstant(b, info.numExperts));

  Value rows = info.pairs;
  if (info.capacity) {
    rows = indexConstant(b, info.numExperts * *info.capacity);
  } else if (info.block) {
    // Pairs with an invalid id occupy padding rows after every group.
    Value invalidPairs = arith::SubIOp::create(b, info.pairs, validPairs);
    rows = arith::AddIOp::create(b, groupedRows, invalidPairs);
  }
  return {offsets, results[1], rows};
}

/// Writes every valid pair at its expert's cursor, in pair order; all other
/// rows keep perm = -1. With a capacity, pairs past the first C of their
/// expert are dropped.
Value scatterPairs(ImplicitLocOpBuilder &b, const DispatchInfo &info,
                   const GroupLayout &layout) {
  Value numExperts = indexConstant(b, info.numExperts);
  Value lastRow =
      b.createOrFold<arith::SubIOp>(layout.rows, indexConstant(b, 1));
  Value init = filledTensor(
      b, layout.rows,
      arith::ConstantOp::create(b, b.getIntegerAttr(info.intType, -1)));
  auto scatter = [&](ImplicitLocOpBuilder &pb, Value pair, Value id,
                     ValueRange args) -> SmallVector<Value> {
    Value perm = args[0], cursors = args[1];
    return buildIf(
        pb, isInRange(pb, id, numExperts), TypeRange{args},
        [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
          Value row = tensor::ExtractOp::create(tb, cursors, id);
          Value next = arith::AddIOp::create(tb, row, indexConstant(tb, 1));
          // The cursors stay inside R by construction; the clamp makes that
          // independent of the counting pass.
          Value target = clampIndex(tb, row, indexConstant(tb, 0), lastRow);
          Value value = fromIndex(tb, pair, info.intType);
          if (info.capacity) {
            Value groupEnd = arith::MulIOp::create(
                tb, arith::AddIOp::create(tb, id, indexConstant(tb, 1)),
                indexConstant(tb, *info.capacity));
            Value keep = arith::CmpIOp::create(tb, arith::CmpIPredicate::slt,
                                               row, groupEnd);
            value = arith::SelectOp::create(
                tb, keep, value, tensor::ExtractOp::create(tb, perm, target));
            next = arith::SelectOp::create(tb, keep, next, row);
          }
          return {tensor::InsertOp::create(tb, value, perm, target),
                  tensor::InsertOp::create(tb, next, cursors, id)};
        },
        [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
          return {perm, cursors};
        });
  };
  return forEachPair(b, info, ValueRange{init, layout.cursors}, scatter)[0];
}

/// `xs[i, h] = x[perm[i] / k, h]`, or 0 on a padding row.
Value gatherRows(ImplicitLocOpBuilder &b, const DispatchInfo &info, Value perm,
                 Value rows) {
  Value x = info.x;
  Value xTokens = dimSize(b, x, 0);
  Value hidden = dimSize(b, x, 1);
  // Only divides valid pairs, which exist only when k >= 1.
  Value divisor = b.createOrFold<arith::MaxSIOp>(info.k, indexConstant(b, 1));
  Value init = emptyTensor(b, {rows, hidden}, info.elementType);
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::get(2, 0, getAffineDimExpr(0, context)),
      b.getMultiDimIdentityMap(2)};
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, ValueRange{perm}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value pair = toIndex(nb, args[0]);
        Value valid = isInRange(nb, pair, info.pairs);
        Value token = arith::DivUIOp::create(
            nb, arith::SelectOp::create(nb, valid, pair, indexConstant(nb, 0)),
            divisor);
        Value inX = arith::AndIOp::create(
            nb, valid,
            arith::CmpIOp::create(nb, arith::CmpIPredicate::slt, token,
                                  xTokens));
        Value h = linalg::IndexOp::create(nb, 1);
        Value value = buildIf(
            nb, inX, info.elementType,
            [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
              return {tensor::ExtractOp::create(tb, x, ValueRange{token, h})};
            },
            [&](ImplicitLocOpBuilder &eb) -> SmallVector<Value> {
              return {zeroConstant(eb, info.elementType)};
            })[0];
        linalg::YieldOp::create(nb, value);
      });
  return generic.getResult(0);
}

struct LowerDispatch : OpRewritePattern<DispatchOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DispatchOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto permType = cast<RankedTensorType>(op.getPerm().getType());
    DispatchInfo info{
        op.getX(),
        op.getIds(),
        cast<RankedTensorType>(op.getXs().getType()).getElementType(),
        permType.getElementType(),
        static_cast<int64_t>(op.getNumExperts()),
        std::nullopt,
        std::nullopt,
        dimSize(b, op.getIds(), 0),
        dimSize(b, op.getIds(), 1),
        Value()};
    if (std::optional<uint64_t> block = op.getBlock())
      info.block = static_cast<int64_t>(*block);
    if (std::optional<uint64_t> capacity = op.getCapacity())
      info.capacity = static_cast<int64_t>(*capacity);
    info.pairs = b.createOrFold<arith::MulIOp>(info.tokens, info.k);

    // With a capacity every group has C rows whatever its count.
    Value counts = info.capacity
                       ? filledTensor(b, indexConstant(b, info.numExperts),
                                      indexConstant(b, 0))
                       : countPairs(b, info);
    GroupLayout layout = layoutGroups(b, info, counts);
    Value perm = scatterPairs(b, info, layout);
    Value xs = gatherRows(b, info, perm, layout.rows);
    rewriter.replaceOp(
        op, {castTo(b, xs, op.getXs().getType()), castTo(b, perm, permType),
             castTo(b, layout.offsets, op.getOffsets().getType())});
    return success();
  }
};

} // namespace

void lowering::populateDispatchPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerDispatch>(patterns.getContext());
}
