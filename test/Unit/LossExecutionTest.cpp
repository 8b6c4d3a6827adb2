//===- LossExecutionTest.cpp - compiled aux losses against C++ in f64 -----===//
//
// moe.load_balancing_loss, moe.router_z_loss and moe.bias_update compiled
// through the C++ API and compared with a plain C++ reference in double:
// relative error <= 1e-5 for f32 and <= 1e-12 for f64. The losses come back
// as rank-0 tensors (a TensorView with an empty shape).
//
//===----------------------------------------------------------------------===//

#include "KernelTesting.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace moec;
using namespace moec::test;

namespace {

constexpr double kAlpha = 0.01;
constexpr double kGamma = 0.001;

//===----------------------------------------------------------------------===//
// Reference (double)
//===----------------------------------------------------------------------===//

struct Case {
  int64_t T = 0, E = 0, k = 0;
  std::vector<double> logits; // [T, E]
  std::vector<int32_t> ids;   // [T, k]
  std::vector<double> bias;   // [E]
};

struct Expected {
  double loadBalancing = 0, zLoss = 0;
  std::vector<double> bias;
};

/// max_e l + log(sum_e exp(l - max)), stable for large logits.
double logSumExp(const double *row, int64_t E) {
  double max = *std::max_element(row, row + E);
  double sum = 0;
  for (int64_t e = 0; e < E; ++e)
    sum += std::exp(row[e] - max);
  return max + std::log(sum);
}

Expected reference(const Case &c) {
  std::vector<int64_t> load(c.E, 0);
  for (int32_t id : c.ids)
    if (id >= 0 && id < c.E)
      ++load[id];
  const double pairs = static_cast<double>(c.T * c.k);

  Expected out;
  std::vector<double> meanProb(c.E, 0.0);
  double sumSquares = 0;
  for (int64_t t = 0; t < c.T; ++t) {
    const double *row = &c.logits[t * c.E];
    double lse = logSumExp(row, c.E);
    sumSquares += lse * lse;
    for (int64_t e = 0; e < c.E; ++e)
      meanProb[e] += std::exp(row[e] - lse) / c.T;
  }
  double sum = 0;
  for (int64_t e = 0; e < c.E; ++e)
    sum += (load[e] / pairs) * meanProb[e];
  out.loadBalancing = kAlpha * c.E * sum;
  out.zLoss = sumSquares / c.T;

  const double meanLoad = pairs / c.E;
  for (int64_t e = 0; e < c.E; ++e) {
    double diff = meanLoad - load[e];
    double sign = diff > 0 ? 1.0 : diff < 0 ? -1.0 : 0.0;
    out.bias.push_back(c.bias[e] + kGamma * sign);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Compiled
//===----------------------------------------------------------------------===//

/// All three ops in one function: (logits, ids, bias) -> (aux, z, bias').
std::string source(int64_t E, int64_t k, const char *type) {
  std::string l = "tensor<?x" + std::to_string(E) + "x" + type + ">";
  std::string ids = "tensor<?x" + std::to_string(k) + "xi32>";
  std::string b = "tensor<" + std::to_string(E) + "x" + type + ">";
  std::string s = std::string("tensor<") + type + ">";
  return "func.func @losses(%l: " + l + ", %ids: " + ids + ", %b: " + b +
         ") -> (" + s + ", " + s + ", " + b + ") {\n" +
         "  %aux = moe.load_balancing_loss %l, %ids alpha = 0.01 : " + l +
         ", " + ids + " -> " + s + "\n" + "  %z = moe.router_z_loss %l : " + l +
         " -> " + s + "\n" +
         "  %nb = moe.bias_update %b, %ids gamma = 0.001 : " + b + ", " + ids +
         " -> " + b + "\n" + "  return %aux, %z, %nb : " + s + ", " + s + ", " +
         b + "\n}\n";
}

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> {
  static constexpr DType value = DType::F32;
  static constexpr const char *name = "f32";
};
template <> struct DTypeOf<double> {
  static constexpr DType value = DType::F64;
  static constexpr const char *name = "f64";
};

/// |got - want| <= tol * |want|.
void expectNear(double got, double want, double tol, const std::string &what) {
  EXPECT_LE(std::fabs(got - want), tol * std::fabs(want))
      << what << ": got " << got << ", want " << want;
}

/// Compiles the losses for `c`'s shapes in precision `F` and checks all
/// three results against the reference.
template <typename F> void check(const Case &c, double tol) {
  CompileOptions options;
  options.entry = "losses";
  auto kernel = sharedCompiler().compileSource(
      source(c.E, c.k, DTypeOf<F>::name), options);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());

  // The reference sees exactly the values the kernel gets.
  Case rounded = c;
  std::vector<F> logits(c.logits.begin(), c.logits.end());
  std::vector<F> bias(c.bias.begin(), c.bias.end());
  rounded.logits.assign(logits.begin(), logits.end());
  rounded.bias.assign(bias.begin(), bias.end());
  std::vector<int32_t> ids = c.ids;
  Expected want = reference(rounded);

  const F nan = std::numeric_limits<F>::quiet_NaN();
  F aux = nan, z = nan;
  std::vector<F> newBias(c.E, nan);
  constexpr DType dtype = DTypeOf<F>::value;
  llvm::Error err =
      (*kernel)->run({TensorView(logits.data(), dtype, {c.T, c.E}),
                      TensorView(ids.data(), DType::I32, {c.T, c.k}),
                      TensorView(bias.data(), dtype, {c.E})},
                     {TensorView(&aux, dtype, {}), TensorView(&z, dtype, {}),
                      TensorView(newBias.data(), dtype, {c.E})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));

  expectNear(aux, want.loadBalancing, tol, "load_balancing_loss");
  expectNear(z, want.zLoss, tol, "router_z_loss");
  for (int64_t e = 0; e < c.E; ++e)
    expectNear(newBias[e], want.bias[e], tol,
               "bias_update[" + std::to_string(e) + "]");
}

void checkBoth(const Case &c) {
  {
    SCOPED_TRACE("f32");
    check<float>(c, 1e-5);
  }
  {
    SCOPED_TRACE("f64");
    check<double>(c, 1e-12);
  }
}

/// Deterministic logits in [-scale, scale) (a fixed LCG, so that the data do
/// not depend on the standard library's distributions).
std::vector<double> logitsFor(int64_t T, int64_t E, double scale,
                              uint64_t seed) {
  std::vector<double> out(T * E);
  uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (double &v : out) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = scale * (static_cast<double>(state >> 11) / 9007199254740992.0 * 2 - 1);
  }
  return out;
}

std::vector<double> biasFor(int64_t E) {
  std::vector<double> out;
  for (int64_t e = 0; e < E; ++e)
    out.push_back(0.1 * (e + 1) * (e % 2 ? -1 : 1));
  return out;
}

Case makeCase(int64_t T, int64_t E, int64_t k, std::vector<int32_t> ids,
              double scale = 3.0, uint64_t seed = 1) {
  Case c;
  c.T = T, c.E = E, c.k = k;
  c.logits = logitsFor(T, E, scale, seed);
  c.ids = std::move(ids);
  c.bias = biasFor(E);
  return c;
}

/// Token t picks experts (t*k + j) mod E: every expert equally often when
/// E divides T*k.
std::vector<int32_t> roundRobin(int64_t T, int64_t E, int64_t k) {
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < k; ++j)
      ids.push_back(static_cast<int32_t>((t * k + j) % E));
  return ids;
}

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

