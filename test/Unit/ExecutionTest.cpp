//===- ExecutionTest.cpp - compiled layers against the f64 reference ------===//
//
// Every example configuration (hidden and expert sizes scaled down, routing
// kept) and the edge cases of the CPU lowering, run through the C++ API and
// compared with test/Reference (f32 against f64: relative error <= 1e-4).
//
//===----------------------------------------------------------------------===//

#include "Compare.h"
#include "Inputs.h"
#include "LayerExecution.h"
#include "MoEReference.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace moec;
using namespace moec::test;

namespace {

constexpr double kTolerance = 1e-4;

/// One compiler for the whole suite, so configs repeated across tests come
/// from its cache. Never destroyed: JIT engines must not be torn down during
/// static destruction, after LLVM's own globals are gone.
Compiler &compiler() {
  static Compiler *instance = new Compiler();
  return *instance;
}

/// The kernel, or null after reporting the compile error as a test failure.
std::shared_ptr<const Kernel>
orFail(llvm::Expected<std::shared_ptr<const Kernel>> kernel) {
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

std::shared_ptr<const Kernel> compile(const MoELayerConfig &config) {
  return orFail(compiler().compileLayer(config));
}

/// Compiles function `entry` of `source` (for functions no config
/// describes).
std::shared_ptr<const Kernel> compileEntry(const char *source,
                                           const char *entry) {
  CompileOptions options;
  options.entry = entry;
  return orFail(compiler().compileSource(source, options));
}

/// Compiles `config`, runs it on `tokens` generated tokens (after `tweak`
/// edits the data) and returns the comparison with the reference.
template <typename Tweak>
Comparison check(const MoELayerConfig &config, int64_t tokens, Tweak tweak,
                 uint64_t seed = 1) {
  auto kernel = compile(config);
  if (!kernel)
    return {};
  LayerData data = LayerData::generate(config, tokens, seed);
  tweak(data);
  auto result = runBoth(*kernel, config, data);
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return {};
  }
  return std::move(*result);
}

Comparison check(const MoELayerConfig &config, int64_t tokens) {
  return check(config, tokens, [](LayerData &) {});
}

MoELayerConfig smallConfig() {
  MoELayerConfig config;
  config.hidden = 32;
  config.intermediate = 16;
  config.numExperts = 8;
  config.topK = 2;
  config.normTopkProb = true;
  return config;
}

//===----------------------------------------------------------------------===//
// The example configurations
//===----------------------------------------------------------------------===//

class ExampleLayer : public ::testing::TestWithParam<const char *> {};

TEST_P(ExampleLayer, MatchesReference) {
  auto config = scaledExampleConfig(MOEC_EXAMPLES_DIR, GetParam());
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  for (int64_t tokens : {1, 7, 300}) {
    Comparison result = check(*config, tokens);
    EXPECT_LE(result.maxRelativeError, kTolerance)
        << GetParam() << " with T = " << tokens;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleLayer,
                         ::testing::ValuesIn(kExampleLayers));

//===----------------------------------------------------------------------===//
// Edge cases
//===----------------------------------------------------------------------===//

TEST(LayerExecution, ExpertsWithoutTokens) {
  MoELayerConfig config = smallConfig();
  config.numExperts = 32;
  // One token uses 2 of 32 experts: 30 empty groups.
  EXPECT_LE(check(config, 1).maxRelativeError, kTolerance);
  EXPECT_LE(check(config, 3).maxRelativeError, kTolerance);
}

TEST(LayerExecution, AllTokensToOneExpert) {
  MoELayerConfig config = smallConfig();
  config.topK = 1;
  // Positive inputs and a router that only sees them through expert 5.
  auto tweak = [&](LayerData &data) {
    for (float &v : data.x)
      v = std::fabs(v) + 0.0625f;
    for (int64_t h = 0; h < config.hidden; ++h)
      for (int64_t e = 0; e < config.numExperts; ++e)
        data.routerW[h * config.numExperts + e] = e == 5 ? 1.0f : 0.0f;
  };
  EXPECT_LE(check(config, 300, tweak).maxRelativeError, kTolerance);
  config.topK = 2; // the second choice is a tie of zeros: expert 0
  EXPECT_LE(check(config, 300, tweak).maxRelativeError, kTolerance);
}

TEST(LayerExecution, SmallCachesBlockK) {
  // Caches this small make every kernel walk K in blocks of 16 or 32 (a
  // partial last block where K = 200) with the partial sums in the worker
  // scratch, and give items of 60 rows: the token counts leave every tail
  // tile height (1, 3 and 6 with repeated rows) in some group.
  CompileOptions options;
  options.target = "cpu-host:l1d=2K,l2=16K";
  for (auto [hidden, intermediate] : {std::pair{200, 64}, {208, 96}}) {
    MoELayerConfig config = smallConfig();
    config.hidden = hidden;
    config.intermediate = intermediate;
    auto kernel = orFail(compiler().compileLayer(config, options));
    ASSERT_TRUE(kernel);
    for (int64_t tokens : {1, 5, 37, 300}) {
      LayerData data = LayerData::generate(config, tokens, /*seed=*/3);
      auto result = runBoth(*kernel, config, data);
      ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
      EXPECT_LE(result->maxRelativeError, kTolerance)
          << "H = " << hidden << ", T = " << tokens;
    }
  }
}

TEST(LayerExecution, SingleExpert) {
  MoELayerConfig config = smallConfig();
  config.numExperts = 1;
  config.topK = 1;
  config.normTopkProb = false;
  for (int64_t tokens : {1, 7, 300})
    EXPECT_LE(check(config, tokens).maxRelativeError, kTolerance);
}

TEST(LayerExecution, TopOne) {
  MoELayerConfig config = smallConfig();
  config.topK = 1;
  config.normTopkProb = false;
  EXPECT_LE(check(config, 300).maxRelativeError, kTolerance);
}

TEST(LayerExecution, RoutingVariants) {
  MoELayerConfig config = smallConfig();
  config.numExperts = 16;
  config.topK = 4;
  for (Scoring scoring :
       {Scoring::Softmax, Scoring::Sigmoid, Scoring::SqrtSoftplus})
    for (bool norm : {false, true})
      for (bool bias : {false, true}) {
        config.scoring = scoring;
        config.normTopkProb = norm;
        config.selectionBias = bias && scoring != Scoring::Softmax;
        config.routedScalingFactor = norm ? 2.5 : 1.0;
        EXPECT_LE(check(config, 7).maxRelativeError, kTolerance)
            << toString(scoring).str() << " norm " << norm << " bias " << bias;
      }
}

TEST(LayerExecution, GroupLimitedRouting) {
  MoELayerConfig config = smallConfig();
  config.numExperts = 16;
  config.topK = 4;
  config.scoring = Scoring::Sigmoid;
  config.nGroup = 4;
  config.topkGroup = 2;
  config.selectionBias = true;
  config.routedScalingFactor = 2.5;
  for (GroupScore groupScore : {GroupScore::Top2Sum, GroupScore::Max}) {
    config.groupScore = groupScore;
    EXPECT_LE(check(config, 300).maxRelativeError, kTolerance)
        << toString(groupScore).str();
  }
}

TEST(LayerExecution, SharedExpertsAndLimit) {
  MoELayerConfig config = smallConfig();
  config.numSharedExperts = 2;
  EXPECT_LE(check(config, 7).maxRelativeError, kTolerance);
  config.swigluLimit = 0.5; // small enough to clamp many activations
  EXPECT_LE(check(config, 7).maxRelativeError, kTolerance);
}

TEST(LayerExecution, NaNLogitsPropagate) {
  MoELayerConfig config = smallConfig();
  config.scoring = Scoring::Sigmoid;
  // A NaN in the router weight of expert 3 makes every token's logit 3 NaN:
  // every output row must be NaN (documented), and nothing may crash.
  auto tweak = [&](LayerData &data) { data.routerW[3] = std::nanf(""); };
  Comparison result = check(config, 7, tweak);
  EXPECT_LE(result.maxRelativeError, kTolerance);
  ASSERT_FALSE(result.got.empty());
  for (float v : result.got)
    EXPECT_TRUE(std::isnan(v));
}

TEST(LayerExecution, InfiniteInputsStayInBounds) {
  MoELayerConfig config = smallConfig();
  auto tweak = [](LayerData &data) {
    data.x[0] = INFINITY;
    data.x[40] = -INFINITY;
  };
  // Only the rows of the infinite tokens may be non-finite, and the run must
  // agree with the reference everywhere (NaN where it has NaN).
  Comparison result = check(config, 7, tweak);
  EXPECT_LE(result.maxRelativeError, kTolerance);
}

} // namespace

namespace {

// Hash routing (DeepSeek-V4's first layers) has no HF importer path, so the
// function is written out; token id 9 is outside the vocabulary and table
// entry 7 outside the experts: those slots get weight 0, as documented.
constexpr const char *kHashLayer = R"mlir(
func.func @hash_layer(%x: tensor<?x16xf32>, %rw: tensor<16x4xf32>,
                      %wg: tensor<4x16x8xf32>, %wu: tensor<4x16x8xf32>,
                      %wd: tensor<4x8x16xf32>, %ids: tensor<?xi32>,
                      %table: tensor<5x2xi32>) -> tensor<?x16xf32> {
  %y = moe.layer %x router %rw hash(%ids, %table) experts %wg, %wu, %wd
      routing <k = 2, scoring = sqrtsoftplus, norm_topk_prob = true,
               routed_scaling_factor = 1.5>
      : (tensor<?x16xf32>, tensor<16x4xf32>, tensor<4x16x8xf32>,
         tensor<4x16x8xf32>, tensor<4x8x16xf32>, tensor<?xi32>,
         tensor<5x2xi32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
)mlir";

TEST(LayerExecution, HashRouting) {
  auto kernel = compileEntry(kHashLayer, "hash_layer");
  ASSERT_TRUE(kernel);

  MoELayerConfig config = smallConfig();
  config.hidden = 16, config.intermediate = 8, config.numExperts = 4;
  const int64_t T = 6, H = 16, I = 8, E = 4;
  LayerData data = LayerData::generate(config, T, 7);
  std::vector<int32_t> tokenIds = {0, 4, 9, 2, 3, 1};
  std::vector<int32_t> table = {0, 1, 2, 3, 3, 0, 7, 2, 1, 1};
  std::vector<float> got(T * H, std::nanf(""));
  auto f32 = [](const std::vector<float> &v, std::vector<int64_t> shape) {
    return TensorView(const_cast<float *>(v.data()), DType::F32, shape);
  };
  llvm::Error err = kernel->run(
      {f32(data.x, {T, H}), f32(data.routerW, {H, E}),
       f32(data.wGate, {E, H, I}), f32(data.wUp, {E, H, I}),
       f32(data.wDown, {E, I, H}), TensorView(tokenIds.data(), DType::I32, {T}),
       TensorView(table.data(), DType::I32, {5, 2})},
      {TensorView(got.data(), DType::F32, {T, H})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));

  reference::LayerWeights weights;
  weights.H = H, weights.I = I, weights.E = E;
  weights.routerW = reference::toDouble(data.routerW);
  weights.wGate = reference::toDouble(data.wGate);
  weights.wUp = reference::toDouble(data.wUp);
  weights.wDown = reference::toDouble(data.wDown);
  weights.routing.k = 2;
  weights.routing.scoring = reference::Scoring::SqrtSoftplus;
  weights.routing.normTopkProb = true;
  weights.routing.routedScalingFactor = 1.5;
  weights.hash = reference::HashRouting{
      std::vector<int64_t>(table.begin(), table.end()), 5};
  std::vector<double> want =
      reference::layer(reference::toDouble(data.x), T, weights,
                       std::vector<int64_t>(tokenIds.begin(), tokenIds.end()));
  double rms = 0;
  for (double w : want)
    rms += w * w;
  rms = std::sqrt(rms / want.size());
  EXPECT_LE(
      reference::maxRelativeError(got.data(), want.data(), got.size(), rms),
      kTolerance);
}

/// Views of the signature's arguments with every dynamic size set to
/// `dynamicSize`, for checks that never touch the data.
std::vector<TensorView> placeholderInputs(const Signature &sig,
                                          int64_t dynamicSize) {
  std::vector<TensorView> inputs;
  for (const TensorSpec &spec : sig.arguments) {
    std::vector<int64_t> shape = spec.shape;
    for (int64_t &size : shape)
      if (size == kDynamic)
        size = dynamicSize;
    inputs.emplace_back(reinterpret_cast<void *>(64), spec.dtype, shape);
  }
  return inputs;
}

TEST(LayerExecution, HashRoutingTokenCountsMustAgree) {
  auto kernel = compileEntry(kHashLayer, "hash_layer");
  ASSERT_TRUE(kernel);
  const Signature &sig = kernel->signature();
  std::vector<TensorView> inputs = placeholderInputs(sig, 3);
  inputs[5].shape = {2}; // token_ids for 2 tokens, x has 3
  auto shapes = sig.resultShapes(inputs);
  ASSERT_FALSE(static_cast<bool>(shapes));
  EXPECT_EQ(llvm::toString(shapes.takeError()),
            "input 5 (token_ids) dimension 0 is 2 but input 0 (x) dimension 0 "
            "is 3; the function needs them equal");
}

TEST(LayerExecution, StaticTokenIdsMustMatchDynamicTokens) {
  // token_ids has a static size the verifier cannot compare with x's dynamic
  // one: the runtime must, or the kernel would read past token_ids.
  std::string source = kHashLayer;
  for (size_t at; (at = source.find("tensor<?xi32>")) != std::string::npos;)
    source.replace(at, 13, "tensor<4xi32>");
  auto kernel = compileEntry(source.c_str(), "hash_layer");
  ASSERT_TRUE(kernel);
  const Signature &sig = kernel->signature();
  std::vector<TensorView> inputs = placeholderInputs(sig, 6);
  auto shapes = sig.resultShapes(inputs);
  ASSERT_FALSE(static_cast<bool>(shapes));
  EXPECT_EQ(llvm::toString(shapes.takeError()),
            "input 5 (token_ids) dimension 0 is 4 but input 0 (x) dimension 0 "
            "is 6; the function needs them equal");
}

} // namespace

namespace {

// Standalone dispatch / grouped GEMM / combine fed ids from outside a layer:
// ids outside [0, E) must route their pair nowhere (a zero contribution),
// never index out of bounds.
constexpr const char *kExternalIds = R"mlir(
func.func @route_rows(%x: tensor<?x4xf32>, %ids: tensor<?x2xi32>,
                      %w: tensor<3x4x4xf32>, %weights: tensor<?x2xf32>)
    -> tensor<?x4xf32> {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 3
      : tensor<?x4xf32>, tensor<?x2xi32>
      -> tensor<?x4xf32>, tensor<?xi32>, tensor<4xi32>
  %ys = moe.grouped_matmul %xs, %w, %offsets
      : tensor<?x4xf32>, tensor<3x4x4xf32>, tensor<4xi32> -> tensor<?x4xf32>
  %y = moe.combine %ys, %perm, %weights
      : tensor<?x4xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
)mlir";

TEST(LayerExecution, OutOfRangeIdsContributeNothing) {
  auto kernel = compileEntry(kExternalIds, "route_rows");
  ASSERT_TRUE(kernel);

  const int64_t T = 5, k = 2, H = 4, E = 3;
  std::vector<float> x(T * H), w(E * H * H), weights(T * k);
  reference::fillUniform(x, 11, -1, 1);
  reference::fillUniform(w, 12, -1, 1);
  reference::fillUniform(weights, 13, 0, 1);
  std::vector<int32_t> ids = {0, 2, -5, 1, 3, 99, 2, 2, 1, -2147483647 - 1};
  std::vector<float> got(T * H, std::nanf(""));
  llvm::Error err =
      kernel->run({TensorView(x.data(), DType::F32, {T, H}),
                   TensorView(ids.data(), DType::I32, {T, k}),
                   TensorView(w.data(), DType::F32, {E, H, H}),
                   TensorView(weights.data(), DType::F32, {T, k})},
                  {TensorView(got.data(), DType::F32, {T, H})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));

  reference::Dispatched dispatched =
      reference::dispatch(reference::toDouble(x), T, H,
                          std::vector<int64_t>(ids.begin(), ids.end()), k, E);
  std::vector<double> ys = reference::groupedMatmul(
      dispatched.xs, dispatched.rows(), H, reference::toDouble(w), E, H,
      dispatched.offsets);
  std::vector<double> want =
      reference::combine(ys, dispatched.rows(), H, dispatched.perm,
                         reference::toDouble(weights), T, k);
  EXPECT_LE(
      reference::maxRelativeError(got.data(), want.data(), got.size(), 1.0),
      kTolerance);
  // Token 2 has ids 3 and 99, both invalid: its row is exactly zero.
  for (int64_t h = 0; h < H; ++h)
    EXPECT_EQ(got[2 * H + h], 0.0f);
}

} // namespace
