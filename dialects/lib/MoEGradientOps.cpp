//===- MoEGradientOps.cpp - moe backward ops and GradientOpInterface ------===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

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
  // The operand checks of moe.combine, with dy in place of the result and
  // f64 allowed.
  OperandChecker check(*this);
  if (failed(detail::verifyCombineOperands(check, getExpertOut(), getPerm(),
                                           getWeights(), getDy(), "dy",
                                           /*allowF64=*/true)))
    return failure();
  // One accumulation type for both results: f64 throughout or not at all.
  Type outType = getExpertOut().getType().getElementType();
  Type weightsType = getWeights().getType().getElementType();
  if (outType.isF64() != weightsType.isF64())
    return emitOpError() << "expected expert_out and weights to be both f64 "
                            "or neither, got "
                         << outType << " and " << weightsType;
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
