//===- Router.cpp - reference of moe.router -------------------------------===//
//
// Steps are numbered as in docs/cpu-numerics.md.
//
//===----------------------------------------------------------------------===//

#include "Check.h"
#include "MoEReference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace moec::reference {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

} // namespace

std::vector<double> routerScores(const std::vector<double> &logits,
                                 Scoring scoring) {
  std::vector<double> s;
  switch (scoring) {
  case Scoring::Softmax: {
    // std::max skips NaN here; a NaN logit still makes the sum, and so every
    // probability, NaN.
    double max = -kInfinity;
    for (double l : logits)
      max = std::max(max, l);
    double sum = 0.0;
    for (double l : logits) {
      s.push_back(std::exp(l - max));
      sum += s.back();
    }
    for (double &p : s)
      p /= sum;
    break;
  }
  case Scoring::Sigmoid:
    for (double l : logits)
      s.push_back(1.0 / (1.0 + std::exp(-l)));
    break;
  case Scoring::SqrtSoftplus:
    // log1p(exp(l)) overflows for large l; this form does not.
    for (double l : logits)
      s.push_back(
          std::sqrt(std::max(l, 0.0) + std::log1p(std::exp(-std::abs(l)))));
    break;
  }
  return s;
}

namespace {

/// Indices of the \p n largest \p values, largest first, ties to the lower
/// index, NaN ranking as -inf so that the result is always n distinct indices.
std::vector<int64_t> topIndices(const std::vector<double> &values, int64_t n) {
  auto rank = [&](int64_t i) {
    return std::isnan(values[i]) ? -kInfinity : values[i];
  };
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return rank(a) != rank(b) ? rank(a) > rank(b) : a < b;
  });
  order.resize(n);
  return order;
}

double groupScore(std::vector<double> members, GroupScore kind) {
  std::sort(members.begin(), members.end(), std::greater<double>());
  if (kind == GroupScore::Max || members.size() == 1)
    return members[0];
  return members[0] + members[1];
}

/// Step 3: sets the selection scores \p c of experts outside the kept groups
/// to -inf. \p c holds no NaN, so neither do the group scores unless +inf and
/// -inf meet in a sum, which topIndices ranks as -inf.
void limitGroups(std::vector<double> &c, const Routing &routing) {
  if (routing.nGroup <= 1 || routing.topkGroup >= routing.nGroup)
    return;
  int64_t size = static_cast<int64_t>(c.size()) / routing.nGroup;
  std::vector<double> groupScores;
  for (int64_t g = 0; g < routing.nGroup; ++g)
    groupScores.push_back(groupScore(
        std::vector<double>(c.begin() + g * size, c.begin() + (g + 1) * size),
        routing.groupScore));
  std::vector<bool> kept(routing.nGroup, false);
  for (int64_t g : topIndices(groupScores, routing.topkGroup))
    kept[g] = true;
  for (size_t e = 0; e < c.size(); ++e)
    if (!kept[e / size])
      c[e] = -kInfinity;
}

/// Steps 6-8 on the weights of one token's slots that are \p valid; the
/// others keep their weight.
void finishWeights(std::vector<double> &w, const std::vector<bool> &valid,
                   bool nanLogit, const Routing &routing) {
  if (routing.normTopkProb) {
    double sum = 0.0;
    for (size_t j = 0; j < w.size(); ++j)
      if (valid[j])
        sum += w[j];
    double denominator =
        routing.scoring == Scoring::Softmax ? sum : sum + 1e-20;
    for (size_t j = 0; j < w.size(); ++j)
      if (valid[j])
        w[j] /= denominator;
  }
  for (size_t j = 0; j < w.size(); ++j) {
    if (!valid[j])
      continue;
    w[j] *= routing.routedScalingFactor;
    if (nanLogit)
      w[j] = std::numeric_limits<double>::quiet_NaN();
  }
}

/// Row \p t of a row-major matrix of \p width columns.
std::vector<double> rowOf(const std::vector<double> &matrix, int64_t t,
                          int64_t width) {
  return std::vector<double>(matrix.begin() + t * width,
                             matrix.begin() + (t + 1) * width);
}

