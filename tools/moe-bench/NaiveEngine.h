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

struct NaiveTrainResult {
  /// Calls of reference::layerBackward on the first `tokens` tokens.
  Timing timing;
  int64_t tokens = 0;
  /// timing.medianMs scaled to all of the case's tokens. Train groups run
  /// the reference only when its f64 weights and gradients fit --max-gib,
  /// i.e. on small layers, where the cost of allocating those gradients is
  /// small beside the per-token work.
  double scaledMs = 0;
  /// y and the gradients of the first `tokens` tokens (the weights'
  /// gradients sum over those tokens only).
  reference::LayerGradients gradients;
};

class NaiveReference {
public:
  /// Takes the weights (and dy) out of a layer workload: they are converted
  /// to f64 one matrix at a time, each f32 matrix freed once converted, to
  /// bound the memory. So the reference must be the last engine to run on
  /// it.
  explicit NaiveReference(Workload &workload);
  /// Copies the data instead: the other engines can still run on it (2x the
  /// weights' memory beside them).
  explicit NaiveReference(const Workload &workload);

  /// Times the layer on the first `tokens` tokens (or fewer, see above).
  NaiveResult run(int64_t tokens, const TimingPolicy &policy) const;
  /// Times forward + backward (reference::layerBackward, for dy) on the
  /// first `tokens` tokens, or fewer as `run` does.
  NaiveTrainResult runTrain(int64_t tokens, const TimingPolicy &policy) const;

private:
  reference::LayerWeights weights;
  std::vector<double> x, dy;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_NAIVEENGINE_H
