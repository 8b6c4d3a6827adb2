//===- RouterGradExecutionTest.cpp - compiled moe.router_grad vs checks ---===//
//
// moe.router_grad compiled through the C++ API and checked two ways:
//
// - in f64, against central finite differences of the compiled f64
//   moe.router forward, for every scoring, renormalisation, scaling, group
//   limit, selection bias and hash routing (with duplicate and out-of-range
//   table entries). The objective is L(l) = sum_{t,j} dw[t,j] w(l)[t,j],
//   whose gradient is the vector-Jacobian product. The logits of a row are
//   a shuffled, jittered ladder, so every selection score is far (compared
//   with the step) from every other; the test also checks that no
//   perturbation changed the ids.
// - in f32, against a plain C++ backward written from MOE-SEMANTICS.md's
//   formulas, with arbitrary ids (duplicates, out of range), a row with a
//   NaN logit and a row with no valid id.
//
// A separate test checks that the f64 forward itself computes in f64.
//
//===----------------------------------------------------------------------===//

#include "KernelTesting.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace moec;
using namespace moec::test;

namespace {

template <typename T> const char *elementName();
template <> const char *elementName<float>() { return "f32"; }
template <> const char *elementName<double>() { return "f64"; }

enum class Scoring { Softmax, Sigmoid, SqrtSoftplus };

/// One routing configuration of moe.router and moe.router_grad.
struct Variant {
  const char *name;
  int64_t experts, k;
  Scoring scoring;
  bool norm;
  double scale;
  int64_t nGroup = 1, topkGroup = 1;
  bool groupMax = false;
  bool bias = false;
  bool hash = false;

