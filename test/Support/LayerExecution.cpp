//===- LayerExecution.cpp - run a compiled layer beside the reference
//------===//

#include "LayerExecution.h"

#include "Compare.h"
#include "Inputs.h"
#include "MoEReference.h"

#include "moec/Model/HFConfig.h"

#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <cmath>

using namespace moec;
using namespace moec::test;

namespace {

void fillQuantized(std::vector<float> &values, uint64_t seed) {
  reference::fillUniform(values, seed, -1.0f, 1.0f);
  for (float &v : values)
    v = std::round(v * 16.0f) / 16.0f;
}

/// Weights scaled by 1/sqrt(fan_in) keep activations near unit size, where
/// a relative tolerance means something.
void fillScaled(std::vector<float> &values, size_t size, int64_t fanIn,
                uint64_t seed) {
  values.resize(size);
  float bound = 1.0f / std::sqrt(static_cast<float>(fanIn));
  reference::fillUniform(values, seed, -2 * bound, 2 * bound);
}

TensorView view(const std::vector<float> &values, std::vector<int64_t> shape) {
  return TensorView(const_cast<float *>(values.data()), DType::F32,
                    std::move(shape));
}

} // namespace

LayerData LayerData::generate(const MoELayerConfig &config, int64_t tokens,
                              uint64_t seed) {
  int64_t H = config.hidden, I = config.intermediate, E = config.numExperts,
          S = config.sharedIntermediate();
  LayerData data;
  data.tokens = tokens;
  data.x.resize(tokens * H);
  data.routerW.resize(H * E);
  fillQuantized(data.x, seed);
  fillQuantized(data.routerW, seed + 1);
  fillScaled(data.wGate, E * H * I, H, seed + 2);
  fillScaled(data.wUp, E * H * I, H, seed + 3);
  fillScaled(data.wDown, E * I * H, I, seed + 4);
  if (S > 0) {
    fillScaled(data.sharedGate, H * S, H, seed + 5);
    fillScaled(data.sharedUp, H * S, H, seed + 6);
    fillScaled(data.sharedDown, S * H, S, seed + 7);
  }
  if (config.selectionBias) {
    // Coarse steps, so biased scores do not land within rounding of each
    // other by accident.
    data.bias.resize(E);
    reference::fillUniform(data.bias, seed + 8, -0.5f, 0.5f);
    for (float &b : data.bias)
      b = std::round(b * 8.0f) / 8.0f;
  }
  return data;
}

std::vector<TensorView> moec::test::layerInputs(const MoELayerConfig &config,
                                                const LayerData &data) {
  int64_t T = data.tokens, H = config.hidden, I = config.intermediate,
          E = config.numExperts, S = config.sharedIntermediate();
  std::vector<TensorView> inputs = {
      view(data.x, {T, H}), view(data.routerW, {H, E}),
      view(data.wGate, {E, H, I}), view(data.wUp, {E, H, I}),
      view(data.wDown, {E, I, H})};
  if (S > 0) {
    inputs.push_back(view(data.sharedGate, {H, S}));
    inputs.push_back(view(data.sharedUp, {H, S}));
    inputs.push_back(view(data.sharedDown, {S, H}));
  }
  if (config.selectionBias)
    inputs.push_back(view(data.bias, {E}));
  return inputs;
}

llvm::Expected<std::vector<float>>
moec::test::runKernel(const Kernel &kernel, const MoELayerConfig &config,
                      const LayerData &data, double *milliseconds,
                      const PreparedWeights *prepared) {
  int64_t T = data.tokens, H = config.hidden;
  std::vector<TensorView> inputs = layerInputs(config, data);
  std::vector<TensorView> outputs = {TensorView(nullptr, DType::F32, {T, H})};
  // NaN-filled, so rows the kernel fails to write cannot pass as results.
  std::vector<float> got(T * H, std::nanf(""));
  outputs[0].data = got.data();
  auto start = std::chrono::steady_clock::now();
  if (llvm::Error err = prepared ? kernel.run(inputs, outputs, *prepared)
                                 : kernel.run(inputs, outputs))
    return std::move(err);
  if (milliseconds)
    *milliseconds = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  return got;
}

reference::LayerWeights
moec::test::referenceWeights(const MoELayerConfig &config,
                             const LayerData &data) {
  reference::LayerWeights weights;
  weights.H = config.hidden, weights.I = config.intermediate,
  weights.E = config.numExperts, weights.S = config.sharedIntermediate();
  weights.routerW = reference::toDouble(data.routerW);
  weights.wGate = reference::toDouble(data.wGate);
  weights.wUp = reference::toDouble(data.wUp);
  weights.wDown = reference::toDouble(data.wDown);
  weights.sharedGate = reference::toDouble(data.sharedGate);
  weights.sharedUp = reference::toDouble(data.sharedUp);
  weights.sharedDown = reference::toDouble(data.sharedDown);
  weights.bias = reference::toDouble(data.bias);
  weights.swigluLimit = config.swigluLimit;
  weights.routing = referenceRouting(config);
  return weights;
}

Comparison moec::test::compareWithReference(const MoELayerConfig &config,
                                            const LayerData &data,
                                            std::vector<float> got) {
  Comparison result;
  result.got = std::move(got);
  result.want = reference::layer(reference::toDouble(data.x), data.tokens,
                                 referenceWeights(config, data));


  double sumSquares = 0;
  size_t finite = 0;
  for (double w : result.want)
    if (std::isfinite(w)) {
      sumSquares += w * w;
      ++finite;
    }
  double rms = finite ? std::sqrt(sumSquares / finite) : 1.0;
  result.maxRelativeError =
      reference::maxRelativeError(result.got.data(), result.want.data(),
                                  result.got.size(), rms > 0 ? rms : 1.0);
  return result;
}

llvm::Expected<Comparison> moec::test::runBoth(const Kernel &kernel,
                                               const MoELayerConfig &config,
                                               const LayerData &data) {
  auto got = runKernel(kernel, config, data);
  if (!got)
    return got.takeError();
  return compareWithReference(config, data, std::move(*got));
}

reference::Routing moec::test::referenceRouting(const MoELayerConfig &config) {
  reference::Routing routing;
  routing.k = config.topK;
  switch (config.scoring) {
  case Scoring::Softmax:
    routing.scoring = reference::Scoring::Softmax;
    break;
  case Scoring::Sigmoid:
    routing.scoring = reference::Scoring::Sigmoid;
    break;
  case Scoring::SqrtSoftplus:
    routing.scoring = reference::Scoring::SqrtSoftplus;
    break;
  }
  routing.nGroup = config.nGroup;
  routing.topkGroup = config.topkGroup;
  routing.groupScore = config.groupScore == GroupScore::Max
                           ? reference::GroupScore::Max
                           : reference::GroupScore::Top2Sum;
  routing.normTopkProb = config.normTopkProb;
  routing.routedScalingFactor = config.routedScalingFactor;
  return routing;
}

llvm::Expected<MoELayerConfig>
moec::test::scaledExampleConfig(llvm::StringRef examplesDir,
                                llvm::StringRef name) {
  std::string path = (examplesDir + "/" + name + "/config.json").str();
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    return llvm::createStringError(text.getError(), "cannot read " + path);
  auto config = parseHFConfig((*text)->getBuffer());
  if (!config)
    return config.takeError();
  config->hidden = 64;
  config->intermediate = 32;
  return config;
}
