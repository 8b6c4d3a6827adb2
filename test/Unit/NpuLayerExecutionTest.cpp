//===- NpuLayerExecutionTest.cpp - planned layers on the emulator ---------===//
//
// Every example configuration (H and I scaled down, routing kept) planned
// for ascend-910b and run on the emulator, against the same layer compiled
// for this CPU and against the f64 reference; and the edge cases of the CPU
// issue (empty experts, T = 1, k = 1, one expert taking every token).
//
//===----------------------------------------------------------------------===//

#include "LayerExecution.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace moec;
using namespace moec::test;

namespace {

/// f32 on both sides; the plan sums in a different order (K in cube tiles,
/// the combine per column tile), so the two agree to rounding, not bits.
constexpr double kTolerance = 1e-5;
constexpr double kReferenceTolerance = 1e-4;

Compiler &compiler() {
  static Compiler *instance = new Compiler();
  return *instance;
}

std::shared_ptr<const Kernel> compile(const MoELayerConfig &config,
                                      const char *target) {
  CompileOptions options;
  options.target = target;
  auto kernel = compiler().compileLayer(config, options);
  if (!kernel) {
    ADD_FAILURE() << target << ": " << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

/// Runs `config` on `tokens` tokens planned for the NPU and compiled for
/// the CPU; checks that they agree and that the plan matches the reference.
void expectPlanMatchesCPU(const MoELayerConfig &config, int64_t tokens,
                          const std::string &what) {
  auto npu = compile(config, "ascend-910b");
  auto cpu = compile(config, "cpu-host");
  if (!npu || !cpu)
    return;
  LayerData data = LayerData::generate(config, tokens, /*seed=*/7);
  auto planned = runKernel(*npu, config, data);
  auto compiled = runKernel(*cpu, config, data);
  ASSERT_TRUE(static_cast<bool>(planned))
      << what << ": " << llvm::toString(planned.takeError());
  ASSERT_TRUE(static_cast<bool>(compiled))
      << what << ": " << llvm::toString(compiled.takeError());
  double scale = 0;
  for (float value : *compiled)
    scale = std::max(scale, std::fabs(double(value)));
  // A NaN (a row the plan never wrote stays NaN) must fail, not vanish in
  // std::max.
  double worst = 0;
  for (size_t i = 0; i < compiled->size(); ++i) {
    double error = std::fabs(double((*planned)[i]) - (*compiled)[i]) /
                   std::max(scale, 1e-30);
    if (std::isnan(error) || error > worst)
      worst = error;
  }
  EXPECT_LE(worst, kTolerance) << what << ": plan vs CPU, T = " << tokens;
  Comparison reference = compareWithReference(config, data, *planned);
  EXPECT_LE(reference.maxRelativeError, kReferenceTolerance)
      << what << ": plan vs reference, T = " << tokens;
}

class ExamplePlan : public ::testing::TestWithParam<const char *> {};

TEST_P(ExamplePlan, MatchesCPUPath) {
  auto config = scaledExampleConfig(MOEC_EXAMPLES_DIR, GetParam());
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  for (int64_t tokens : {1, 37})
    expectPlanMatchesCPU(*config, tokens, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Examples, ExamplePlan,
                         ::testing::ValuesIn(kExampleLayers));

MoELayerConfig smallConfig() {
  MoELayerConfig config;
  config.hidden = 48;
  config.intermediate = 40;
  config.numExperts = 8;
  config.topK = 2;
  config.normTopkProb = true;
  return config;
}

TEST(NpuPlanExecution, ExpertsWithoutTokens) {
  MoELayerConfig config = smallConfig();
  config.numExperts = 32;
  expectPlanMatchesCPU(config, 1, "32 experts, 1 token");
  expectPlanMatchesCPU(config, 3, "32 experts, 3 tokens");
}

TEST(NpuPlanExecution, TopOne) {
  MoELayerConfig config = smallConfig();
  config.topK = 1;
  config.normTopkProb = false;
  expectPlanMatchesCPU(config, 9, "k = 1");
}

TEST(NpuPlanExecution, OneExpertTakesEveryToken) {
  // k = E: every expert gets every token, and each group spans several row
  // tiles of the grouped GEMMs (600 rows against bm = 128 or 256).
  MoELayerConfig config = smallConfig();
  config.topK = config.numExperts;
  expectPlanMatchesCPU(config, 75, "k = E");
}

TEST(NpuPlanExecution, ManyTokensAndPartialTiles) {
  // H and I not multiples of any tile; T spans many router, combine and
  // dense shared-expert tiles.
  MoELayerConfig config = smallConfig();
  config.hidden = 72;
  config.intermediate = 24;
  config.numSharedExperts = 1;
  expectPlanMatchesCPU(config, 300, "partial tiles, shared expert");
}

TEST(NpuPlanExecution, NoTokens) {
  expectPlanMatchesCPU(smallConfig(), 0, "T = 0");
}

} // namespace
