//===- LayerGradExecutionTest.cpp - @moe_layer_grad against checks --------===//
//
// The gradient function --moe-grad builds for each example layer (scaled to
// H = 64, I = 32), compiled through the C++ API (Compiler::gradientSource),
// checked three ways:
//
// - f64: every gradient tensor against central finite differences of the
//   layer's output projected on dy, L = <dy, y>, at its largest entry and at
//   random ones;
// - f32: every gradient tensor against reference::layerBackward, a plain C++
//   reverse mode written per token and slot (no dispatch or combine);
// - determinism: bit-identical gradients from one call to the next and with
//   1 or 2 threads.
//
// Inputs come from LayerData::generate, whose x and router weight are
// multiples of 1/16, so the routing of the compiled code and of the
// reference is the same; the finite-difference step (1e-5) is far below the
// gaps between the routing scores it perturbs.
//
//===----------------------------------------------------------------------===//

#include "Inputs.h"
#include "LayerExecution.h"

#include "KernelTesting.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

using namespace moec;
using namespace moec::test;

namespace {

std::shared_ptr<const Kernel> compileGrad(const MoELayerConfig &config,
                                          unsigned threads = 0) {
  auto source = Compiler::layerSource(config);
  if (!source) {
    ADD_FAILURE() << llvm::toString(source.takeError());
    return nullptr;
  }
  auto gradSource = Compiler::gradientSource(*source);
  if (!gradSource) {
    ADD_FAILURE() << llvm::toString(gradSource.takeError());
    return nullptr;
  }
  return compileEntry(*gradSource, "moe_layer_grad", threads);
}

/// The arguments of @moe_layer_grad in element type T: the layer's inputs,
/// then dy. The first `differentiable` ones get a gradient result.
template <typename T> struct GradCall {
  std::vector<std::vector<T>> args;
  std::vector<std::vector<int64_t>> shapes;
  size_t differentiable = 0;

  GradCall(const MoELayerConfig &config, const LayerData &data, uint64_t seed) {
    for (const TensorView &view : layerInputs(config, data)) {
      const float *values = static_cast<const float *>(view.data);
      args.emplace_back(values, values + view.numElements());
      shapes.push_back(view.shape);
    }
    differentiable = args.size() - (config.selectionBias ? 1 : 0);
    std::vector<T> dy(data.tokens * config.hidden);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    for (T &v : dy)
      v = static_cast<T>(uniform(rng));
    args.push_back(std::move(dy));
    shapes.push_back(shapes.front());
  }

  /// Runs the kernel; result 0 is y, result 1 + i the gradient of arg i.
  std::vector<std::vector<T>> run(const Kernel &kernel) const {
    std::vector<TensorView> inputs, outputs;
    for (size_t i = 0; i < args.size(); ++i)
      inputs.emplace_back(const_cast<T *>(args[i].data()), dtypeOf<T>(),
                          shapes[i]);
    std::vector<std::vector<T>> results;
    results.emplace_back(args[0].size(), T(NAN));
    for (size_t i = 0; i < differentiable; ++i)
      results.emplace_back(args[i].size(), T(NAN));
    outputs.emplace_back(results[0].data(), dtypeOf<T>(), shapes[0]);
    for (size_t i = 0; i < differentiable; ++i)
      outputs.emplace_back(results[i + 1].data(), dtypeOf<T>(), shapes[i]);
    if (llvm::Error err = kernel.run(inputs, outputs))
      ADD_FAILURE() << llvm::toString(std::move(err));
    return results;
  }

  /// <dy, y> for the current arguments.
  double objective(const Kernel &kernel) const {
    std::vector<T> y = run(kernel)[0];
    const std::vector<T> &dy = args.back();
    double sum = 0.0;
    for (size_t i = 0; i < y.size(); ++i)
      sum += double(dy[i]) * double(y[i]);
    return sum;
  }
};

const char *kGradientNames[] = {
    "dx",       "d_router_weight", "d_w_gate",    "d_w_up",
    "d_w_down", "d_shared_gate",   "d_shared_up", "d_shared_down"};

MoELayerConfig exampleConfig(const char *name, ElementType type) {
  auto config = scaledExampleConfig(MOEC_EXAMPLES_DIR, name);
  if (!config) {
    ADD_FAILURE() << llvm::toString(config.takeError());
    return {};
  }
  config->elementType = type;
  return *config;
}

double maxAbs(const std::vector<double> &values) {
  double m = 0.0;
  for (double v : values)
    m = std::max(m, std::abs(v));
  return m;
}

/// Checks each gradient result at its largest entry and at `samples` random
/// entries against central differences of <dy, y>.
void checkFiniteDifferences(const MoELayerConfig &config, int64_t tokens,
                            int samples) {
  std::shared_ptr<const Kernel> kernel = compileGrad(config);
  ASSERT_TRUE(kernel);
  LayerData data = LayerData::generate(config, tokens, /*seed=*/7);
  GradCall<double> call(config, data, /*seed=*/11);
  std::vector<std::vector<double>> analytic = call.run(*kernel);
  ASSERT_EQ(analytic.size(), call.differentiable + 1);

  constexpr double step = 1e-5;
  std::mt19937_64 rng(3);
  for (size_t g = 0; g < call.differentiable; ++g) {
    const std::vector<double> &grad = analytic[g + 1];
    double scale = std::max(maxAbs(grad), 1e-3);
    std::vector<size_t> entries = {
        static_cast<size_t>(std::max_element(grad.begin(), grad.end(),
                                             [](double a, double b) {
                                               return std::abs(a) < std::abs(b);
                                             }) -
                            grad.begin())};
    std::uniform_int_distribution<size_t> pick(0, grad.size() - 1);
    for (int s = 0; s < samples; ++s)
      entries.push_back(pick(rng));
    for (size_t entry : entries) {
      double saved = call.args[g][entry];
      call.args[g][entry] = saved + step;
      double plus = call.objective(*kernel);
      call.args[g][entry] = saved - step;
      double minus = call.objective(*kernel);
      call.args[g][entry] = saved;
      double fd = (plus - minus) / (2 * step);
      EXPECT_NEAR(grad[entry], fd, 1e-6 * scale)
          << kGradientNames[g] << "[" << entry << "], largest |entry| "
          << scale;
    }
  }
}

/// Compares every f32 gradient with reference::layerBackward; returns the
/// gradients for further checks.
std::vector<std::vector<float>>
checkAgainstReference(const MoELayerConfig &config, int64_t tokens,
                      unsigned threads = 0) {
  std::shared_ptr<const Kernel> kernel = compileGrad(config, threads);
  if (!kernel)
    return {};
  LayerData data = LayerData::generate(config, tokens, /*seed=*/5);
  GradCall<float> call(config, data, /*seed=*/9);
  std::vector<std::vector<float>> got = call.run(*kernel);

  reference::LayerGradients want = reference::layerBackward(
      reference::toDouble(data.x), tokens, referenceWeights(config, data),
      reference::toDouble(call.args.back()));
  const std::vector<double> *wants[] = {
      &want.y,           &want.dx,        &want.dRouterW,
      &want.dWGate,      &want.dWUp,      &want.dWDown,
      &want.dSharedGate, &want.dSharedUp, &want.dSharedDown};
  EXPECT_EQ(got.size(), call.differentiable + 1);
  for (size_t r = 0; r < got.size(); ++r) {
    const std::vector<double> &w = *wants[r];
    EXPECT_EQ(got[r].size(), w.size());
    double scale = std::max(maxAbs(w), 1e-6);
    double worst = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < std::min(got[r].size(), w.size()); ++i) {
      double err = std::abs(got[r][i] - w[i]);
      if (!(err <= worst)) {
        worst = err;
        at = i;
      }
    }
    EXPECT_LE(worst / scale, 2e-5)
        << (r == 0 ? "y" : kGradientNames[r - 1]) << "[" << at << "]: got "
        << got[r][at] << ", want " << w[at];
  }
  return got;
}

