//===- MoEDispatchAdjoint.cpp - moe.dispatch: GradientOpInterface ---------===//

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Dialect/MoE/MoEUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::moe;

FailureOr<SmallVector<Value>>
DispatchOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  if (resultCotangents.size() != getNumResults())
    return emitOpError() << "expected " << getNumResults()
                         << " result cotangents, got "
                         << resultCotangents.size();
  SmallVector<Value> operandCotangents(getNumOperands(), Value());
  // Only the gathered rows carry gradient: perm and offsets are integers.
  Value dxs = resultCotangents[0];
  if (!dxs)
    return operandCotangents;
  if (dxs.getType() != getXs().getType())
    return emitOpError() << "expected the cotangent of xs to have xs's type "
                         << getXs().getType() << ", got " << dxs.getType();
  // Row i of xs is x[perm[i] / k], so x's cotangent sums, for each token,
  // the cotangent rows of its pairs: moe.combine with unit weights, which
  // already skips padding rows and pairs that got no row, and sums the
  // slots in a fixed order.
  Location loc = getLoc();
  auto xType = cast<RankedTensorType>(getX().getType());
  auto idsType = cast<RankedTensorType>(getIds().getType());
  Type element = xType.getElementType();
  Type weightElement = element.isF64() ? element : b.getF32Type();
  auto weightsType = RankedTensorType::get(idsType.getShape(), weightElement);
  Value empty = createEmptyLike(b, loc, weightsType, getIds());
  Value one =
      arith::ConstantOp::create(b, loc, b.getFloatAttr(weightElement, 1.0));
  Value ones = linalg::FillOp::create(b, loc, one, empty).getResult(0);
  operandCotangents[0] = CombineOp::create(b, loc, xType, dxs, getPerm(), ones);
  return operandCotangents;
}
