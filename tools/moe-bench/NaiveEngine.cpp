//===- NaiveEngine.cpp - the f64 reference as the naive baseline ----------===//

#include "NaiveEngine.h"

#include "LayerExecution.h"
#include "MoEReference.h"

#include <algorithm>
#include <chrono>

using namespace moec;
using namespace moec::bench;

namespace {

/// The f64 copy of `values`; `values` is freed when `take`.
std::vector<double> asDouble(std::vector<float> &values, bool take) {
  std::vector<double> result(values.begin(), values.end());
  if (take)
    std::vector<float>().swap(values);
  return result;
}

void convert(Workload &workload, bool take, reference::LayerWeights &weights,
             std::vector<double> &x, std::vector<double> &dy) {
  const MoELayerConfig &c = workload.config;
  test::LayerData &d = workload.data;
  weights.H = c.hidden;
  weights.I = c.intermediate;
  weights.E = c.numExperts;
  weights.S = c.sharedIntermediate();
  weights.routerW = asDouble(d.routerW, take);
  weights.wGate = asDouble(d.wGate, take);
  weights.wUp = asDouble(d.wUp, take);
  weights.wDown = asDouble(d.wDown, take);
  weights.sharedGate = asDouble(d.sharedGate, take);
  weights.sharedUp = asDouble(d.sharedUp, take);
  weights.sharedDown = asDouble(d.sharedDown, take);
  weights.bias = asDouble(d.bias, take);
  weights.swigluLimit = c.swigluLimit;
  weights.routing = test::referenceRouting(c);
  x = asDouble(d.x, take);
  dy = asDouble(workload.dy, take);
}

} // namespace

NaiveReference::NaiveReference(Workload &workload) {
  convert(workload, /*take=*/true, weights, x, dy);
}

NaiveReference::NaiveReference(const Workload &workload) {
  // Nothing is taken, so nothing is written.
  convert(const_cast<Workload &>(workload), /*take=*/false, weights, x, dy);
}

NaiveResult NaiveReference::run(int64_t T, const TimingPolicy &policy) const {
  NaiveResult result;
  auto runOn = [&](int64_t tokens) {
    std::vector<double> prefix(x.begin(), x.begin() + tokens * weights.H);
    result.output = reference::layer(prefix, tokens, weights);
  };

  // One token first, as warm-up and to learn the cost per token.
  auto start = std::chrono::steady_clock::now();
  runOn(1);
  double perTokenMs = elapsedMs(start);
  double budgetMs = policy.budgetSeconds * 1e3;
  result.tokens = perTokenMs * T <= budgetMs
                      ? T
                      : std::clamp<int64_t>(
                            static_cast<int64_t>(budgetMs / perTokenMs), 1, T);
  result.timing = llvm::cantFail(timeCalls(
      [&] {
        runOn(result.tokens);
        return llvm::Error::success();
      },
      policy, perTokenMs * result.tokens));
  result.scaledMs = result.timing.medianMs * T / result.tokens;
  return result;
}

NaiveTrainResult NaiveReference::runTrain(int64_t T,
                                          const TimingPolicy &policy) const {
  NaiveTrainResult result;
  int64_t H = weights.H;
  auto runOn = [&](int64_t tokens) {
    std::vector<double> xPrefix(x.begin(), x.begin() + tokens * H);
    std::vector<double> dyPrefix(dy.begin(), dy.begin() + tokens * H);
    // Free the previous call's gradients first.
    result.gradients = {};
    result.gradients =
        reference::layerBackward(xPrefix, tokens, weights, dyPrefix);
  };

  // As run(): one token first, as warm-up and to learn the cost per token.
  auto start = std::chrono::steady_clock::now();
  runOn(1);
  double perTokenMs = elapsedMs(start);
  double budgetMs = policy.budgetSeconds * 1e3;
  result.tokens = perTokenMs * T <= budgetMs
                      ? T
                      : std::clamp<int64_t>(
                            static_cast<int64_t>(budgetMs / perTokenMs), 1, T);
  result.timing = llvm::cantFail(timeCalls(
      [&] {
        runOn(result.tokens);
        return llvm::Error::success();
      },
      policy, perTokenMs * result.tokens));
  result.scaledMs = result.timing.medianMs * T / result.tokens;
  return result;
}