class LayerGradExample : public ::testing::TestWithParam<const char *> {};

TEST_P(LayerGradExample, F64MatchesFiniteDifferences) {
  checkFiniteDifferences(exampleConfig(GetParam(), ElementType::F64),
                         /*tokens=*/13, /*samples=*/4);
}

TEST_P(LayerGradExample, F32MatchesReferenceBackward) {
  MoELayerConfig config = exampleConfig(GetParam(), ElementType::F32);
  checkAgainstReference(config, /*tokens=*/37);
  // One token: every expert but k is empty.
  checkAgainstReference(config, /*tokens=*/1);
}

INSTANTIATE_TEST_SUITE_P(Examples, LayerGradExample,
                         ::testing::ValuesIn(kExampleLayers),
                         [](const auto &info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

MoELayerConfig smallConfig(ElementType type, int64_t k) {
  MoELayerConfig config;
  config.hidden = 32;
  config.intermediate = 16;
  config.numExperts = 8;
  config.topK = k;
  config.normTopkProb = true;
  config.elementType = type;
  return config;
}

TEST(LayerGrad, TopOneRouting) {
  checkFiniteDifferences(smallConfig(ElementType::F64, 1), /*tokens=*/9,
                         /*samples=*/4);
  checkAgainstReference(smallConfig(ElementType::F32, 1), /*tokens=*/9);
}

TEST(LayerGrad, OneTokenManyEmptyExperts) {
  MoELayerConfig config = smallConfig(ElementType::F64, 2);
  config.numExperts = 32;
  checkFiniteDifferences(config, /*tokens=*/1, /*samples=*/4);
}

TEST(LayerGrad, BitIdenticalAcrossCallsAndThreadCounts) {
  MoELayerConfig config = exampleConfig("deepseek-v3-16e", ElementType::F32);
  std::vector<std::vector<float>> one = checkAgainstReference(config, 61, 1);
  std::vector<std::vector<float>> two = checkAgainstReference(config, 61, 2);
  std::vector<std::vector<float>> again = checkAgainstReference(config, 61, 2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t r = 0; r < one.size(); ++r) {
    EXPECT_EQ(0, std::memcmp(one[r].data(), two[r].data(),
                             one[r].size() * sizeof(float)))
        << "result " << r << " differs between 1 and 2 threads";
    EXPECT_EQ(0, std::memcmp(two[r].data(), again[r].data(),
                             two[r].size() * sizeof(float)))
        << "result " << r << " differs between two calls";
  }
}

} // namespace
