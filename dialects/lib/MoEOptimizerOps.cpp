//===- MoEOptimizerOps.cpp - verifiers of the moe optimizer ops -*- C++ -*-===//

#include "moec/Dialect/MoE/MoEOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::moe;

//===----------------------------------------------------------------------===//
// AdamWOp
//===----------------------------------------------------------------------===//

LogicalResult AdamWOp::verify() {
  // Every elementwise tensor must have exactly param's type: the lowering
  // runs one linalg.generic over all of them, and a static/dynamic mix would
  // only move a shape mismatch from compile time to run time.
  auto paramType = cast<RankedTensorType>(getParam().getType());
  Type elementType = paramType.getElementType();
  if (!elementType.isF32() && !elementType.isF64() && !elementType.isF16() &&
      !elementType.isBF16())
    return emitOpError() << "expected param element type to be f32, f64, f16 "
                            "or bf16, got "
                         << elementType;
  std::pair<Value, StringRef> sameAsParam[] = {
      {getGrad(), "grad"},          {getM(), "m"},        {getV(), "v"},
      {getNewParam(), "new_param"}, {getNewM(), "new_m"}, {getNewV(), "new_v"}};
  for (auto [value, name] : sameAsParam)
    if (value.getType() != paramType)
      return emitOpError() << "expected " << name << " to have param's type "
                           << paramType << ", got " << value.getType();

  auto stepType = cast<RankedTensorType>(getStep().getType());
  Type stepElement = stepType.getElementType();
  if (stepType.getRank() != 0 ||
      !(stepElement.isInteger(32) || stepElement.isInteger(64)))
    return emitOpError() << "expected step to be a rank-0 tensor of i32 or "
                            "i64 (the step count, from 1), got "
                         << stepType;

  // Hyper-parameters: NaN fails every comparison below, so it is rejected
  // along with the out-of-range values.
  auto checkBeta = [&](double beta, StringRef name) -> LogicalResult {
    if (beta >= 0.0 && beta < 1.0)
      return success();
    return emitOpError() << "expected " << name << " in [0, 1), got " << beta;
  };
  if (failed(checkBeta(getBeta1().convertToDouble(), "beta1")) ||
      failed(checkBeta(getBeta2().convertToDouble(), "beta2")))
    return failure();
  double lr = getLr().convertToDouble();
  if (!(lr >= 0.0 && std::isfinite(lr)))
    return emitOpError() << "expected lr to be finite and >= 0, got " << lr;
  double eps = getEps().convertToDouble();
  if (!(eps > 0.0 && std::isfinite(eps)))
    return emitOpError() << "expected eps to be finite and > 0, got " << eps;
  double weightDecay = getWeightDecay().convertToDouble();
  if (!std::isfinite(weightDecay))
    return emitOpError() << "expected weight_decay to be finite, got "
                         << weightDecay;
  return success();
}
