//===- NaiveEngine.h - the f64 reference as the naive baseline --*- C++ -*-===//
//
// test/Reference's layer: plain loops in f64 on one thread, what a first
// implementation without any library looks like. Far too slow for a whole
// prefill, so it runs on as many leading tokens as fit its time budget and
// its time is scaled up to all tokens (its cost is linear in the tokens); the
// report says so in every row where that happened.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_NAIVEENGINE_H
#define MOEC_TOOLS_MOEBENCH_NAIVEENGINE_H

#include "Timing.h"
#include "Workload.h"

#include "MoEReference.h"

#include <cstdint>
#include <vector>

namespace moec::bench {

struct NaiveResult {
  /// Calls on the first `tokens` tokens.
  Timing timing;
  int64_t tokens = 0;
  /// timing.medianMs scaled to all of the case's tokens.
  double scaledMs = 0;
  /// [tokens, H]: the reference output of the first `tokens` tokens.
  std::vector<double> output;
};

class NaiveReference {
public:
  /// Takes the weights out of a layer workload: they are converted to f64
  /// one matrix at a time, each f32 matrix freed once converted, to bound
  /// the memory. So the reference must be the last engine to run on it.
  explicit NaiveReference(Workload &workload);

  /// Times the layer on the first `tokens` tokens (or fewer, see above).
  NaiveResult run(int64_t tokens, const TimingPolicy &policy) const;

private:
  reference::LayerWeights weights;
  std::vector<double> x;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_NAIVEENGINE_H
