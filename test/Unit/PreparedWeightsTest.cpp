//===- PreparedWeightsTest.cpp - Kernel::prepareWeights through the API ---===//
//
// Weights packed once and passed to later calls give the same bits as a call
// that packs them itself; the prepared weights are bound to their kernel and
// checked like any input. Uses only the installed public API (moec/moec.h).
//
//===----------------------------------------------------------------------===//

#include "ErrorText.h"

#include "moec/moec.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace moec;
using moec::test::errorText;

namespace {

// The CPU kernels apply to every expert GEMM of this layer (gate/up: 32
// columns, down: 64, combine: 64) on any target of 256 or 512-bit vectors;
// the router (4 columns) stays a plain loop nest and is not packed.
constexpr int64_t kHidden = 64, kIntermediate = 32, kExperts = 4, kTopK = 2;

MoELayerConfig layerConfig() {
  MoELayerConfig config;
  config.hidden = kHidden;
  config.intermediate = kIntermediate;
  config.numExperts = kExperts;
  config.topK = kTopK;
  config.normTopkProb = true;
  return config;
}

/// One compiler for the whole suite, so the kernels are compiled once. Never
/// destroyed: JIT engines must not be torn down during static destruction.
Compiler &compiler() {
  static Compiler *instance = new Compiler();
  return *instance;
}

std::shared_ptr<const Kernel> compileLayer(unsigned threads) {
  CompileOptions options;
  options.threads = threads;
  auto kernel = compiler().compileLayer(layerConfig(), options);
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

/// Deterministic values in [-scale, scale).
std::vector<float> values(size_t count, unsigned seed, float scale) {
  std::vector<float> result(count);
  uint32_t state = 2654435761u * (seed + 1);
  for (float &value : result) {
    state = state * 1664525u + 1013904223u;
    value = scale * (static_cast<float>(state >> 8) / 8388608.0f - 1.0f);
  }
  return result;
}

/// The layer's operands for `tokens` tokens, and their views in argument
/// order: x, router_weight, w_gate, w_up, w_down.
struct LayerArgs {
  int64_t tokens;
  std::vector<float> x, router, gate, up, down;

  explicit LayerArgs(int64_t tokens, unsigned seed = 0)
      : tokens(tokens), x(values(tokens * kHidden, seed, 1.0f)),
        router(values(kHidden * kExperts, seed + 1, 0.5f)),
        gate(values(kExperts * kHidden * kIntermediate, seed + 2, 0.2f)),
        up(values(kExperts * kHidden * kIntermediate, seed + 3, 0.2f)),
        down(values(kExperts * kIntermediate * kHidden, seed + 4, 0.2f)) {}

  std::vector<TensorView> inputs() {
    return {
        TensorView(x.data(), DType::F32, {tokens, kHidden}),
        TensorView(router.data(), DType::F32, {kHidden, kExperts}),
        TensorView(gate.data(), DType::F32, {kExperts, kHidden, kIntermediate}),
        TensorView(up.data(), DType::F32, {kExperts, kHidden, kIntermediate}),
        TensorView(down.data(), DType::F32,
                   {kExperts, kIntermediate, kHidden})};
  }
};

struct Output {
  std::vector<float> y;
  explicit Output(int64_t tokens) : y(tokens * kHidden, -7.0f) {}
  TensorView view() {
    return TensorView(y.data(), DType::F32,
                      {static_cast<int64_t>(y.size()) / kHidden, kHidden});
  }
};

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         (a.empty() ||
          std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

std::shared_ptr<const PreparedWeights> prepare(const Kernel &kernel,
                                               LayerArgs &args) {
  auto prepared = kernel.prepareWeights(args.inputs());
  if (!prepared) {
    ADD_FAILURE() << llvm::toString(prepared.takeError());
    return nullptr;
  }
  return *prepared;
}

TEST(PreparedWeights, SameBitsAsPackingOnEveryCall) {
  auto kernel = compileLayer(/*threads=*/0);
  ASSERT_TRUE(kernel);
  LayerArgs weights(/*tokens=*/0);
  auto prepared = prepare(*kernel, weights);
  ASSERT_TRUE(prepared);
  for (int64_t tokens : {1, 5, 64}) {
    SCOPED_TRACE("T = " + std::to_string(tokens));
    LayerArgs args(tokens);
    Output plain(tokens), packed(tokens);
    ASSERT_FALSE(llvm::errorToBool(kernel->run(args.inputs(), {plain.view()})));
    ASSERT_FALSE(llvm::errorToBool(
        kernel->run(args.inputs(), {packed.view()}, *prepared)));
    EXPECT_TRUE(sameBits(plain.y, packed.y));
    // The output was written, and is not trivially zero.
    float largest = 0.0f;
    for (float value : plain.y) {
      ASSERT_NE(value, -7.0f);
      largest = std::max(largest, std::abs(value));
    }
    EXPECT_GT(largest, 1e-3f);
  }
}

TEST(PreparedWeights, ZeroTokens) {
  auto kernel = compileLayer(/*threads=*/0);
  ASSERT_TRUE(kernel);
  LayerArgs args(/*tokens=*/0);
  auto prepared = prepare(*kernel, args);
  ASSERT_TRUE(prepared);
  Output out(0);
  EXPECT_FALSE(
      llvm::errorToBool(kernel->run(args.inputs(), {out.view()}, *prepared)));
}

TEST(PreparedWeights, RunReadsThePackedCopy) {
  auto kernel = compileLayer(/*threads=*/0);
  ASSERT_TRUE(kernel);
  LayerArgs args(/*tokens=*/5);
  auto prepared = prepare(*kernel, args);
  ASSERT_TRUE(prepared);
  Output before(5);
  ASSERT_FALSE(llvm::errorToBool(kernel->run(args.inputs(), {before.view()})));

  // Changing the caller's weights after packing changes plain calls, not
  // calls with the prepared weights.
  for (float &value : args.gate)
    value = -value;
  Output plain(5), packed(5);
  ASSERT_FALSE(llvm::errorToBool(kernel->run(args.inputs(), {plain.view()})));
  ASSERT_FALSE(llvm::errorToBool(
      kernel->run(args.inputs(), {packed.view()}, *prepared)));
  EXPECT_FALSE(sameBits(before.y, plain.y));
  EXPECT_TRUE(sameBits(before.y, packed.y));
}

TEST(PreparedWeights, BytesAreThePackedExpertWeights) {
  auto kernel = compileLayer(/*threads=*/0);
  ASSERT_TRUE(kernel);
  LayerArgs args(/*tokens=*/1);
  auto prepared = prepare(*kernel, args);
  ASSERT_TRUE(prepared);
  // Panels pad nothing: gate, up and down packed whole, f32; no router.
  uint64_t expected = 3 * kExperts * kHidden * kIntermediate * sizeof(float);
  EXPECT_GT(prepared->bytes(), 0u);
  EXPECT_EQ(prepared->bytes(), expected);
}

TEST(PreparedWeights, BoundToTheirKernel) {
  auto one = compileLayer(/*threads=*/1);
  auto two = compileLayer(/*threads=*/2);
  ASSERT_TRUE(one && two);
  ASSERT_NE(one.get(), two.get());
  LayerArgs args(/*tokens=*/5);
  auto prepared = prepare(*one, args);
  ASSERT_TRUE(prepared);
  Output out(5);
  std::string message =
      errorText(two->run(args.inputs(), {out.view()}, *prepared));
  EXPECT_NE(message.find("another kernel"), std::string::npos) << message;
  EXPECT_NE(message.find("@moe_layer"), std::string::npos) << message;
  // The failed call did not touch the output.
  EXPECT_TRUE(sameBits(out.y, Output(5).y));
}

TEST(PreparedWeights, BadCallsAreErrors) {
  auto kernel = compileLayer(/*threads=*/0);
  ASSERT_TRUE(kernel);
  LayerArgs args(/*tokens=*/5);
  auto prepared = prepare(*kernel, args);
  ASSERT_TRUE(prepared);
  Output out(5);

  std::vector<TensorView> tooFew = args.inputs();
  tooFew.pop_back();
  std::string prepareCount = errorText(kernel->prepareWeights(tooFew));
  EXPECT_NE(prepareCount.find("prepareWeights takes the 5 inputs run takes, "
                              "got 4"),
            std::string::npos)
      << prepareCount;
  std::string runCount =
      errorText(kernel->run(tooFew, {out.view()}, *prepared));
  EXPECT_NE(runCount.find("expects 5 inputs, got 4"), std::string::npos)
      << runCount;

  // A weight of the wrong shape: named by its moe.layer operand, whether it
  // is packed or only checked.
  std::vector<TensorView> transposed = args.inputs();
  transposed[2].shape = {kExperts, kIntermediate, kHidden};
  std::string prepareShape = errorText(kernel->prepareWeights(transposed));
  EXPECT_NE(prepareShape.find("input 2 (w_gate): expected shape [4, 64, 32], "
                              "got [4, 32, 64]"),
            std::string::npos)
      << prepareShape;
  std::string runShape =
      errorText(kernel->run(transposed, {out.view()}, *prepared));
  EXPECT_NE(runShape.find("w_gate"), std::string::npos) << runShape;

  std::vector<TensorView> wrongDown = args.inputs();
  wrongDown[4].dtype = DType::BF16;
  std::string prepareType = errorText(kernel->prepareWeights(wrongDown));
  EXPECT_NE(prepareType.find("w_down"), std::string::npos) << prepareType;

  EXPECT_TRUE(sameBits(out.y, Output(5).y));
}

TEST(PreparedWeights, ThreadCountDoesNotChangeTheBits) {
  auto one = compileLayer(/*threads=*/1);
  auto two = compileLayer(/*threads=*/2);
  ASSERT_TRUE(one && two);
  for (int64_t tokens : {1, 5, 64}) {
    SCOPED_TRACE("T = " + std::to_string(tokens));
    LayerArgs args(tokens, /*seed=*/static_cast<unsigned>(tokens));
    Output y1(tokens), y2(tokens), y2packed(tokens);
    ASSERT_FALSE(llvm::errorToBool(one->run(args.inputs(), {y1.view()})));
    ASSERT_FALSE(llvm::errorToBool(two->run(args.inputs(), {y2.view()})));
    auto prepared = prepare(*two, args);
    ASSERT_TRUE(prepared);
    ASSERT_FALSE(llvm::errorToBool(
        two->run(args.inputs(), {y2packed.view()}, *prepared)));
    EXPECT_TRUE(sameBits(y1.y, y2.y));
    EXPECT_TRUE(sameBits(y1.y, y2packed.y));
  }
}

TEST(PreparedWeights, BadTargetIsACompileError) {
  CompileOptions options;
  options.target = "cpu-guest";
  std::string unknown =
      errorText(compiler().compileLayer(layerConfig(), options));
  // The registry answers: the target may be a CPU or an NPU.
  EXPECT_NE(unknown.find("unknown target 'cpu-guest'"), std::string::npos)
      << unknown;
  EXPECT_NE(unknown.find("ascend-910b"), std::string::npos) << unknown;

  options.target = "cpu-host:l2=12X";
  std::string badValue =
      errorText(compiler().compileLayer(layerConfig(), options));
  EXPECT_NE(badValue.find("bad value '12X' for 'l2'"), std::string::npos)
      << badValue;
}

} // namespace