TEST(LossExecution, BalancedRouting) {
  // 8 tokens, 4 experts, k = 2: every expert gets exactly 4 of the 16
  // assignments, so the bias is unchanged (sign(0) = 0).
  checkBoth(makeCase(8, 4, 2, roundRobin(8, 4, 2)));
}

TEST(LossExecution, UniformLogitsBalancedGiveAlpha) {
  // Uniform probabilities and a balanced load: aux = alpha exactly, z-loss
  // = log(E)^2.
  Case c = makeCase(8, 4, 2, roundRobin(8, 4, 2));
  std::fill(c.logits.begin(), c.logits.end(), 0.0);
  Expected want = reference(c);
  EXPECT_NEAR(want.loadBalancing, kAlpha, 1e-15);
  EXPECT_NEAR(want.zLoss, std::log(4.0) * std::log(4.0), 1e-15);
  checkBoth(c);
}

TEST(LossExecution, SkewedRoutingWithEmptyExperts) {
  // Every token goes to experts 0 and 1; experts 2..7 get no token.
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < 13; ++t)
    ids.push_back(0), ids.push_back(1);
  checkBoth(makeCase(13, 8, 2, ids, 3.0, 2));
}

TEST(LossExecution, RandomRouting) {
  const int64_t T = 37, E = 8, k = 3;
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < k; ++j)
      ids.push_back(static_cast<int32_t>((t * 5 + j * 3 + t / 4) % E));
  checkBoth(makeCase(T, E, k, ids, 4.0, 3));
}

TEST(LossExecution, SingleToken) { checkBoth(makeCase(1, 4, 2, {3, 1})); }

TEST(LossExecution, TopOne) {
  checkBoth(makeCase(9, 4, 1, {0, 0, 1, 2, 2, 2, 3, 0, 1}, 2.0, 4));
}

TEST(LossExecution, OutOfRangeIdsCountForNoExpert) {
  // -1 and E go to no expert but still count in T*k: the loads sum to 5 of 8.
  checkBoth(makeCase(4, 4, 2, {0, -1, 1, 4, 2, 3, 100, 0}, 2.0, 5));
}

TEST(LossExecution, LargeLogitsAreStable) {
  // exp(1e4) overflows f32 and f64 alike: only a max-subtracted softmax and
  // logsumexp stay finite.
  Case c = makeCase(6, 4, 2, roundRobin(6, 4, 2), 5.0, 6);
  for (int64_t i = 0; i < c.T * c.E; ++i)
    c.logits[i] += (i % 3 == 0 ? 1.0e4 : -2.0e3);
  checkBoth(c);
}

TEST(BiasUpdateExecution, SignFollowsLoad) {
  // T*k = 6, E = 4: mean load 1.5. Loads 3, 2, 1, 0 -> signs -1, -1, +1, +1.
  Case c = makeCase(3, 4, 2, {0, 1, 0, 1, 0, 2});
  Expected want = reference(c);
  std::vector<double> signs = {-1, -1, 1, 1};
  for (int64_t e = 0; e < 4; ++e)
    EXPECT_DOUBLE_EQ(want.bias[e], c.bias[e] + kGamma * signs[e]);
  checkBoth(c);
}

} // namespace
