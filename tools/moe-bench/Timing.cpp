//===- Timing.cpp - how every engine is timed -----------------------------===//

#include "Timing.h"

#include <algorithm>
#include <cmath>
#include <thread>

using namespace moec::bench;

double moec::bench::elapsedMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

double moec::bench::median(std::vector<double> samples) {
  if (samples.empty())
    return NAN;
  std::sort(samples.begin(), samples.end());
  size_t middle = samples.size() / 2;
  return samples.size() % 2 ? samples[middle]
                            : (samples[middle - 1] + samples[middle]) / 2;
}

llvm::Expected<Timing>
moec::bench::timeCalls(llvm::function_ref<llvm::Error()> call,
                       const TimingPolicy &policy,
                       std::optional<double> estimateMs) {
  auto prepare = [&] {
    if (policy.beforeCall)
      policy.beforeCall();
  };
  if (!estimateMs) {
    prepare();
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err = call())
      return std::move(err);
    estimateMs = elapsedMs(start);
  }
  unsigned runs = policy.repeat;
  if (*estimateMs * runs > policy.budgetSeconds * 1e3)
    runs = std::max(1u, static_cast<unsigned>(policy.budgetSeconds * 1e3 /
                                              std::max(*estimateMs, 1e-3)));
  std::vector<double> samples;
  for (unsigned i = 0; i < runs; ++i) {
    prepare();
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err = call())
      return std::move(err);
    samples.push_back(elapsedMs(start));
  }
  return Timing{median(samples), runs};
}

void moec::bench::letWorkersSleep() {
  // OpenMP's default KMP_BLOCKTIME is 200 ms; OpenBLAS spins for less.
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
}