bool hasNaN(const std::vector<double> &values) {
  return std::any_of(values.begin(), values.end(),
                     [](double v) { return std::isnan(v); });
}

std::string checkLogits(const std::vector<double> &logits, int64_t T, int64_t E,
                        const Routing &routing) {
  return detail::firstProblem(
      {checkRouting(routing, E), detail::checkAtLeast("T", T, 0),
       detail::checkSize("logits", logits.size(), T * E, "T*E")});
}

} // namespace

std::string checkRouting(const Routing &routing, int64_t E) {
  if (E < 1)
    return "E = " + std::to_string(E) + " must be at least 1";
  if (routing.k < 1 || routing.k > E)
    return "routing.k = " + std::to_string(routing.k) +
           " must be in [1, E = " + std::to_string(E) + "]";
  if (routing.nGroup < 1 || E % routing.nGroup != 0)
    return "routing.nGroup = " + std::to_string(routing.nGroup) +
           " must be a positive divisor of E = " + std::to_string(E);
  if (routing.topkGroup < 1 || routing.topkGroup > routing.nGroup)
    return "routing.topkGroup = " + std::to_string(routing.topkGroup) +
           " must be in [1, nGroup = " + std::to_string(routing.nGroup) + "]";
  return {};
}

RouterResult route(const std::vector<double> &logits, int64_t T, int64_t E,
                   const Routing &routing, const std::vector<double> &bias) {
  detail::require(
      detail::firstProblem(
          {checkLogits(logits, T, E, routing),
           bias.empty() ? "" : detail::checkSize("bias", bias.size(), E, "E")}),
      "route");
  RouterResult result;
  const std::vector<bool> allValid(routing.k, true);
  for (int64_t t = 0; t < T; ++t) {
    std::vector<double> row = rowOf(logits, t, E);
    std::vector<double> s = routerScores(row, routing.scoring);
    std::vector<double> c = s;
    for (int64_t e = 0; e < E; ++e) {
      if (!bias.empty())
        c[e] += bias[e];
      // Step 4 ranks NaN as -inf; doing it here makes the group scores of
      // step 3 follow the same rule.
      if (std::isnan(c[e]))
        c[e] = -kInfinity;
    }
    limitGroups(c, routing);
    std::vector<int64_t> ids = topIndices(c, routing.k);
    std::vector<double> w;
    for (int64_t id : ids)
      w.push_back(s[id]);
    finishWeights(w, allValid, hasNaN(row), routing);
    result.weights.insert(result.weights.end(), w.begin(), w.end());
    result.ids.insert(result.ids.end(), ids.begin(), ids.end());
  }
  return result;
}

RouterResult routeHash(const std::vector<double> &logits, int64_t T, int64_t E,
                       const Routing &routing,
                       const std::vector<int64_t> &tokenIds,
                       const HashRouting &hash) {
  const int64_t k = routing.k;
  detail::require(detail::firstProblem(
                      {checkLogits(logits, T, E, routing),
                       detail::checkSize("tokenIds", tokenIds.size(), T, "T"),
                       detail::checkAtLeast("hash.vocab", hash.vocab, 1),
                       detail::checkSize("hash.table", hash.table.size(),
                                         hash.vocab * k, "vocab*k")}),
                  "routeHash");
  RouterResult result;
  for (int64_t t = 0; t < T; ++t) {
    std::vector<double> row = rowOf(logits, t, E);
    std::vector<double> s = routerScores(row, routing.scoring);
    int64_t token = tokenIds[t];
    bool tokenValid = token >= 0 && token < hash.vocab;
    std::vector<double> w(k, 0.0);
    std::vector<bool> valid(k, false);
    for (int64_t j = 0; j < k; ++j) {
      int64_t id = tokenValid ? hash.table[token * k + j] : -1;
      valid[j] = id >= 0 && id < E;
      if (valid[j])
        w[j] = s[id];
      result.ids.push_back(valid[j] ? id : -1);
    }
    finishWeights(w, valid, hasNaN(row), routing);
    result.weights.insert(result.weights.end(), w.begin(), w.end());
  }
  return result;
}

} // namespace moec::reference
