//===- EmulatorRouting.cpp - #moe.routing of one token in f32 -------------===//

#include "EmulatorRouting.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

using namespace mlir::moe;

namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

std::vector<float> scores(ScoringFunc scoring, llvm::ArrayRef<float> logits) {
  std::vector<float> s(logits.size());
  switch (scoring) {
  case ScoringFunc::softmax: {
    // Stable: subtract the row maximum before exponentiating.
    float top = kMinusInf;
    for (float l : logits)
      top = std::max(top, l);
    float sum = 0;
    for (size_t e = 0; e < logits.size(); ++e) {
      s[e] = std::exp(logits[e] - top);
      sum += s[e];
    }
    for (float &p : s)
      p /= sum;
    break;
  }
  case ScoringFunc::sigmoid:
    for (size_t e = 0; e < logits.size(); ++e)
      s[e] = 1.0f / (1.0f + std::exp(-logits[e]));
    break;
  case ScoringFunc::sqrtsoftplus:
    for (size_t e = 0; e < logits.size(); ++e) {
      float l = logits[e];
      // softplus(l) = max(l, 0) + log1p(exp(-|l|)), which cannot overflow.
      s[e] = std::sqrt(std::max(l, 0.0f) + std::log1p(std::exp(-std::abs(l))));
    }
    break;
  }
  return s;
}

/// The first `count` indices of `values` in descending order of value,
/// ties to the lower index (values hold no NaN).
std::vector<int64_t> topIndices(llvm::ArrayRef<float> values, int64_t count) {
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + count, order.end(),
                    [&](int64_t a, int64_t b) {
                      return values[a] > values[b] ||
                             (values[a] == values[b] && a < b);
                    });
  order.resize(count);
  return order;
}

float groupScore(GroupScore kind, llvm::ArrayRef<float> group) {
  if (kind == GroupScore::max)
    return *std::max_element(group.begin(), group.end());
  if (group.size() == 1)
    return group[0];
  std::vector<int64_t> best = topIndices(group, 2);
  return group[best[0]] + group[best[1]];
}

/// Sets the selection score of the experts outside the `topk_group` best
/// groups to -inf.
void limitGroups(RoutingAttr routing, std::vector<float> &selection) {
  int64_t groups = routing.getNGroup();
  int64_t size = static_cast<int64_t>(selection.size()) / groups;
  std::vector<float> groupScores(groups);
  for (int64_t g = 0; g < groups; ++g) {
    float score =
        groupScore(routing.getGroupScore(),
                   llvm::ArrayRef<float>(selection).slice(g * size, size));
    // -inf + inf: a group of unusable experts ranks last.
    groupScores[g] = std::isnan(score) ? kMinusInf : score;
  }
  std::vector<int64_t> kept = topIndices(groupScores, routing.getTopkGroup());
  std::vector<bool> keep(groups, false);
  for (int64_t g : kept)
    keep[g] = true;
  for (int64_t g = 0; g < groups; ++g)
    if (!keep[g])
      std::fill_n(selection.begin() + g * size, size, kMinusInf);
}

} // namespace

std::string moec::npu::emu::routingProblem(RoutingAttr routing,
                                           int64_t experts) {
  int64_t k = routing.getK();
  if (k < 1 || k > experts)
    return llvm::formatv("routing k = {0} is outside [1, {1}], the experts", k,
                         experts);
  if (!routing.isGroupLimited())
    return "";
  int64_t groups = routing.getNGroup(), kept = routing.getTopkGroup();
  if (experts % groups != 0)
    return llvm::formatv("routing n_group = {0} does not divide the {1} "
                         "experts",
                         groups, experts);
  if (kept < 1 || kept * (experts / groups) < k)
    return llvm::formatv("routing topk_group = {0} keeps {1} experts, fewer "
                         "than k = {2}",
                         kept, std::max<int64_t>(kept, 0) * (experts / groups),
                         k);
  return "";
}

void moec::npu::emu::routeToken(RoutingAttr routing,
                                llvm::ArrayRef<float> logits,
                                llvm::ArrayRef<float> bias,
                                llvm::MutableArrayRef<float> weights,
                                llvm::MutableArrayRef<int32_t> ids) {
  int64_t k = routing.getK();
  std::vector<float> s = scores(routing.getScoring(), logits);

  // Selection scores: the bias steers the choice only; a NaN never wins.
  std::vector<float> selection(s.size());
  for (size_t e = 0; e < s.size(); ++e) {
    float c = s[e] + (bias.empty() ? 0.0f : bias[e]);
    selection[e] = std::isnan(c) ? kMinusInf : c;
  }
  if (routing.isGroupLimited())
    limitGroups(routing, selection);

  std::vector<int64_t> picked = topIndices(selection, k);
  float sum = 0;
  for (int64_t j = 0; j < k; ++j) {
    ids[j] = static_cast<int32_t>(picked[j]);
    weights[j] = s[picked[j]];
    sum += weights[j];
  }
  if (routing.getNormTopkProb()) {
    float denominator =
        routing.getScoring() == ScoringFunc::softmax ? sum : sum + 1e-20f;
    for (int64_t j = 0; j < k; ++j)
      weights[j] /= denominator;
  }
  float scale = static_cast<float>(routing.getScale());
  bool hasNaN = llvm::any_of(logits, [](float l) { return std::isnan(l); });
  for (int64_t j = 0; j < k; ++j)
    weights[j] =
        hasNaN ? std::numeric_limits<float>::quiet_NaN() : weights[j] * scale;
}
