//===- AdamWExecutionTest.cpp - compiled moe.adamw against a C++ AdamW ----===//
//
// moe.adamw compiled through the C++ API and run for several steps in place
// on the caller's buffers (results tied with `moe.in_place`, the way a
// training loop uses it: the same parameter and moment buffers every step,
// no copies or swaps), against a plain C++ AdamW of MOE-SEMANTICS.md's
// formula. Also: the same kernel given separate output buffers (the input
// is copied there and left unchanged), and a training-step-like function
// updating two parameters in place with two adamw ops and returning a loss.
//
// The reference computes in the kernel's precision with the scalars rounded
// the way the lowering rounds them: 1 - beta^t and 1 - beta in f64, then to
// the element type. Errors are normwise: max |got - want| / max |want| per
// tensor, since m = b1 m + (1 - b1) g may cancel to near zero in places.
//
//===----------------------------------------------------------------------===//

#include "KernelTesting.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace moec;
using namespace moec::test;

namespace {

struct Hyper {
  double lr = 1e-2;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0.01;
};

/// `@adamw` taking (param, grad, m, v, step) of `tensorType` / `stepType`
/// and returning the updated (param, m, v), each written in place into its
/// argument (0, 2 and 3).
std::string adamwSource(const std::string &tensorType,
                        const std::string &stepType, const Hyper &h) {
  // 17 significant digits, so that the attributes parse back to exactly the
  // doubles the reference uses.
  return llvm::formatv(
             R"mlir(
func.func @adamw(%p: {0}, %g: {0}, %m: {0}, %v: {0}, %t: {1})
    -> ({0} {{moe.in_place = 0 : i64}, {0} {{moe.in_place = 2 : i64},
        {0} {{moe.in_place = 3 : i64}) {
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = {2:e16} beta1 = {3:e16}
      beta2 = {4:e16} eps = {5:e16} weight_decay = {6:e16}
      : ({0}, {0}, {0}, {0}, {1}) -> ({0}, {0}, {0})
  return %p1, %m1, %v1 : {0}, {0}, {0}
}
)mlir",
             tensorType, stepType, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay)
      .str();
}

/// The formula of MOE-SEMANTICS.md, "Optimizer", in precision `T`.
template <typename T>
void referenceStep(std::vector<T> &p, std::vector<T> &m, std::vector<T> &v,
                   const std::vector<T> &g, int64_t step, const Hyper &h) {
  const T bc1 = static_cast<T>(1.0 - std::pow(h.beta1, double(step)));
  const T bc2 = static_cast<T>(1.0 - std::pow(h.beta2, double(step)));
  const T b1 = static_cast<T>(h.beta1), c1 = static_cast<T>(1.0 - h.beta1);
  const T b2 = static_cast<T>(h.beta2), c2 = static_cast<T>(1.0 - h.beta2);
  const T lr = static_cast<T>(h.lr), eps = static_cast<T>(h.eps);
  const T wd = static_cast<T>(h.weightDecay);
  for (size_t i = 0; i < p.size(); ++i) {
    T mi = b1 * m[i] + c1 * g[i];
    T vi = b2 * v[i] + c2 * (g[i] * g[i]);
    T mh = mi / bc1;
    T vh = vi / bc2;
    T update = mh / (std::sqrt(vh) + eps) + wd * p[i];
    p[i] = p[i] - lr * update;
    m[i] = mi;
    v[i] = vi;
  }
}

template <typename T>
double normwiseError(const std::vector<T> &got, const std::vector<T> &want) {
  double maxDiff = 0, maxWant = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double diff = std::fabs(double(got[i]) - double(want[i]));
    // NaN must fail the comparison, not vanish in std::max.
    if (std::isnan(diff))
      return diff;
    maxDiff = std::max(maxDiff, diff);
    maxWant = std::max(maxWant, std::fabs(double(want[i])));
  }
  return maxWant == 0 ? maxDiff : maxDiff / maxWant;
}

struct Case {
  std::vector<int64_t> shape;
  int64_t firstStep = 1;
  int64_t steps = 4;
  /// With zero moments at step 1, as a fresh optimizer starts; later steps
  /// start from random moments (v >= 0).
  bool zeroMoments = true;
  bool i32Step = false;
};

/// Runs `c.steps` steps of the compiled `kernel` and of the reference from
/// the same random state; returns the largest error over all steps and
/// tensors.
template <typename T>
double runCase(const Kernel &kernel, const Case &c, const Hyper &h,
               uint64_t seed) {
  int64_t n = 1;
  for (int64_t size : c.shape)
    n *= size;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  auto random = [&](double scale, bool nonNegative) {
    std::vector<T> values(n);
    for (T &x : values) {
      double r = uniform(rng) * scale;
      x = static_cast<T>(nonNegative ? std::fabs(r) : r);
    }
    return values;
  };
  std::vector<T> p = random(1.0, false);
  std::vector<T> m(n, T(0)), v(n, T(0));
  if (!c.zeroMoments) {
    m = random(0.1, false);
    v = random(0.01, true);
  }
  std::vector<T> refP = p, refM = m, refV = v;
  const DType dtype = dtypeOf<T>();
  // The same views every step, as inputs and as the tied outputs.
  TensorView pView(p.data(), dtype, c.shape), mView(m.data(), dtype, c.shape),
      vView(v.data(), dtype, c.shape);

  double worst = 0;
  for (int64_t s = 0; s < c.steps; ++s) {
    int64_t step = c.firstStep + s;
    // Gradients of a few scales, so that sqrt(vh) is not always ~ |g|.
    std::vector<T> g = random(s % 2 ? 1e-3 : 1.0, false);
    int64_t step64 = step;
    int32_t step32 = static_cast<int32_t>(step);
    TensorView stepView = c.i32Step ? TensorView(&step32, DType::I32, {})
                                    : TensorView(&step64, DType::I64, {});
    llvm::Error err = kernel.run(
        {pView, TensorView(g.data(), dtype, c.shape), mView, vView, stepView},
        {pView, mView, vView});
    if (err) {
      ADD_FAILURE() << "step " << step << ": "
                    << llvm::toString(std::move(err));
      return INFINITY;
    }
    referenceStep(refP, refM, refV, g, step, h);
    for (auto [name, got, want] :
         {std::make_tuple("param", &p, &refP), std::make_tuple("m", &m, &refM),
          std::make_tuple("v", &v, &refV)}) {
      double e = normwiseError(*got, *want);
      SCOPED_TRACE(::testing::Message() << name << " at step " << step);
      EXPECT_FALSE(std::isnan(e));
      worst = std::isnan(e) ? INFINITY : std::max(worst, e);
    }
  }
  return worst;
}

std::shared_ptr<const Kernel> compileAdamW(const std::string &tensorType,
                                           const std::string &stepType,
                                           const Hyper &h) {
  CompileOptions options;
  options.entry = "adamw";
  auto kernel = sharedCompiler().compileSource(
      adamwSource(tensorType, stepType, h), options);
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

constexpr double kF32Tolerance = 1e-6;
constexpr double kF64Tolerance = 1e-12;

/// Every case with both weight decays, for one element type.
template <typename T>
void checkAllCases(const std::string &elementType, double tolerance) {
  for (double weightDecay : {0.0, 0.1}) {
    SCOPED_TRACE(::testing::Message() << "weight_decay " << weightDecay);
    Hyper h;
    h.weightDecay = weightDecay;
    // One kernel of dynamic size for both lengths, which are not multiples
    // of any vector width; the runtime sizes the results from the param.
    auto flat = compileAdamW("tensor<?x" + elementType + ">", "tensor<i64>", h);
    ASSERT_TRUE(flat);
    for (int64_t size : {37, 1000}) {
      SCOPED_TRACE(::testing::Message() << "size " << size);
      Case fresh{{size}, /*firstStep=*/1, /*steps=*/5};
      double fromOne = runCase<T>(*flat, fresh, h, 11 + size);
      EXPECT_LE(fromOne, tolerance) << "from step 1";
      Case later{{size},
                 /*firstStep=*/1000,
                 /*steps=*/3,
                 /*zeroMoments=*/false};
      double fromLater = runCase<T>(*flat, later, h, 13 + size);
      EXPECT_LE(fromLater, tolerance) << "from step 1000";
      std::printf("adamw %s wd=%g size=%lld: max normwise error %.3g "
                  "(steps 1-5), %.3g (steps 1000-1002)\n",
                  elementType.c_str(), weightDecay,
                  static_cast<long long>(size), fromOne, fromLater);
    }
    // A 2-D parameter and an i32 step.
    auto matrix =
        compileAdamW("tensor<6x13x" + elementType + ">", "tensor<i32>", h);
    ASSERT_TRUE(matrix);
    Case twoD{{6, 13},
              /*firstStep=*/1,
              /*steps=*/4,
              /*zeroMoments=*/true,
              /*i32Step=*/true};
    double fromOne = runCase<T>(*matrix, twoD, h, 17);
    EXPECT_LE(fromOne, tolerance) << "6x13";
    Case twoDLater{{6, 13},
                   /*firstStep=*/50,
                   /*steps=*/3,
                   /*zeroMoments=*/false,
                   /*i32Step=*/true};
    double fromLater = runCase<T>(*matrix, twoDLater, h, 19);
    EXPECT_LE(fromLater, tolerance) << "6x13 from step 50";
    std::printf("adamw %s wd=%g 6x13 (i32 step): max normwise error %.3g "
                "(steps 1-4), %.3g (steps 50-52)\n",
                elementType.c_str(), weightDecay, fromOne, fromLater);
  }
}

TEST(AdamWExecution, F32MatchesReference) {
  checkAllCases<float>("f32", kF32Tolerance);
}

TEST(AdamWExecution, F64MatchesReference) {
  checkAllCases<double>("f64", kF64Tolerance);
}

TEST(AdamWExecution, FirstStepIsSignedLearningRate) {
  // At step 1 from zero moments, mh / sqrt(vh) = g / |g| exactly up to eps,
  // so without weight decay every parameter moves by -lr * sign(g): a check
  // that needs no reference implementation. Updated in place.
  Hyper h;
  h.lr = 0.5;
  h.weightDecay = 0.0;
  auto kernel = compileAdamW("tensor<4xf64>", "tensor<i64>", h);
  ASSERT_TRUE(kernel);
  const std::vector<double> p0 = {1.0, -2.0, 3.0, 0.25};
  std::vector<double> p = p0, g = {4.0, -0.5, 1e-3, -7.0};
  std::vector<double> m(4, 0.0), v(4, 0.0);
  TensorView pv(p.data(), DType::F64, {4}), mv(m.data(), DType::F64, {4}),
      vv(v.data(), DType::F64, {4});
  int64_t step = 1;
  llvm::Error err = kernel->run({pv, TensorView(g.data(), DType::F64, {4}), mv,
                                 vv, TensorView(&step, DType::I64, {})},
                                {pv, mv, vv});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  for (size_t i = 0; i < p.size(); ++i) {
    double sign = g[i] > 0 ? 1.0 : -1.0;
    // eps / |g| is the only deviation: at most 1e-8 / 1e-3.
    EXPECT_NEAR(p[i], p0[i] - h.lr * sign, 1e-5 * h.lr) << i;
    EXPECT_DOUBLE_EQ(m[i], 0.1 * g[i]) << i;
    EXPECT_NEAR(v[i], 0.001 * g[i] * g[i], 1e-18 + 1e-15 * g[i] * g[i]) << i;
  }
}

TEST(AdamWExecution, SeparateOutputsLeaveInputsUnchanged) {
  // The tied results given buffers of their own: the runtime copies each
  // argument there and runs the update on the copy, so the inputs keep
  // their values and the outputs are bit for bit what the in-place call
  // writes.
  Hyper h;
  auto kernel = compileAdamW("tensor<?xf32>", "tensor<i64>", h);
  ASSERT_TRUE(kernel);
  std::mt19937_64 rng(23);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  const int64_t n = 53;
  std::vector<float> p(n), g(n), m(n), v(n);
  for (int64_t i = 0; i < n; ++i) {
    p[i] = uniform(rng);
    g[i] = uniform(rng);
    m[i] = 0.1f * uniform(rng);
    v[i] = 0.01f * std::fabs(uniform(rng));
  }
  const std::vector<float> p0 = p, m0 = m, v0 = v;
  std::vector<float> outP(n, NAN), outM(n, NAN), outV(n, NAN);
  int64_t step = 7;
  auto view = [&](std::vector<float> &data) {
    return TensorView(data.data(), DType::F32, {n});
  };
  TensorView stepView(&step, DType::I64, {});
  llvm::Error err = kernel->run({view(p), view(g), view(m), view(v), stepView},
                                {view(outP), view(outM), view(outV)});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  EXPECT_EQ(p, p0);
  EXPECT_EQ(m, m0);
  EXPECT_EQ(v, v0);

  err = kernel->run({view(p), view(g), view(m), view(v), stepView},
                    {view(p), view(m), view(v)});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  EXPECT_EQ(outP, p);
  EXPECT_EQ(outM, m);
  EXPECT_EQ(outV, v);
  EXPECT_NE(p, p0);
}

/// A training step's shape: the loss and gradients computed from the
/// parameters, then one adamw per parameter, updated in place, with the
/// loss among the results: loss = sum(w1^2) + sum(w2^2), gradients 2 w.
/// Results (w1, m1, v1, loss, w2, m2, v2), the loss between tied results
/// so that the out-parameter of the one untied result must be found among
/// them.
constexpr const char *kTrainStep = R"mlir(
#id2 = affine_map<(i, j) -> (i, j)>
#id1 = affine_map<(i) -> (i)>
func.func @train_step(%w1: tensor<6x5xf32>, %m1: tensor<6x5xf32>,
                      %v1: tensor<6x5xf32>, %w2: tensor<7xf32>,
                      %m2: tensor<7xf32>, %v2: tensor<7xf32>, %t: tensor<i64>)
    -> (tensor<6x5xf32> {moe.in_place = 0 : i64},
        tensor<6x5xf32> {moe.in_place = 1 : i64},
        tensor<6x5xf32> {moe.in_place = 2 : i64},
        tensor<f32>,
        tensor<7xf32> {moe.in_place = 3 : i64},
        tensor<7xf32> {moe.in_place = 4 : i64},
        tensor<7xf32> {moe.in_place = 5 : i64}) {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %l1 = linalg.reduce ins(%w1 : tensor<6x5xf32>) outs(%acc : tensor<f32>)
      dimensions = [0, 1]
      (%x: f32, %a: f32) {
        %sq = arith.mulf %x, %x : f32
        %s = arith.addf %a, %sq : f32
        linalg.yield %s : f32
      }
  %loss = linalg.reduce ins(%w2 : tensor<7xf32>) outs(%l1 : tensor<f32>)
      dimensions = [0]
      (%x: f32, %a: f32) {
        %sq = arith.mulf %x, %x : f32
        %s = arith.addf %a, %sq : f32
        linalg.yield %s : f32
      }
  %e1 = tensor.empty() : tensor<6x5xf32>
  %g1 = linalg.generic {indexing_maps = [#id2, #id2],
                        iterator_types = ["parallel", "parallel"]}
      ins(%w1 : tensor<6x5xf32>) outs(%e1 : tensor<6x5xf32>) {
    ^bb0(%x: f32, %o: f32):
      %d = arith.mulf %two, %x : f32
      linalg.yield %d : f32
  } -> tensor<6x5xf32>
  %e2 = tensor.empty() : tensor<7xf32>
  %g2 = linalg.generic {indexing_maps = [#id1, #id1],
                        iterator_types = ["parallel"]}
      ins(%w2 : tensor<7xf32>) outs(%e2 : tensor<7xf32>) {
    ^bb0(%x: f32, %o: f32):
      %d = arith.mulf %two, %x : f32
      linalg.yield %d : f32
  } -> tensor<7xf32>
  %w1n, %m1n, %v1n = moe.adamw %w1, %g1, %m1, %v1 step %t
      lr = 5.0000000000000003e-02 weight_decay = 0.0
      : (tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>,
         tensor<i64>) -> (tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>)
  %w2n, %m2n, %v2n = moe.adamw %w2, %g2, %m2, %v2 step %t
      lr = 2.0000000000000001e-01 beta1 = 8.0000000000000004e-01
      weight_decay = 1.0000000000000001e-01
      : (tensor<7xf32>, tensor<7xf32>, tensor<7xf32>, tensor<7xf32>,
         tensor<i64>) -> (tensor<7xf32>, tensor<7xf32>, tensor<7xf32>)
  return %w1n, %m1n, %v1n, %loss, %w2n, %m2n, %v2n
      : tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<f32>,
        tensor<7xf32>, tensor<7xf32>, tensor<7xf32>
}
)mlir";

TEST(AdamWExecution, TrainStepUpdatesTwoParametersInPlace) {
  CompileOptions options;
  options.entry = "train_step";
  auto kernel = sharedCompiler().compileSource(kTrainStep, options);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  EXPECT_EQ((*kernel)->signature().toString(),
            "train_step(arg0: f32[6, 5], arg1: f32[6, 5], arg2: f32[6, 5], "
            "arg3: f32[7], arg4: f32[7], arg5: f32[7], arg6: i64[]) -> "
            "(result0: f32[6, 5] (in place of arg0), result1: f32[6, 5] (in "
            "place of arg1), result2: f32[6, 5] (in place of arg2), result3: "
            "f32[], result4: f32[7] (in place of arg3), result5: f32[7] (in "
            "place of arg4), result6: f32[7] (in place of arg5))");

  Hyper h1, h2;
  h1.lr = 5e-2;
  h1.weightDecay = 0.0;
  h2.lr = 0.2;
  h2.beta1 = 0.8;
  h2.weightDecay = 0.1;
  std::mt19937_64 rng(29);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> w1(30), w2(7);
  for (float &x : w1)
    x = uniform(rng);
  for (float &x : w2)
    x = uniform(rng);
  std::vector<float> m1(30, 0.0f), v1(30, 0.0f), m2(7, 0.0f), v2(7, 0.0f);
  std::vector<float> refW1 = w1, refM1 = m1, refV1 = v1;
  std::vector<float> refW2 = w2, refM2 = m2, refV2 = v2;
  float loss = NAN;
  int64_t step = 0;
  // The same seven views on every call: no copies, no swaps.
  std::vector<TensorView> state = {
      {w1.data(), DType::F32, {6, 5}}, {m1.data(), DType::F32, {6, 5}},
      {v1.data(), DType::F32, {6, 5}}, {w2.data(), DType::F32, {7}},
      {m2.data(), DType::F32, {7}},    {v2.data(), DType::F32, {7}}};
  std::vector<TensorView> inputs = state;
  inputs.push_back(TensorView(&step, DType::I64, {}));
  std::vector<TensorView> outputs = {
      state[0], state[1], state[2], TensorView(&loss, DType::F32, {}),
      state[3], state[4], state[5]};
  double firstLoss = 0, lastLoss = 0;
  for (step = 1; step <= 6; ++step) {
    double wantLoss = 0;
    for (float x : refW1)
      wantLoss += double(x) * x;
    for (float x : refW2)
      wantLoss += double(x) * x;
    std::vector<float> g1(refW1.size()), g2(refW2.size());
    for (size_t i = 0; i < g1.size(); ++i)
      g1[i] = 2.0f * refW1[i];
    for (size_t i = 0; i < g2.size(); ++i)
      g2[i] = 2.0f * refW2[i];
    referenceStep(refW1, refM1, refV1, g1, step, h1);
    referenceStep(refW2, refM2, refV2, g2, step, h2);

    llvm::Error err = (*kernel)->run(inputs, outputs);
    ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
    SCOPED_TRACE(::testing::Message() << "step " << step);
    EXPECT_NEAR(loss, wantLoss, 1e-5 * wantLoss);
    EXPECT_LE(normwiseError(w1, refW1), kF32Tolerance);
    EXPECT_LE(normwiseError(m1, refM1), kF32Tolerance);
    EXPECT_LE(normwiseError(v1, refV1), kF32Tolerance);
    EXPECT_LE(normwiseError(w2, refW2), kF32Tolerance);
    EXPECT_LE(normwiseError(m2, refM2), kF32Tolerance);
    EXPECT_LE(normwiseError(v2, refV2), kF32Tolerance);
    (step == 1 ? firstLoss : lastLoss) = loss;
  }
  // Minimising sum(w^2): the loss falls.
  EXPECT_LT(lastLoss, 0.8 * firstLoss);
}

} // namespace
