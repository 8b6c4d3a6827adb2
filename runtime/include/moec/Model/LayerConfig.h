//===- LayerConfig.h - a MoE layer described by its numbers -----*- C++ -*-===//
//
// The plain description of one MoE layer that frameworks and tools hand to
// moec: sizes, routing and activation, the fields of MOE-SEMANTICS.md.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_MODEL_LAYERCONFIG_H
#define MOEC_MODEL_LAYERCONFIG_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace moec {

enum class Scoring { Softmax, Sigmoid, SqrtSoftplus };
enum class GroupScore { Top2Sum, Max };
/// F64 exists for checking gradients against finite differences; the fast
/// kernels and the NPU plans take F32, F16 and BF16.
enum class ElementType { F32, F16, BF16, F64 };

struct MoELayerConfig {
  int64_t hidden = 0;           ///< H
  int64_t intermediate = 0;     ///< I, per routed expert
  int64_t numExperts = 0;       ///< E, routed experts
  int64_t topK = 0;             ///< k, experts per token
  int64_t numSharedExperts = 0; ///< shared width is numSharedExperts * I

  Scoring scoring = Scoring::Softmax;
  int64_t nGroup = 1;    ///< expert groups (group-limited routing)
  int64_t topkGroup = 1; ///< groups kept per token
  GroupScore groupScore = GroupScore::Top2Sum;
  bool normTopkProb = false;
  double routedScalingFactor = 1.0;
  /// A per-expert selection bias operand (DeepSeek `e_score_correction_bias`).
  bool selectionBias = false;
  /// Clamp of the SwiGLU inputs (DeepSeek-V4 `swiglu_limit`).
  std::optional<double> swigluLimit;

  ElementType elementType = ElementType::F32;

  int64_t sharedIntermediate() const { return numSharedExperts * intermediate; }

  /// Checks that the numbers describe a layer moec can build; the error names
  /// the offending field.
  llvm::Error validate() const;
};

llvm::StringRef toString(Scoring scoring);
llvm::StringRef toString(GroupScore groupScore);
llvm::StringRef toString(ElementType type);
/// The inverse of toString(ElementType): "f32", "f16", "bf16" or "f64".
std::optional<ElementType> parseElementType(llvm::StringRef name);

} // namespace moec

#endif // MOEC_MODEL_LAYERCONFIG_H
