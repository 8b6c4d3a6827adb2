//===- IndexBounds.cpp - constant bounds of index values in a kernel ------===//

#include "IndexBounds.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

using Bound = std::optional<int64_t>;

Bound add(Bound a, Bound b) {
  return a && b ? llvm::checkedAdd(*a, *b) : std::nullopt;
}

Bound sub(Bound a, Bound b) {
  return a && b ? llvm::checkedSub(*a, *b) : std::nullopt;
}

bool nonNegative(const IndexRange &r) { return r.lo && *r.lo >= 0; }

IndexRange exactly(int64_t value) { return {value, value}; }

IndexRange multiply(const IndexRange &a, const IndexRange &b) {
  if (a.isBounded() && b.isBounded()) {
    IndexRange result{std::numeric_limits<int64_t>::max(),
                      std::numeric_limits<int64_t>::min()};
    for (int64_t x : {*a.lo, *a.hi})
      for (int64_t y : {*b.lo, *b.hi}) {
        Bound product = llvm::checkedMul(x, y);
        if (!product)
          return {};
        result.lo = std::min(*result.lo, *product);
        result.hi = std::max(*result.hi, *product);
      }
    return result;
  }
  // Non-negative factors with open upper ends still bound the product below.
  if (nonNegative(a) && nonNegative(b))
    return {llvm::checkedMul(*a.lo, *b.lo), std::nullopt};
  return {};
}

/// Division of a non-negative range by a positive one, rounding with `div`.
IndexRange divide(const IndexRange &a, const IndexRange &d,
                  int64_t (*div)(int64_t, int64_t)) {
  if (!nonNegative(a) || !d.isBounded() || *d.lo <= 0)
    return {};
  IndexRange result{div(*a.lo, *d.hi), std::nullopt};
  if (a.hi)
    result.hi = div(*a.hi, *d.lo);
  return result;
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b; }
int64_t ceilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0); }

/// `a rem d` for a divisor known to be positive; a signed remainder of a
/// possibly negative `a` can be negative.
IndexRange remainder(const IndexRange &a, const IndexRange &d, bool isSigned) {
  if (!d.isBounded() || *d.lo <= 0)
    return {};
  int64_t largest = *d.hi - 1;
  if (nonNegative(a))
    return {0, a.hi ? std::min(largest, *a.hi) : largest};
  if (isSigned)
    return {-largest, largest};
  return {0, largest};
}

IndexRange bitAnd(const IndexRange &a, const IndexRange &b) {
  // AND with a non-negative value clears the sign bit and cannot exceed it.
  Bound hi;
  for (const IndexRange *r : {&a, &b})
    if (nonNegative(*r) && r->hi)
      hi = hi ? std::min(*hi, *r->hi) : *r->hi;
  if (!hi)
    return {};
  return {0, hi};
}

/// The tighter of two bounds on the same side, either of which may be open.
Bound tighter(Bound a, Bound b,
              const int64_t &(*pick)(const int64_t &, const int64_t &)) {
  if (!a || !b)
    return a ? a : b;
  return pick(*a, *b);
}

IndexRange minimum(const IndexRange &a, const IndexRange &b) {
  IndexRange result;
  if (a.lo && b.lo)
    result.lo = std::min(*a.lo, *b.lo);
  // min(a, b) <= a and <= b: either upper end bounds it.
  result.hi = tighter(a.hi, b.hi, std::min<int64_t>);
  return result;
}

IndexRange maximum(const IndexRange &a, const IndexRange &b) {
  IndexRange result;
  result.lo = tighter(a.lo, b.lo, std::max<int64_t>);
  if (a.hi && b.hi)
    result.hi = std::max(*a.hi, *b.hi);
  return result;
}

IndexRange either(const IndexRange &a, const IndexRange &b) {
  IndexRange result;
  if (a.lo && b.lo)
    result.lo = std::min(*a.lo, *b.lo);
  if (a.hi && b.hi)
    result.hi = std::max(*a.hi, *b.hi);
  return result;
}

/// Unsigned min/max and casts agree with the signed ones on non-negative
/// ranges only.
IndexRange ifNonNegative(const IndexRange &result,
                         std::initializer_list<IndexRange> operands) {
  for (const IndexRange &operand : operands)
    if (!nonNegative(operand))
      return {};
  return result;
}

} // namespace

IndexRange IndexBounds::range(Value value) {
  IndexRange result = intervalOf(value);
  refineWithValueBounds(value, result, /*openEndsOnly=*/false);
  return result;
}