  std::string routing() const {
    const char *scoringNames[] = {"softmax", "sigmoid", "sqrtsoftplus"};
    std::string text = llvm::formatv("k = {0}, scoring = {1}", k,
                                     scoringNames[static_cast<int>(scoring)]);
    if (nGroup > 1)
      text +=
          llvm::formatv(", n_group = {0}, topk_group = {1}", nGroup, topkGroup);
    if (groupMax)
      text += ", group_score = max";
    if (norm)
      text += ", norm_topk_prob = true";
    return text +
           llvm::formatv(", routed_scaling_factor = {0:e16}", scale).str();
  }
};

constexpr int64_t kVocab = 5;

/// `@forward(logits [, bias] [, token_ids, table]) -> (weights, ids)`.
std::string forwardSource(const Variant &v, const char *t) {
  int64_t e = v.experts, k = v.k;
  std::string args = llvm::formatv("%logits: tensor<?x{0}x{1}>", e, t);
  std::string operands, types = llvm::formatv("tensor<?x{0}x{1}>", e, t);
  if (v.bias) {
    args += llvm::formatv(", %bias: tensor<{0}x{1}>", e, t);
    operands += " bias %bias";
    types += llvm::formatv(", tensor<{0}x{1}>", e, t);
  }
  if (v.hash) {
    args += llvm::formatv(", %tokens: tensor<?xi32>, %table: "
                          "tensor<{0}x{1}xi32>",
                          kVocab, k);
    operands += " hash(%tokens, %table)";
    types += llvm::formatv(", tensor<?xi32>, tensor<{0}x{1}xi32>", kVocab, k);
  }
  std::string results =
      llvm::formatv("tensor<?x{0}x{1}>, tensor<?x{0}xi32>", k, t);
  return llvm::formatv(R"mlir(
func.func @forward({0}) -> ({1}) {{
  %w, %ids = moe.router %logits{2} routing <{3}> : ({4}) -> ({1})
  return %w, %ids : {1}
}
)mlir",
                       args, results, operands, v.routing(), types)
      .str();
}

/// `@grad(logits [, bias], ids, dw) -> d_logits`.
std::string gradSource(const Variant &v, const char *t) {
  int64_t e = v.experts, k = v.k;
  std::string logits = llvm::formatv("tensor<?x{0}x{1}>", e, t);
  std::string args = "%logits: " + logits, operands, types = logits;
  if (v.bias) {
    args += llvm::formatv(", %bias: tensor<{0}x{1}>", e, t);
    operands += " bias %bias";
    types += llvm::formatv(", tensor<{0}x{1}>", e, t);
  }
  std::string ids = llvm::formatv("tensor<?x{0}xi32>", k);
  std::string dw = llvm::formatv("tensor<?x{0}x{1}>", k, t);
  args += ", %ids: " + ids + ", %dw: " + dw;
  types += ", " + ids + ", " + dw;
  return llvm::formatv(R"mlir(
func.func @grad({0}) -> {1} {{
  %d = moe.router_grad %logits{2} ids %ids d_weights %dw routing <{3}>
      : ({4}) -> {1}
  return %d : {1}
}
)mlir",
                       args, logits, operands, v.routing(), types)
      .str();
}

/// The inputs of one problem, in double; the f32 tests convert them.
struct Case {
  int64_t tokens;
  std::vector<double> logits, bias, dw;
  std::vector<int32_t> tokenIds, table;
};

/// The expert the bias favours (its logit is anywhere on the ladder).
constexpr int64_t kFavoured = 1;

/// Each row of logits is a shuffled ladder from -3 to 3 with a small
/// jitter: scores, selection scores and group scores of one row are then
/// all at least ~1e-2 apart, far beyond the finite-difference step. The
/// bias is tiny except for a large one on kFavoured, which is therefore
/// always picked although its unbiased score, and hence its weight, is
/// often small.
Case makeCase(const Variant &v, int64_t tokens, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.02, 0.02), unit(-1.0, 1.0),
      tiny(-0.004, 0.004);
  Case c;
  c.tokens = tokens;
  int64_t e = v.experts;
  std::vector<int64_t> rank(e);
  for (int64_t t = 0; t < tokens; ++t) {
    std::iota(rank.begin(), rank.end(), 0);
    std::shuffle(rank.begin(), rank.end(), rng);
    for (int64_t i = 0; i < e; ++i)
      c.logits.push_back(
          (e == 1 ? 0.0 : -3.0 + 6.0 * double(rank[i]) / double(e - 1)) +
          jitter(rng));
  }
  if (v.bias) {
    for (int64_t i = 0; i < e; ++i)
      c.bias.push_back(tiny(rng));
    c.bias[kFavoured] = 2.0;
  }
  if (v.hash) {
    // E = 16, k = 4: duplicates (rows 0 and 3), ids below 0 and at or
    // beyond E (rows 1 and 3); token 3 is outside the vocabulary, so all
    // its slots miss.
    c.table = {3, 3,  7,  1,  -1, 0, 15, 16, 2,  5,
               9, 11, 99, -7, 4,  4, 8,  12, 13, 14};
    c.tokenIds = {0, 1, 3, 7, 2};
    c.tokenIds.resize(tokens);
  }
  for (int64_t i = 0; i < tokens * v.k; ++i)
    c.dw.push_back(unit(rng));
  return c;
}

template <typename T> T *mut(const std::vector<T> &v) {
  return const_cast<T *>(v.data());
}

