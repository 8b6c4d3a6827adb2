//===- NaiveEngine.cpp - the f64 reference as the naive baseline ----------===//

#include "NaiveEngine.h"

#include "LayerExecution.h"
#include "MoEReference.h"

#include <algorithm>
#include <chrono>

using namespace moec;
using namespace moec::bench;

namespace {

std::vector<double> takeAsDouble(std::vector<float> &values) {
  std::vector<double> result(values.begin(), values.end());
  std::vector<float>().swap(values);
  return result;
}

} // namespace

NaiveReference::NaiveReference(Workload &workload) {
  const MoELayerConfig &c = workload.config;
  test::LayerData &d = workload.data;
  weights.H = c.hidden;
  weights.I = c.intermediate;
  weights.E = c.numExperts;
  weights.S = c.sharedIntermediate();
  weights.routerW = takeAsDouble(d.routerW);
  weights.wGate = takeAsDouble(d.wGate);
  weights.wUp = takeAsDouble(d.wUp);
  weights.wDown = takeAsDouble(d.wDown);
  weights.sharedGate = takeAsDouble(d.sharedGate);
  weights.sharedUp = takeAsDouble(d.sharedUp);
  weights.sharedDown = takeAsDouble(d.sharedDown);
  weights.bias = takeAsDouble(d.bias);
  weights.swigluLimit = c.swigluLimit;
  weights.routing = test::referenceRouting(c);
  x = takeAsDouble(d.x);
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
