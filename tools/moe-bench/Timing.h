//===- Timing.h - how every engine is timed ---------------------*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_TIMING_H
#define MOEC_TOOLS_MOEBENCH_TIMING_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

namespace moec::bench {

struct TimingPolicy {
  /// Timed calls after the warm-up call.
  unsigned repeat = 5;
  /// Fewer timed calls when `repeat` of them would take longer than this
  /// (estimated from the warm-up call); at least one is always made.
  double budgetSeconds = 10;
  /// Runs, untimed, before every call (the warm-up included): the cache
  /// flush of CacheFlush.h, or nothing.
  std::function<void()> beforeCall;
};

struct Timing {
  double medianMs = 0;
  unsigned runs = 0;
};

double elapsedMs(std::chrono::steady_clock::time_point start);

/// The median; for an even count, the mean of the middle two.
double median(std::vector<double> samples);

/// One untimed warm-up call, then the timed calls of `policy`; stops at the
/// first error. With `estimateMs` (the caller warmed up already and knows
/// about how long a call takes), no warm-up call is made.
llvm::Expected<Timing> timeCalls(llvm::function_ref<llvm::Error()> call,
                                 const TimingPolicy &policy,
                                 std::optional<double> estimateMs = {});

/// Waits until the worker threads of the previous engine (OpenBLAS and
/// OpenMP both spin for a while after a call) have gone to sleep, so that
/// they do not steal the cores of the next engine's timed calls.
void letWorkersSleep();

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_TIMING_H
