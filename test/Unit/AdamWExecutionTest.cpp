//===- AdamWExecutionTest.cpp - compiled moe.adamw against a C++ AdamW ----===//
//
// moe.adamw compiled through the C++ API and run for several steps, each
// call's outputs fed back as the next call's inputs (the way a training loop
// uses it), against a plain C++ AdamW of MOE-SEMANTICS.md's formula.
//
// The reference computes in the kernel's precision with the scalars rounded
// the way the lowering rounds them: 1 - beta^t and 1 - beta in f64, then to
// the element type. Errors are normwise: max |got - want| / max |want| per
// tensor, since m = b1 m + (1 - b1) g may cancel to near zero in places.
//
// The runtime refuses outputs that alias inputs, so the updated parameter
// and moments go to separate buffers here, swapped in after each step.
//
//===----------------------------------------------------------------------===//

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

namespace {

/// One compiler for the suite; never destroyed, as JIT engines must not be
/// torn down during static destruction.
Compiler &compiler() {
  static Compiler *instance = new Compiler();
  return *instance;
}

struct Hyper {
  double lr = 1e-2;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0.01;
};

/// `@adamw` taking (param, grad, m, v, step) of `tensorType` / `stepType`
/// and returning the updated (param, m, v).
std::string adamwSource(const std::string &tensorType,
                        const std::string &stepType, const Hyper &h) {
  // 17 significant digits, so that the attributes parse back to exactly the
  // doubles the reference uses.
  return llvm::formatv(
             R"mlir(
func.func @adamw(%p: {0}, %g: {0}, %m: {0}, %v: {0}, %t: {1})
    -> ({0}, {0}, {0}) {
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

template <typename T> constexpr DType dtypeOf();
template <> constexpr DType dtypeOf<float>() { return DType::F32; }
template <> constexpr DType dtypeOf<double>() { return DType::F64; }

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
  std::vector<T> outP(n), outM(n), outV(n);
  const DType dtype = dtypeOf<T>();

  double worst = 0;
  for (int64_t s = 0; s < c.steps; ++s) {
    int64_t step = c.firstStep + s;
    // Gradients of a few scales, so that sqrt(vh) is not always ~ |g|.
    std::vector<T> g = random(s % 2 ? 1e-3 : 1.0, false);
    int64_t step64 = step;
    int32_t step32 = static_cast<int32_t>(step);
    TensorView stepView = c.i32Step ? TensorView(&step32, DType::I32, {})
                                    : TensorView(&step64, DType::I64, {});
    std::fill(outP.begin(), outP.end(), std::nan(""));
    std::fill(outM.begin(), outM.end(), std::nan(""));
    std::fill(outV.begin(), outV.end(), std::nan(""));
    llvm::Error err =
        kernel.run({TensorView(p.data(), dtype, c.shape),
                    TensorView(g.data(), dtype, c.shape),
                    TensorView(m.data(), dtype, c.shape),
                    TensorView(v.data(), dtype, c.shape), stepView},
                   {TensorView(outP.data(), dtype, c.shape),
                    TensorView(outM.data(), dtype, c.shape),
                    TensorView(outV.data(), dtype, c.shape)});
    if (err) {
      ADD_FAILURE() << "step " << step << ": "
                    << llvm::toString(std::move(err));
      return INFINITY;
    }
    referenceStep(refP, refM, refV, g, step, h);
    for (auto [name, got, want] : {std::make_tuple("param", &outP, &refP),
                                   std::make_tuple("m", &outM, &refM),
                                   std::make_tuple("v", &outV, &refV)}) {
      double e = normwiseError(*got, *want);
      SCOPED_TRACE(::testing::Message() << name << " at step " << step);
      EXPECT_FALSE(std::isnan(e));
      worst = std::isnan(e) ? INFINITY : std::max(worst, e);
    }
    std::swap(p, outP);
    std::swap(m, outM);
    std::swap(v, outV);
  }
  return worst;
}

std::shared_ptr<const Kernel> compileAdamW(const std::string &tensorType,
                                           const std::string &stepType,
                                           const Hyper &h) {
  CompileOptions options;
  options.entry = "adamw";
  auto kernel =
      compiler().compileSource(adamwSource(tensorType, stepType, h), options);
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
  // that needs no reference implementation.
  Hyper h;
  h.lr = 0.5;
  h.weightDecay = 0.0;
  auto kernel = compileAdamW("tensor<4xf64>", "tensor<i64>", h);
  ASSERT_TRUE(kernel);
  std::vector<double> p = {1.0, -2.0, 3.0, 0.25}, g = {4.0, -0.5, 1e-3, -7.0};
  std::vector<double> m(4, 0.0), v(4, 0.0), outP(4), outM(4), outV(4);
  int64_t step = 1;
  llvm::Error err = kernel->run({TensorView(p.data(), DType::F64, {4}),
                                 TensorView(g.data(), DType::F64, {4}),
                                 TensorView(m.data(), DType::F64, {4}),
                                 TensorView(v.data(), DType::F64, {4}),
                                 TensorView(&step, DType::I64, {})},
                                {TensorView(outP.data(), DType::F64, {4}),
                                 TensorView(outM.data(), DType::F64, {4}),
                                 TensorView(outV.data(), DType::F64, {4})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  for (size_t i = 0; i < p.size(); ++i) {
    double sign = g[i] > 0 ? 1.0 : -1.0;
    // eps / |g| is the only deviation: at most 1e-8 / 1e-3.
    EXPECT_NEAR(outP[i], p[i] - h.lr * sign, 1e-5 * h.lr) << i;
    EXPECT_DOUBLE_EQ(outM[i], 0.1 * g[i]) << i;
    EXPECT_NEAR(outV[i], 0.001 * g[i] * g[i], 1e-18 + 1e-15 * g[i] * g[i]) << i;
  }
}

} // namespace
