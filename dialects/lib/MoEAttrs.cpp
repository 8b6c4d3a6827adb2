//===- MoEAttrs.cpp - moe dialect attributes --------------------*- C++ -*-===//

#include "moec/Dialect/MoE/MoEAttrs.h"

#include "mlir/IR/Builders.h"
#include "moec/Dialect/MoE/MoEDialect.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::moe;

#include "moec/Dialect/MoE/MoEEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "moec/Dialect/MoE/MoEAttrs.cpp.inc"

FailureOr<bool> moe::detail::parseBoolKeyword(AsmParser &parser) {
  if (succeeded(parser.parseOptionalKeyword("true")))
    return true;
  if (succeeded(parser.parseOptionalKeyword("false")))
    return false;
  return parser.emitError(parser.getCurrentLocation(),
                          "expected 'true' or 'false'");
}

FailureOr<APFloat> moe::detail::parseDoubleAsAPFloat(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return APFloat(value);
}

void MoEDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "moec/Dialect/MoE/MoEAttrs.cpp.inc"
      >();
}

void moe::detail::printShortestDouble(AsmPrinter &printer, double value) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  std::string text(buffer);
  // A bare integer would read back as an integer literal; keep it a float.
  if (std::isfinite(value) && text.find_first_of(".e") == std::string::npos)
    text += ".0";
  else if (size_t e = text.find('e');
           e != std::string::npos && text.find('.') == std::string::npos)
    text.insert(e, ".0");
  printer << text;
}

LogicalResult RoutingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t k, ScoringFunc scoring,
                                  int64_t nGroup, int64_t topkGroup,
                                  GroupScore groupScore, bool normTopkProb,
                                  APFloat routedScalingFactorValue) {
  double routedScalingFactor = routedScalingFactorValue.convertToDouble();
  if (k < 1)
    return emitError() << "routing k must be at least 1, got " << k;
  if (nGroup < 1)
    return emitError() << "routing n_group must be at least 1, got " << nGroup;
  if (topkGroup < 1 || topkGroup > nGroup)
    return emitError() << "routing topk_group must be in [1, n_group = "
                       << nGroup << "], got " << topkGroup;
  if (!std::isfinite(routedScalingFactor) || routedScalingFactor <= 0.0)
    return emitError()
           << "routing routed_scaling_factor must be finite and positive, got "
           << routedScalingFactor;
  return success();
}

LogicalResult RoutingAttr::verifyForExperts(
    int64_t numExperts, function_ref<InFlightDiagnostic()> emitError) const {
  int64_t k = getK();
  if (k > numExperts)
    return emitError() << "routing k = " << k
                       << " exceeds the number of experts (" << numExperts
                       << ")";
  int64_t nGroup = getNGroup();
  if (nGroup == 1)
    return success();
  if (numExperts % nGroup != 0)
    return emitError() << "routing n_group = " << nGroup
                       << " must divide the number of experts (" << numExperts
                       << ")";
  int64_t groupSize = numExperts / nGroup;
  if (getGroupScore() == GroupScore::top2_sum && groupSize < 2)
    return emitError() << "routing group_score = top2_sum needs at least 2 "
                          "experts per group, got "
                       << groupSize;
  if (getTopkGroup() * groupSize < k)
    return emitError() << "routing topk_group = " << getTopkGroup() << " keeps "
                       << getTopkGroup() * groupSize
                       << " experts, fewer than k = " << k;
  return success();
}