IndexRange IndexBounds::intervalOf(Value value) {
  auto it = cache.find(value);
  if (it != cache.end())
    return it->second;
  // An unbounded placeholder ends any cycle through graph regions.
  cache[value] = {};
  IndexRange result = compute(value);
  refineWithValueBounds(value, result, /*openEndsOnly=*/true);
  cache[value] = result;
  return result;
}

IndexRange IndexBounds::compute(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return blockArgumentRange(arg);
  return opResultRange(value.getDefiningOp());
}

IndexRange IndexBounds::blockArgumentRange(BlockArgument arg) {
  Region *region = arg.getOwner()->getParent();
  // The block id runs over the grid, the vector core id over the subblocks.
  if (region == &kernel.getCube() ||
      (region == &kernel.getVector() && arg.getArgNumber() == 0))
    return {0, static_cast<int64_t>(kernel.getGrid()) - 1};
  if (region == &kernel.getVector())
    return {0, static_cast<int64_t>(kernel.getSubblocks()) - 1};
  auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
  if (!loop || arg != loop.getInductionVar())
    return {};
  // The body only runs for lb <= iv < ub.
  return {intervalOf(loop.getLowerBound()).lo,
          sub(intervalOf(loop.getUpperBound()).hi, 1)};
}

IndexRange IndexBounds::opResultRange(Operation *op) {
  auto operand = [&](unsigned i) { return intervalOf(op->getOperand(i)); };
  return llvm::TypeSwitch<Operation *, IndexRange>(op)
      .Case([&](arith::ConstantOp constant) -> IndexRange {
        if (auto attr = dyn_cast<IntegerAttr>(constant.getValue()))
          return exactly(attr.getValue().getSExtValue());
        return {};
      })
      .Case([&](arith::AddIOp) -> IndexRange {
        return {add(operand(0).lo, operand(1).lo),
                add(operand(0).hi, operand(1).hi)};
      })
      .Case([&](arith::SubIOp) -> IndexRange {
        return {sub(operand(0).lo, operand(1).hi),
                sub(operand(0).hi, operand(1).lo)};
      })
      .Case([&](arith::MulIOp) { return multiply(operand(0), operand(1)); })
      .Case<arith::DivUIOp, arith::DivSIOp, arith::FloorDivSIOp>(
          [&](Operation *) { return divide(operand(0), operand(1), floorDiv); })
      .Case<arith::CeilDivUIOp, arith::CeilDivSIOp>(
          [&](Operation *) { return divide(operand(0), operand(1), ceilDiv); })
      .Case([&](arith::RemUIOp) {
        return remainder(operand(0), operand(1), /*isSigned=*/false);
      })
      .Case([&](arith::RemSIOp) {
        return remainder(operand(0), operand(1), /*isSigned=*/true);
      })
      .Case([&](arith::AndIOp) { return bitAnd(operand(0), operand(1)); })
      .Case([&](arith::MinSIOp) { return minimum(operand(0), operand(1)); })
      .Case([&](arith::MaxSIOp) { return maximum(operand(0), operand(1)); })
      .Case([&](arith::MinUIOp) {
        return ifNonNegative(minimum(operand(0), operand(1)),
                             {operand(0), operand(1)});
      })
      .Case([&](arith::MaxUIOp) {
        return ifNonNegative(maximum(operand(0), operand(1)),
                             {operand(0), operand(1)});
      })
      .Case([&](arith::SelectOp) { return either(operand(1), operand(2)); })
      .Case<arith::IndexCastOp, arith::ExtSIOp>(
          [&](Operation *) { return operand(0); })
      .Case<arith::IndexCastUIOp, arith::ExtUIOp>(
          [&](Operation *) { return ifNonNegative(operand(0), {operand(0)}); })
      .Default([](Operation *) { return IndexRange{}; });
}

void IndexBounds::refineWithValueBounds(Value value, IndexRange &range,
                                        bool openEndsOnly) {
  if (!value.getType().isIndex())
    return;
  using presburger::BoundType;
  if (!range.lo || !openEndsOnly) {
    FailureOr<int64_t> lo =
        ValueBoundsConstraintSet::computeConstantBound(BoundType::LB, value);
    if (succeeded(lo))
      range.lo = std::max(*lo, range.lo.value_or(*lo));
  }
  if (!range.hi || !openEndsOnly) {
    FailureOr<int64_t> hi = ValueBoundsConstraintSet::computeConstantBound(
        BoundType::UB, value, /*stopCondition=*/nullptr, /*closedUB=*/true);
    if (succeeded(hi))
      range.hi = std::min(*hi, range.hi.value_or(*hi));
  }
}

} // namespace moec::npu
