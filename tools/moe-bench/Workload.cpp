//===- Workload.cpp - the data the engines share --------------------------===//

#include "Workload.h"

#include "Bf16.h"

#include <algorithm>
#include <cstring>
#include <random>

using namespace moec;
using namespace moec::bench;

namespace {

/// The gemm kind needs no shared experts; not generating them saves time and
/// memory on the big configs.
MoELayerConfig generatedConfig(const BenchCase &benchCase) {
  MoELayerConfig config = benchCase.config;
  if (!benchCase.isLayer())
    config.numSharedExperts = 0;
  return config;
}

int64_t elementBytes(ElementType type) {
  return type == ElementType::F32 ? 4 : 2;
}

} // namespace

Workload Workload::generate(const BenchCase &prototype, int64_t maxTokens,
                            uint64_t seed) {
  Workload w;
  w.config = generatedConfig(prototype);
  w.expertsOnly = !prototype.isLayer();
  w.data = test::LayerData::generate(w.config, maxTokens, seed);
  if (w.config.elementType == ElementType::BF16)
    for (std::vector<float> *values :
         {&w.data.x, &w.data.routerW, &w.data.wGate, &w.data.wUp, &w.data.wDown,
          &w.data.sharedGate, &w.data.sharedUp, &w.data.sharedDown,
          &w.data.bias})
      roundToBf16(*values);
  if (prototype.isTrain()) {
    // Its own stream, so that x and the weights are those of the layer
    // cases of the same model and seed.
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    w.dy.resize(maxTokens * w.config.hidden);
    for (float &v : w.dy)
      v = uniform(rng);
  }
  return w;
}

TokenSlice moec::bench::sliceTokens(const Workload &w, int64_t tokens) {
  const MoELayerConfig &config = w.config;
  TokenSlice slice;
  slice.tokens = tokens;
  reference::RouterResult routed =
      routeTokens(config, w.data.x.data(), tokens, w.data.routerW.data(),
                  config.selectionBias ? w.data.bias.data() : nullptr);
  planDispatch(routed.ids, config.numExperts, slice.plan);
  if (w.expertsOnly) {
    int64_t H = config.hidden, k = config.topK;
    slice.dispatchedX.resize(slice.rows() * H);
    for (int64_t row = 0; row < slice.rows(); ++row)
      std::memcpy(&slice.dispatchedX[row * H],
                  &w.data.x[slice.plan.pairOfRow[row] / k * H],
                  H * sizeof(float));
  }
  return slice;
}

double moec::bench::caseFlops(const BenchCase &benchCase) {
  const MoELayerConfig &c = benchCase.config;
  double T = benchCase.tokens, H = c.hidden, I = c.intermediate;
  double experts = 2 * T * c.topK * 3 * H * I;
  if (!benchCase.isLayer())
    return experts;
  return 2 * T * H * c.numExperts + experts +
         2 * T * 3 * H * c.sharedIntermediate();
}

double moec::bench::caseTrainFlops(const BenchCase &benchCase) {
  return 3 * caseFlops(benchCase);
}

uint64_t moec::bench::caseWeightBytes(const BenchCase &benchCase,
                                      int64_t expertsHit) {
  const MoELayerConfig &c = benchCase.config;
  uint64_t elements = expertsHit * 3 * c.hidden * c.intermediate;
  if (benchCase.isLayer())
    elements += c.hidden * c.numExperts +
                3 * c.hidden * c.sharedIntermediate() +
                (c.selectionBias ? c.numExperts : 0);
  return elements * elementBytes(c.elementType);
}

namespace {

/// Train groups hold the weights and dy throughout, and from moec's first
/// call the temporaries its kernels' allocator keeps for later calls
/// (runtime/lib/Runtime/KernelAllocator.cpp; measured on OLMoE: a packed
/// copy of the weights for @moe_layer and about 1.5 for @moe_layer_grad, up
/// to the allocator's 4 GiB). moec's gradients stay while OpenBLAS computes
/// its own, to compare them. The reference then adds the weights and their
/// gradients in f64 and one engine's gradients on its tokens.
struct TrainFootprint {
  uint64_t engines, withNaive;
};

TrainFootprint trainFootprint(const BenchCase &largest) {
  const MoELayerConfig &c = largest.config;
  uint64_t T = largest.tokens, H = c.hidden, I = c.intermediate,
           E = c.numExperts, k = c.topK, S = c.sharedIntermediate();
  uint64_t weights = 4 * (H * E + 3 * H * I * E + 3 * H * S + E);
  uint64_t moecCache = std::min(weights * 5 / 2, uint64_t(4) << 30);
  uint64_t tokens = 4 * T * H;
  // Per routed row: x, the expert output, dO and dX (H each); gate, up,
  // SwiGLU and dH (I each); the same per token for the shared experts, and
  // per token logits and their gradient.
  uint64_t activations =
      4 * T * k * (4 * H + 4 * I) + 4 * T * 4 * S + 4 * T * 2 * E;
  uint64_t data = weights + 4 * tokens;
  uint64_t engines = data + moecCache + 2 * weights + activations;
  uint64_t naive = data + moecCache + 4 * weights + weights + 12 * tokens;
  return {engines, std::max(engines, naive)};
}

} // namespace

uint64_t moec::bench::estimateNaiveTrainFootprint(const BenchCase &largest) {
  return largest.isTrain() ? trainFootprint(largest).withNaive : 0;
}

uint64_t moec::bench::estimateFootprint(const BenchCase &largest, bool naive) {
  if (largest.isTrain()) {
    TrainFootprint f = trainFootprint(largest);
    return naive ? f.withNaive : f.engines;
  }
  MoELayerConfig c = generatedConfig(largest);
  uint64_t T = largest.tokens, H = c.hidden, I = c.intermediate,
           E = c.numExperts, k = c.topK, S = c.sharedIntermediate();
  uint64_t expertMatrix = 4 * H * I * E;
  uint64_t weights = 4 * (H * E + 3 * H * I * E + 3 * H * S + E);
  uint64_t tokens = 4 * T * H;
  uint64_t rows = 4 * T * k * (2 * H + 2 * I) + 4 * T * 2 * S;
  // moec and OpenBLAS outputs of every case are kept until the reference has
  // run; room for four cases at the largest token count (gemm: T*k rows).
  uint64_t outputs = 4 * 2 * tokens * (largest.isLayer() ? 1 : k);
  // moec's allocator keeps the blocks of its temporaries (expert inputs and
  // outputs) for later calls, past the end of its phase.
  uint64_t temporaries = 4 * T * k * (H + I);
  // moec holds bf16 copies of the data (half of it) and a packed copy of the
  // weights, taken to be as large as the weights in the case's type.
  uint64_t moecCopy = weights * elementBytes(c.elementType) / 4;
  uint64_t moecPhase = weights + outputs + temporaries + moecCopy +
                       (c.elementType == ElementType::F32 ? 0 : moecCopy);
  uint64_t openblasPhase = weights + outputs + temporaries + rows;
  // The reference converts the data to f64 one tensor at a time, freeing
  // each f32 tensor as it goes: at worst both copies of one expert tensor.
  uint64_t naivePhase =
      naive && largest.isLayer()
          ? 2 * weights + expertMatrix + 2 * tokens + outputs + temporaries
          : 0;
  return std::max({moecPhase, openblasPhase, naivePhase});
}
