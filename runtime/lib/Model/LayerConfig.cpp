//===- LayerConfig.cpp - a MoE layer described by its numbers -------------===//

#include "moec/Model/LayerConfig.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace moec;
using llvm::formatv;

static llvm::Error fieldError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error MoELayerConfig::validate() const {
  auto positive = [](int64_t value, llvm::StringRef field) -> llvm::Error {
    if (value > 0)
      return llvm::Error::success();
    return fieldError(formatv("field '{0}' must be a positive integer, got {1}",
                              field, value));
  };
  if (llvm::Error e = positive(hidden, "hidden_size"))
    return e;
  if (llvm::Error e = positive(intermediate, "moe_intermediate_size"))
    return e;
  if (llvm::Error e = positive(numExperts, "n_routed_experts"))
    return e;
  if (llvm::Error e = positive(topK, "num_experts_per_tok"))
    return e;
  if (topK > numExperts)
    return fieldError(formatv("field 'num_experts_per_tok' = {0} exceeds the "
                              "number of routed experts ({1})",
                              topK, numExperts));
  if (numSharedExperts < 0)
    return fieldError(formatv("field 'n_shared_experts' must be >= 0, got {0}",
                              numSharedExperts));
  if (swigluLimit && !(std::isfinite(*swigluLimit) && *swigluLimit > 0))
    return fieldError(
        formatv("field 'swiglu_limit' must be finite and positive, got {0}",
                *swigluLimit));
  // The routing fields (groups, scaling) are checked by #moe.routing when the
  // layer is built, with the same field names.
  return llvm::Error::success();
}

llvm::StringRef moec::toString(Scoring scoring) {
  switch (scoring) {
  case Scoring::Softmax:
    return "softmax";
  case Scoring::Sigmoid:
    return "sigmoid";
  case Scoring::SqrtSoftplus:
    return "sqrtsoftplus";
  }
  llvm_unreachable("unknown scoring");
}

llvm::StringRef moec::toString(GroupScore groupScore) {
  return groupScore == GroupScore::Top2Sum ? "top2_sum" : "max";
}

llvm::StringRef moec::toString(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::F64:
    return "f64";
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> moec::parseElementType(llvm::StringRef name) {
  for (ElementType type : {ElementType::F32, ElementType::F16,
                           ElementType::BF16, ElementType::F64})
    if (name == toString(type))
      return type;
  return std::nullopt;
}
