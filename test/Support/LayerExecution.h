//===- LayerExecution.h - run a compiled layer beside the reference -------===//
//
// Shared by the execution tests: deterministic inputs for a MoELayerConfig,
// a run of the compiled kernel on them and a run of the f64 reference.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TEST_SUPPORT_LAYEREXECUTION_H
#define MOEC_TEST_SUPPORT_LAYEREXECUTION_H

#include "MoEReference.h"

#include "moec/moec.h"

#include <cstdint>
#include <vector>

namespace moec::test {

/// f32 tensors of one layer call, in the argument order of @moe_layer.
struct LayerData {
  int64_t tokens = 0;
  std::vector<float> x, routerW, wGate, wUp, wDown, sharedGate, sharedUp,
      sharedDown, bias;

  /// x and the router weight are multiples of 1/16 in [-1, 1], so router
  /// logits are exact in f32 and f64 alike and the kernel and the reference
  /// choose the same experts (near-ties of rounded logits would otherwise
  /// pick different experts, an error no tolerance covers).
  static LayerData generate(const MoELayerConfig &config, int64_t tokens,
                            uint64_t seed);
};

/// The folders of examples/ that hold a layer config.
inline constexpr const char *kExampleLayers[] = {
    "deepseek-v4-flash-16e", "deepseek-v3-16e", "deepseek-v2-lite",
    "mixtral-8x7b",          "qwen3-30b-a3b",   "olmoe-1b-7b"};

/// The layer of `examplesDir/name/config.json` with its routing (E, k,
/// scoring, groups, bias, norm, scale, limit, shared count) as published
/// and H = 64, I = 32, which keeps execution tests fast.
llvm::Expected<MoELayerConfig> scaledExampleConfig(llvm::StringRef examplesDir,
                                                   llvm::StringRef name);

/// The reference's routing settings for `config`.
reference::Routing referenceRouting(const MoELayerConfig &config);

/// The reference's weights of `config`'s layer on `data`, in f64.
reference::LayerWeights referenceWeights(const MoELayerConfig &config,
                                         const LayerData &data);

struct Comparison {
  std::vector<float> got;
  std::vector<double> want;
  /// max |got - want| / max(|want|, rms(want)) over the output.
  double maxRelativeError = 0;
};

/// Runs `kernel` (compiled from `config`) on `data`; the output [T, H].
/// `milliseconds`, when given, receives the time of the kernel call alone.
/// The layer function's inputs, in argument order, viewing `data`.
std::vector<TensorView> layerInputs(const MoELayerConfig &config,
                                    const LayerData &data);

/// Runs the layer on `data`, reading packed weights from `prepared` when
/// given; `milliseconds` gets the time of the call.
llvm::Expected<std::vector<float>>
runKernel(const Kernel &kernel, const MoELayerConfig &config,
          const LayerData &data, double *milliseconds = nullptr,
          const PreparedWeights *prepared = nullptr);

/// Runs the reference on `data` and compares `got` with it.
Comparison compareWithReference(const MoELayerConfig &config,
                                const LayerData &data, std::vector<float> got);

/// runKernel, then compareWithReference.
llvm::Expected<Comparison> runBoth(const Kernel &kernel,
                                   const MoELayerConfig &config,
                                   const LayerData &data);

} // namespace moec::test

#endif // MOEC_TEST_SUPPORT_LAYEREXECUTION_H
