//===- MoEAttrs.td - moe dialect attributes and enums ------*- tablegen -*-===//

#ifndef MOEC_DIALECT_MOE_MOEATTRS_TD
#define MOEC_DIALECT_MOE_MOEATTRS_TD

include "moec/Dialect/MoE/MoEBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def MoE_ScoringFunc : I32EnumAttr<"ScoringFunc",
    "how router logits become expert scores", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"sigmoid", 1>,
      I32EnumAttrCase<"sqrtsoftplus", 2>
    ]> {
  let cppNamespace = "::mlir::moe";
  let genSpecializedAttr = 0;
}

def MoE_GroupScore : I32EnumAttr<"GroupScore",
    "how a group of experts is scored for group-limited routing", [
      I32EnumAttrCase<"top2_sum", 0>,
      I32EnumAttrCase<"max", 1>
    ]> {
  let cppNamespace = "::mlir::moe";
  let genSpecializedAttr = 0;
}

class MoE_DefaultEnumParameter<EnumAttrInfo info, string case>
    : EnumParameter<info> {
  let defaultValue = info.cppNamespace # "::" # info.className # "::" # case;
}

def MoE_BoolParameter : AttrParameter<"bool", "true or false"> {
  let defaultValue = "false";
  let parser = "::mlir::moe::detail::parseBoolKeyword($_parser)";
  let printer = "$_printer << ($_self ? \"true\" : \"false\")";
}

// Stored as an APFloat (double semantics) because the attribute storage
// hashes its parameters and llvm::hash_value has no overload for double.
def MoE_ScaleParameter
    : AttrParameter<"::llvm::APFloat", "a finite positive factor"> {
  let defaultValue = "::llvm::APFloat(1.0)";
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let parser = "::mlir::moe::detail::parseDoubleAsAPFloat($_parser)";
  let printer =
      "::mlir::moe::detail::printShortestDouble($_printer, $_self.convertToDouble())";
}

def MoE_RoutingAttr : AttrDef<MoE_Dialect, "Routing"> {
  let mnemonic = "routing";
  let summary = "how a router scores the experts and picks k of them";
  let description = [{
    Parameters (names follow Hugging Face `config.json` fields):

    | parameter | default | meaning |
    | --- | --- | --- |
    | `k` | required | experts per token (`num_experts_per_tok`) |
    | `scoring` | `softmax` | `softmax`, `sigmoid` or `sqrtsoftplus` (`scoring_func`) |
    | `n_group` | 1 | expert groups for group-limited routing |
    | `topk_group` | 1 | groups kept per token |
    | `group_score` | `top2_sum` | a group's score: sum of its two best biased scores (DeepSeek-V3 `noaux_tc`) or its maximum (DeepSeek-V2 `group_limited_greedy`) |
    | `norm_topk_prob` | `false` | renormalise the k selected weights to sum to one |
    | `routed_scaling_factor` | 1.0 | multiplies the final weights |

    Semantics, for one token with logits `l[E]` and optional selection bias
    `b[E]`:

    1. `s = softmax(l)`, `sigmoid(l)` or `sqrt(softplus(l))`.
    2. Selection scores `c = s + b` (`c = s` without a bias). The bias steers
       selection only; it never enters the weights.
    3. With `n_group > 1`, the experts are split into `n_group` contiguous
       groups; each group gets its `group_score`, and only the experts of the
       `topk_group` best groups stay eligible.
    4. `ids` = the `k` eligible experts with the largest `c`, in descending
       order; ties go to the lower expert id.
    5. `w = s[ids]`. With `norm_topk_prob`, `w /= sum(w)` for softmax scoring
       and `w /= sum(w) + 1e-20` otherwise. Then `w *= routed_scaling_factor`.

    NaN logits propagate: a token whose logits hold a NaN gets NaN weights,
    while its ids remain valid expert indices.

    Example: `#moe.routing<k = 8, scoring = sigmoid, n_group = 8,
    topk_group = 4, norm_topk_prob = true, routed_scaling_factor = 2.5>`.
  }];
  let parameters = (ins
    "int64_t":$k,
    MoE_DefaultEnumParameter<MoE_ScoringFunc, "softmax">:$scoring,
    DefaultValuedParameter<"int64_t", "1">:$n_group,
    DefaultValuedParameter<"int64_t", "1">:$topk_group,
    MoE_DefaultEnumParameter<MoE_GroupScore, "top2_sum">:$group_score,
    MoE_BoolParameter:$norm_topk_prob,
    MoE_ScaleParameter:$routed_scaling_factor
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True when only some expert groups stay eligible per token.
    bool isGroupLimited() const { return getTopkGroup() < getNGroup(); }
    double getScale() const {
      return getRoutedScalingFactor().convertToDouble();
    }
    /// Builds a routing attribute from plain values.
    static RoutingAttr get(::mlir::MLIRContext *context, int64_t k,
                           ScoringFunc scoring, int64_t nGroup,
                           int64_t topkGroup, GroupScore groupScore,
                           bool normTopkProb, double routedScalingFactor) {
      return get(context, k, scoring, nGroup, topkGroup, groupScore,
                 normTopkProb, ::llvm::APFloat(routedScalingFactor));
    }
    /// Checks the parameters that depend on the expert count `numExperts`.
    ::mlir::LogicalResult verifyForExperts(
        int64_t numExperts,
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError) const;
  }];
}

include "moec/Dialect/MoE/MoETargetAttrs.td"

#endif // MOEC_DIALECT_MOE_MOEATTRS_TD