template <typename T>
void runForward(const Kernel &kernel, const Variant &v, const Case &c,
                const std::vector<T> &logits, std::vector<T> &w,
                std::vector<int32_t> &ids) {
  DType t = dtypeOf<T>();
  int64_t n = c.tokens;
  w.assign(n * v.k, static_cast<T>(NAN));
  ids.assign(n * v.k, -100);
  std::vector<T> bias(c.bias.begin(), c.bias.end());
  std::vector<TensorView> inputs = {TensorView(mut(logits), t, {n, v.experts})};
  if (v.bias)
    inputs.push_back(TensorView(bias.data(), t, {v.experts}));
  if (v.hash) {
    inputs.push_back(TensorView(mut(c.tokenIds), DType::I32, {n}));
    inputs.push_back(TensorView(mut(c.table), DType::I32, {kVocab, v.k}));
  }
  llvm::Error err =
      kernel.run(inputs, {TensorView(w.data(), t, {n, v.k}),
                          TensorView(ids.data(), DType::I32, {n, v.k})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
}

template <typename T>
void runGrad(const Kernel &kernel, const Variant &v, int64_t tokens,
             const std::vector<T> &logits, const std::vector<T> &bias,
             const std::vector<int32_t> &ids, const std::vector<T> &dw,
             std::vector<T> &dLogits) {
  DType t = dtypeOf<T>();
  dLogits.assign(tokens * v.experts, static_cast<T>(NAN));
  std::vector<TensorView> inputs = {
      TensorView(mut(logits), t, {tokens, v.experts})};
  if (v.bias)
    inputs.push_back(TensorView(mut(bias), t, {v.experts}));
  inputs.push_back(TensorView(mut(ids), DType::I32, {tokens, v.k}));
  inputs.push_back(TensorView(mut(dw), t, {tokens, v.k}));
  llvm::Error err =
      kernel.run(inputs, {TensorView(dLogits.data(), t, {tokens, v.experts})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
}

//===----------------------------------------------------------------------===//
// f64 against finite differences of the f64 forward
//===----------------------------------------------------------------------===//

void checkFiniteDifferences(const Variant &v, int64_t tokens, uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << v.name << ": " << v.routing());
  auto forward = compileEntry(forwardSource(v, "f64"), "forward");
  auto grad = compileEntry(gradSource(v, "f64"), "grad");
  ASSERT_TRUE(forward && grad);
  Case c = makeCase(v, tokens, seed);
  std::vector<double> w0;
  std::vector<int32_t> ids0;
  runForward<double>(*forward, v, c, c.logits, w0, ids0);
  std::vector<double> dLogits;
  runGrad<double>(*grad, v, c.tokens, c.logits, c.bias, ids0, c.dw, dLogits);

  // L = <dw, weights(l)>; the ids must not move under the perturbation.
  auto loss = [&](const std::vector<double> &logits) {
    std::vector<double> w;
    std::vector<int32_t> ids;
    runForward<double>(*forward, v, c, logits, w, ids);
    EXPECT_EQ(ids, ids0) << "a perturbation changed the selection";
    double sum = 0;
    for (size_t i = 0; i < w.size(); ++i)
      sum += c.dw[i] * w[i];
    return sum;
  };
  const double step = 1e-6;
  int64_t e = v.experts;
  for (int64_t i = 0; i < c.tokens * e; ++i) {
    std::vector<double> plus = c.logits, minus = c.logits;
    plus[i] += step;
    minus[i] -= step;
    double fd = (loss(plus) - loss(minus)) / (2 * step);
    EXPECT_NEAR(dLogits[i], fd, 1e-7 * std::max(1.0, std::fabs(fd)))
        << "d_logits[" << i / e << ", " << i % e << "]";
  }

  // The bias steered every row to kFavoured without entering the weights.
  if (v.bias)
    for (int64_t t = 0; t < c.tokens; ++t)
      EXPECT_EQ(ids0[t * v.k], kFavoured) << "token " << t;
  // Without softmax, experts no valid slot picked get exactly zero.
  if (v.scoring != Scoring::Softmax)
    for (int64_t t = 0; t < c.tokens; ++t)
      for (int64_t x = 0; x < e; ++x) {
        bool picked = false;
        for (int64_t j = 0; j < v.k; ++j)
          picked |= ids0[t * v.k + j] == x;
        if (!picked)
          EXPECT_EQ(dLogits[t * e + x], 0.0) << "unpicked " << t << ", " << x;
      }
}

// Mixtral, Qwen3 and OLMoE / DeepSeek-V2-Lite: softmax with and without
// renormalisation, with a scale.
TEST(RouterGradExecution, SoftmaxF64MatchesFiniteDifferences) {
  checkFiniteDifferences({"softmax norm", 16, 4, Scoring::Softmax, true, 1.0},
                         3, 1);
  checkFiniteDifferences(
      {"softmax scaled", 16, 4, Scoring::Softmax, false, 1.7}, 3, 2);
}

// DeepSeek-V3: sigmoid, group-limited (top2_sum), bias, renormalised with
// its epsilon, scaled; and the V2 group-max score without renormalisation.
TEST(RouterGradExecution, SigmoidGroupsBiasF64MatchesFiniteDifferences) {
  Variant v3{"sigmoid groups bias", 16, 4, Scoring::Sigmoid, true, 2.5, 4, 2};
  v3.bias = true;
  checkFiniteDifferences(v3, 3, 3);
  Variant greedy{
      "sigmoid group max", 16, 3, Scoring::Sigmoid, false, 1.0, 4, 2};
  greedy.groupMax = true;
  checkFiniteDifferences(greedy, 3, 4);
}

// DeepSeek-V4: sqrt-softplus with a bias, renormalised, scaled 1.5.
TEST(RouterGradExecution, SqrtSoftplusBiasF64MatchesFiniteDifferences) {
  Variant v4{"sqrtsoftplus bias", 16, 4, Scoring::SqrtSoftplus, true, 1.5};
  v4.bias = true;
  checkFiniteDifferences(v4, 3, 5);
  checkFiniteDifferences(
      {"sqrtsoftplus plain", 16, 4, Scoring::SqrtSoftplus, false, 1.0}, 2, 6);
}

// Hash routing: duplicate ids accumulate, misses contribute nothing, and a
// token outside the vocabulary gets a zero row.
TEST(RouterGradExecution, HashRoutingF64MatchesFiniteDifferences) {
  for (Scoring scoring :
       {Scoring::SqrtSoftplus, Scoring::Sigmoid, Scoring::Softmax}) {
    Variant hash{"hash norm", 16, 4, scoring, true, 1.5};
    hash.hash = true;
    checkFiniteDifferences(hash, 5, 7);
  }
  Variant plain{"hash plain", 16, 4, Scoring::Sigmoid, false, 1.0};
  plain.hash = true;
  checkFiniteDifferences(plain, 5, 8);
}

// T = 1, k = 1 (renormalised softmax with k = 1 is the constant 1: a zero
// gradient) and k = E (every expert picked).
TEST(RouterGradExecution, EdgeShapesF64MatchFiniteDifferences) {
  checkFiniteDifferences({"k1 softmax norm", 8, 1, Scoring::Softmax, true, 1.0},
                         1, 9);
  checkFiniteDifferences({"k1 sigmoid", 8, 1, Scoring::Sigmoid, false, 2.0}, 1,
                         10);
  checkFiniteDifferences(
      {"k1 sqrtsoftplus norm", 8, 1, Scoring::SqrtSoftplus, true, 1.0}, 2, 11);
  checkFiniteDifferences({"kE softmax norm", 6, 6, Scoring::Softmax, true, 1.0},
                         2, 12);
  checkFiniteDifferences(
      {"kE softmax scaled", 6, 6, Scoring::Softmax, false, 0.5}, 1, 13);
  checkFiniteDifferences({"kE sigmoid norm", 6, 6, Scoring::Sigmoid, true, 1.0},
                         2, 14);
}

//===----------------------------------------------------------------------===//
// The f64 forward computes in f64
//===----------------------------------------------------------------------===//

/// The scores of MOE-SEMANTICS.md in double.
std::vector<double> scoresOf(Scoring scoring, const double *l, int64_t e) {
  std::vector<double> s(e);
  if (scoring == Scoring::Softmax) {
    double m = *std::max_element(l, l + e), z = 0;
    for (int64_t i = 0; i < e; ++i)
      z += std::exp(l[i] - m);
    for (int64_t i = 0; i < e; ++i)
      s[i] = std::exp(l[i] - m) / z;
  } else {
    for (int64_t i = 0; i < e; ++i)
      s[i] = scoring == Scoring::Sigmoid
                 ? 1.0 / (1.0 + std::exp(-l[i]))
                 : std::sqrt(std::max(l[i], 0.0) +
                             std::log1p(std::exp(-std::fabs(l[i]))));
  }
  return s;
}

TEST(RouterGradExecution, RouterF64ForwardComputesInF64) {
  // Weights agree with a double evaluation far below f32 precision, for
  // the ids the compiled forward picked (a top-k by descending score).
  for (Scoring scoring :
       {Scoring::Softmax, Scoring::Sigmoid, Scoring::SqrtSoftplus}) {
    Variant v{"f64 forward", 16, 4, scoring, true, 1.3};
    SCOPED_TRACE(v.routing());
    auto forward = compileEntry(forwardSource(v, "f64"), "forward");
    ASSERT_TRUE(forward);
    Case c = makeCase(v, 4, 21);
    std::vector<double> w;
    std::vector<int32_t> ids;
    runForward<double>(*forward, v, c, c.logits, w, ids);
    for (int64_t t = 0; t < c.tokens; ++t) {
      std::vector<double> s =
          scoresOf(scoring, c.logits.data() + t * v.experts, v.experts);
      std::vector<int64_t> order(v.experts);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return s[a] > s[b]; });
      double sum = 0;
      for (int64_t j = 0; j < v.k; ++j)
        sum += s[order[j]];
      if (scoring != Scoring::Softmax)
        sum += 1e-20;
      for (int64_t j = 0; j < v.k; ++j) {
        ASSERT_EQ(ids[t * v.k + j], order[j]) << "token " << t;
        double want = s[order[j]] / sum * v.scale;
        EXPECT_NEAR(w[t * v.k + j], want, 1e-14) << "token " << t;
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// f32 against a plain C++ backward
//===----------------------------------------------------------------------===//

/// MOE-SEMANTICS.md, "Router" and "Backward", in f32: the VJP of
/// w[j] = rho * s[ids[j]] (/ D) with the ids fixed, slots with an id
/// outside [0, E) holding the constant weight 0.
std::vector<float> referenceBackward(const Variant &v, int64_t tokens,
                                     const std::vector<float> &logits,
                                     const std::vector<int32_t> &ids,
                                     const std::vector<float> &dw) {
  int64_t e = v.experts, k = v.k;
  std::vector<float> out(tokens * e);
  for (int64_t t = 0; t < tokens; ++t) {
    const float *l = logits.data() + t * e;
    std::vector<float> s(e);
    bool hasNaN = false;
    for (int64_t i = 0; i < e; ++i)
      hasNaN |= std::isnan(l[i]);
    if (v.scoring == Scoring::Softmax) {
      float m = -INFINITY, z = 0;
      for (int64_t i = 0; i < e; ++i)
        m = std::isnan(l[i]) || std::isnan(m) ? NAN : std::max(m, l[i]);
      for (int64_t i = 0; i < e; ++i)
        z += std::exp(l[i] - m);
      for (int64_t i = 0; i < e; ++i)
        s[i] = std::exp(l[i] - m) / z;
    } else {
      for (int64_t i = 0; i < e; ++i)
        s[i] = v.scoring == Scoring::Sigmoid
                   ? 1.0f / (1.0f + std::exp(-l[i]))
                   : std::sqrt(std::max(l[i], 0.0f) +
                               std::log1p(std::exp(-std::fabs(l[i]))));
    }
    std::vector<float> g(k, 0.0f), sj(k, 0.0f);
    std::vector<bool> valid(k);
    for (int64_t j = 0; j < k; ++j) {
      int32_t id = ids[t * k + j];
      valid[j] = id >= 0 && id < e;
      if (valid[j]) {
        sj[j] = s[id];
        g[j] = static_cast<float>(v.scale) * dw[t * k + j];
      }
    }
    std::vector<float> ds = g;
    if (v.norm) {
      float d = 0, beta = 0;
      for (int64_t j = 0; j < k; ++j)
        d += sj[j];
      if (v.scoring != Scoring::Softmax)
        d += 1e-20f;
      for (int64_t j = 0; j < k; ++j)
        if (valid[j])
          beta += sj[j] / d * g[j];
      for (int64_t j = 0; j < k; ++j)
        ds[j] = (g[j] - beta) / d;
    }
    std::vector<float> dS(e, 0.0f);
    float gamma = 0;
    for (int64_t j = 0; j < k; ++j)
      if (valid[j]) {
        dS[ids[t * k + j]] += ds[j];
        gamma += sj[j] * ds[j];
      }
    for (int64_t i = 0; i < e; ++i) {
      float r;
      switch (v.scoring) {
      case Scoring::Softmax:
        r = s[i] * (dS[i] - gamma);
        break;
      case Scoring::Sigmoid:
        r = dS[i] * s[i] * (1.0f - s[i]);
        break;
      case Scoring::SqrtSoftplus:
        r = s[i] == 0.0f
                ? 0.0f
                : dS[i] * (1.0f / (1.0f + std::exp(-l[i]))) / (2.0f * s[i]);
        break;
      }
      out[t * e + i] = hasNaN ? NAN : r;
    }
  }
  return out;
}

TEST(RouterGradExecution, F32MatchesReference) {
  // Arbitrary ids: duplicates and ids outside [0, E) in any slot; token 0
  // has no valid id (zero row), token 1 a NaN logit (NaN row, as its
  // forward weights are NaN), token 2 all slots on expert 3 and, except for
  // softmax, a very negative logit there (softplus underflows to 0: a zero,
  // not NaN, sqrtsoftplus gradient).
  const Variant variants[] = {
      {"softmax norm", 16, 4, Scoring::Softmax, true, 1.0},
      {"softmax", 16, 4, Scoring::Softmax, false, 2.0},
      {"sigmoid norm", 16, 4, Scoring::Sigmoid, true, 2.5},
      {"sigmoid", 16, 4, Scoring::Sigmoid, false, 1.0},
      {"sqrtsoftplus norm", 16, 4, Scoring::SqrtSoftplus, true, 1.5},
      {"sqrtsoftplus", 16, 4, Scoring::SqrtSoftplus, false, 1.0},
      {"k = 1", 16, 1, Scoring::Sigmoid, false, 2.0},
      {"k = E", 16, 16, Scoring::Softmax, true, 1.0}};
  const int64_t tokens = 37;
  for (const Variant &v : variants) {
    SCOPED_TRACE(::testing::Message() << v.name << ": " << v.routing());
    auto grad = compileEntry(gradSource(v, "f32"), "grad");
    ASSERT_TRUE(grad);
    std::mt19937_64 rng(55);
    std::uniform_real_distribution<float> wide(-4.0f, 4.0f), unit(-1, 1);
    std::uniform_int_distribution<int32_t> anyId(-2, int32_t(v.experts + 1));
    int64_t e = v.experts, k = v.k;
    std::vector<float> logits(tokens * e), dw(tokens * k);
    std::vector<int32_t> ids(tokens * k);
    for (float &x : logits)
      x = wide(rng);
    for (float &x : dw)
      x = unit(rng);
    for (int32_t &id : ids)
      id = anyId(rng);
    for (int64_t j = 0; j < k; ++j) {
      ids[j] = j % 2 ? -1 : int32_t(e);
      ids[2 * k + j] = 3;
    }
    logits[1 * e + 5] = NAN;
    // Renormalised softmax over p = 0 would be 0/0 in the forward too.
    if (v.scoring != Scoring::Softmax)
      logits[2 * e + 3] = -120.0f;
    std::vector<float> dLogits;
    runGrad<float>(*grad, v, tokens, logits, {}, ids, dw, dLogits);
    std::vector<float> ref = referenceBackward(v, tokens, logits, ids, dw);

    double scale = 0;
    for (float x : ref)
      if (!std::isnan(x))
        scale = std::max(scale, std::fabs(double(x)));
    ASSERT_GT(scale, 0.0);
    for (int64_t i = 0; i < tokens * e; ++i) {
      if (i / e == 1) {
        EXPECT_TRUE(std::isnan(dLogits[i])) << "NaN row, expert " << i % e;
        continue;
      }
      EXPECT_FALSE(std::isnan(dLogits[i])) << "d_logits[" << i << "]";
      EXPECT_LE(std::fabs(dLogits[i] - ref[i]), 2e-6 * scale)
          << "d_logits[" << i / e << ", " << i % e << "]: got " << dLogits[i]
          << ", want " << ref[i];
    }
    for (int64_t i = 0; i < e; ++i)
      EXPECT_EQ(dLogits[i], 0.0f) << "no valid id, expert " << i;
  }
}

TEST(RouterGradExecution, NoTokens) {
  Variant v{"empty", 8, 2, Scoring::Sigmoid, true, 1.0};
  auto grad = compileEntry(gradSource(v, "f32"), "grad");
  ASSERT_TRUE(grad);
  std::vector<float> dLogits;
  runGrad<float>(*grad, v, 0, {}, {}, {}, {}, dLogits);
  EXPECT_TRUE(dLogits.empty());
}

} // namespace
