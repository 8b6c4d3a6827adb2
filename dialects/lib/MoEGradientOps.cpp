//===- MoEGradientOps.cpp - moe backward ops and GradientOpInterface ------===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::moe;
using mlir::moe::detail::NamedTensor;
using mlir::moe::detail::OperandChecker;

#include "moec/Dialect/MoE/MoEInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// SwigluGradOp
//===----------------------------------------------------------------------===//

LogicalResult SwigluGradOp::verify() {
  // All five tensors must have exactly gate's type: the lowering is one
  // elementwise linalg.generic over them, and a static/dynamic mix would
  // only move a shape mismatch from compile time to run time.
  auto gateType = cast<RankedTensorType>(getGate().getType());
  Type elementType = gateType.getElementType();
  if (!elementType.isF32() && !elementType.isF64() && !elementType.isF16() &&
      !elementType.isBF16())
    return emitOpError() << "expected gate element type to be f32, f64, f16 "
                            "or bf16, got "
                         << elementType;
  std::pair<Value, StringRef> sameAsGate[] = {{getUp(), "up"},
                                              {getDh(), "dh"},
                                              {getDgate(), "dgate"},
                                              {getDup(), "dup"}};
  for (auto [value, name] : sameAsGate)
    if (value.getType() != gateType)
      return emitOpError() << "expected " << name << " to have gate's type "
                           << gateType << ", got " << value.getType();
  if (std::optional<APFloat> limitAttr = getLimit()) {
    double limit = limitAttr->convertToDouble();
    // NaN fails the comparison and is rejected with the rest.
    if (!(std::isfinite(limit) && limit > 0.0))
      return emitOpError() << "expected limit to be finite and positive, got "
                           << limit;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// SwigluOp: GradientOpInterface
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>>
SwigluOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  if (resultCotangents.size() != 1)
    return emitOpError() << "expected 1 result cotangent, got "
                         << resultCotangents.size();
  SmallVector<Value> operandCotangents(getNumOperands(), Value());
  Value dh = resultCotangents.front();
  if (!dh)
    return operandCotangents;
  // The fused form would need its two halves' gradients concatenated back
  // into one [..., 2*I] tensor; nothing produces that form in a gradient
  // graph yet (moe.layer decomposes into the two-operand form).
  if (isFused())
    return emitOpError() << "has no adjoint in the fused single-operand form; "
                            "split gate_up into gate and up first";
  Type type = getGate().getType();
  if (getUp().getType() != type || dh.getType() != type)
    return emitOpError() << "expected gate, up and the result cotangent to "
                            "have one type for moe.swiglu_grad, got "
                         << type << ", " << getUp().getType() << " and "
                         << dh.getType();
  auto grad = SwigluGradOp::create(b, getLoc(), TypeRange{type, type},
                                   getGate(), getUp(), dh, getLimitAttr());
  operandCotangents[0] = grad.getDgate();
  operandCotangents[1] = grad.getDup();
  return operandCotangents;
}

//===----------------------------------------------------------------------===//
// CombineGradOp
//===----------------------------------------------------------------------===//

LogicalResult CombineGradOp::verify() {
  // The operand checks of moe.combine, with dy in place of the result.
  OperandChecker check(*this);
  if (failed(detail::verifyCombineOperands(check, getExpertOut(), getPerm(),
                                           getWeights(), getDy(), "dy")))
    return failure();
  std::pair<Value, Value> sameType[] = {{getDExpertOut(), getExpertOut()},
                                        {getDWeights(), getWeights()}};
  StringRef names[][2] = {{"d_expert_out", "expert_out"},
                          {"d_weights", "weights"}};
  for (auto [index, pair] : llvm::enumerate(sameType))
    if (pair.first.getType() != pair.second.getType())
      return emitOpError() << "expected " << names[index][0] << " to have "
                           << names[index][1] << "'s type "
                           << pair.second.getType() << ", got "
                           << pair.first.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// CombineOp: GradientOpInterface
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>>
CombineOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  if (resultCotangents.size() != 1)
    return emitOpError() << "expected 1 result cotangent, got "
                         << resultCotangents.size();
  SmallVector<Value> operandCotangents(getNumOperands(), Value());
  Value dy = resultCotangents.front();
  if (!dy)
    return operandCotangents;
  if (dy.getType() != getType())
    return emitOpError() << "expected the result cotangent to have the "
                            "result's type "
                         << getType() << ", got " << dy.getType();
  auto grad = CombineGradOp::create(
      b, getLoc(), TypeRange{getExpertOut().getType(), getWeights().getType()},
      getExpertOut(), getPerm(), getWeights(), dy);
  operandCotangents[0] = grad.getDExpertOut();
  operandCotangents[2] = grad.getDWeights();
  return operandCotangents;
}

//===----------------------------------------------------------------------===//
// GroupedMatmulWgradOp
//===----------------------------------------------------------------------===//

LogicalResult GroupedMatmulWgradOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> input =
      check.tensor(getInput(), "input", {"rows", "K"});
  if (failed(input) || failed(check.floatElements(*input)))
    return failure();
  FailureOr<NamedTensor> dy = check.tensor(getDy(), "dy", {"rows", "N"});
  if (failed(dy) || failed(check.sameElements(*dy, *input)) ||
      failed(check.dimMatches(*dy, 0, *input, 0)))
    return failure();
  // The result fixes E, K and N: the lowerings loop over static experts and
  // tiles, and the operands may leave K and N dynamic (a cotangent typed
  // like a dynamic forward result).
  FailureOr<NamedTensor> dWeight =
      check.tensor(getDWeight(), "d_weight", {"experts", "K", "N"});
  if (failed(dWeight) || failed(check.sameElements(*dWeight, *input)))
    return failure();
  for (unsigned d = 0; d < 3; ++d)
    if (failed(check.staticDim(*dWeight, d)))
      return failure();
  if (failed(check.dimMatches(*input, 1, *dWeight, 1)) ||
      failed(check.dimMatches(*dy, 1, *dWeight, 2)))
    return failure();
  FailureOr<NamedTensor> offsets =
      check.tensor(getOffsets(), "offsets", {"experts + 1"});
  if (failed(offsets) || failed(check.indexElements(*offsets)) ||
      failed(check.dimEquals(*offsets, 0, dWeight->dim(0) + 1,
                             "d_weight experts = " + Twine(dWeight->dim(0)))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// GroupedMatmulOp: GradientOpInterface
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>>
GroupedMatmulOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  if (resultCotangents.size() != 1)
    return emitOpError() << "expected 1 result cotangent, got "
                         << resultCotangents.size();
  SmallVector<Value> operandCotangents(getNumOperands(), Value());
  Value dy = resultCotangents.front();
  if (!dy)
    return operandCotangents;
  if (dy.getType() != getType())
    return emitOpError() << "expected the result cotangent to have the "
                            "result's type "
                         << getType() << ", got " << dy.getType();
  Location loc = getLoc();
  // d_input = dy @ weight[e]^T per group: the same grouped GEMM on the
  // weight transposed to [E, N, K], so that the forward's CPU kernel (which
  // packs any static weight, computed or not) runs it.
  auto weightType = cast<RankedTensorType>(getWeight().getType());
  auto transposedType =
      RankedTensorType::get({weightType.getDimSize(0), weightType.getDimSize(2),
                             weightType.getDimSize(1)},
                            weightType.getElementType());
  Value init = tensor::EmptyOp::create(b, loc, transposedType.getShape(),
                                       transposedType.getElementType());
  Value transposed = linalg::TransposeOp::create(b, loc, getWeight(), init,
                                                 ArrayRef<int64_t>{0, 2, 1})
                         .getResult()[0];
  Value dInput = GroupedMatmulOp::create(b, loc, getInput().getType(), dy,
                                         transposed, getOffsets());
  Value dWeight = GroupedMatmulWgradOp::create(b, loc, weightType, getInput(),
                                               dy, getOffsets());
  operandCotangents[0] = dInput;
  operandCotangents[1] = dWeight;
  return operandCotangents;
}
