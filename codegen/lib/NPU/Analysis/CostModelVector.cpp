//===- CostModelVector.cpp - vector instructions of vswiglu/vroute/vaxpy --===//
//
// The vector unit computes in f32: a `rows x cols` tile is
// ceil(rows cols 4 / width) repeats per vector instruction, one repeat per
// cycle. Each op costs the instructions its lowering would issue; the
// counts below are estimates of that lowering (docs/npu-cost-model.md), not
// measurements.
//
//===----------------------------------------------------------------------===//

#include "CostModelInstructions.h"

#include "moec/Dialect/MoE/MoEAttrs.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

constexpr int64_t kF32Bytes = 4;

/// Repeats of one f32 instruction over `elements`.
int64_t repeats(int64_t elements, int64_t widthBytes) {
  return (elements * kF32Bytes + widthBytes - 1) / widthBytes;
}

std::pair<int64_t, int64_t> tileOf(Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  return {type.getDimSize(1), type.getDimSize(2)};
}

/// One conversion to or from f32 for an operand of another type.
int64_t casts(std::initializer_list<Value> buffers) {
  int64_t count = 0;
  for (Value buffer : buffers)
    count += !cast<MemRefType>(buffer.getType()).getElementType().isF32();
  return count;
}

/// silu(g) u = g u / (1 + exp(-g)): negate, exp, add, divide, two
/// multiplies; with a limit, a min on g and a clamp (min, max) on u.
int64_t swigluRepeats(VSwigluOp op, int64_t width) {
  auto [rows, cols] = tileOf(op.getGate());
  int64_t instructions = 6 + (op.getLimit() ? 3 : 0) +
                         casts({op.getGate(), op.getUp(), op.getResult()});
  return instructions * repeats(rows * cols, width);
}

/// Over the [rows, E] logits: scoring (softmax: max, subtract, exp, sum,
/// divide; sigmoid: negate, exp, add, reciprocal; sqrt(softplus): exp, add,
/// log, sqrt), the bias add, group scores and group masking, then per
/// selected expert a max, a compare and a mask. Over the [rows, k] outputs:
/// gathering the weights, and the normalisation and scaling if any.
int64_t routeRepeats(VRouteOp op, int64_t width) {
  auto [rows, experts] = tileOf(op.getLogits());
  moe::RoutingAttr routing = op.getRouting();
  int64_t k = routing.getK();
  int64_t scoring = routing.getScoring() == moe::ScoringFunc::softmax ? 5 : 4;
  int64_t overExperts = scoring + (op.getBias() ? 1 : 0) + 3 * k;
  if (routing.isGroupLimited())
    overExperts +=
        (routing.getGroupScore() == moe::GroupScore::top2_sum ? 3 : 1) +
        2 * routing.getTopkGroup();
  int64_t overSelected = 1 + (routing.getNormTopkProb() ? 2 : 0) +
                         (routing.getScale() != 1.0 ? 1 : 0);
  return overExperts * repeats(rows * experts, width) +
         overSelected * repeats(rows * k, width);
}

/// One scalar-times-row multiply-add per row (the scale is a per-row
/// scalar), after converting x to f32 if it is not.
int64_t axpyRepeats(VAxpyOp op, int64_t width) {
  auto [rows, cols] = tileOf(op.getX());
  return rows * (1 + casts({op.getX()})) * repeats(cols, width);
}

/// One conversion instruction over the tile.
int64_t castRepeats(VCastOp op, int64_t width) {
  auto [rows, cols] = tileOf(op.getSrc());
  return repeats(rows * cols, width);
}

} // namespace

int64_t vectorRepeats(Operation *op, int64_t widthBytes) {
  int64_t width = std::max<int64_t>(widthBytes, 1);
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case([&](VSwigluOp swiglu) { return swigluRepeats(swiglu, width); })
      .Case([&](VRouteOp route) { return routeRepeats(route, width); })
      .Case([&](VAxpyOp axpy) { return axpyRepeats(axpy, width); })
      .Case([&](VCastOp cast) { return castRepeats(cast, width); })
      .Default([](Operation *) { return 0; });
}

} // namespace moec::npu
