//===- LossGradExecutionTest.cpp - compiled loss gradients against checks -===//
//
// moe.load_balancing_loss_grad and moe.router_z_loss_grad compiled through
// the C++ API (one function computing both, with T, E and k dynamic) and
// checked:
//
// - in f64, against central finite differences of the compiled f64 forward
//   losses (moe.load_balancing_loss and moe.router_z_loss): one logit
//   perturbed at a time, each difference scaled by that loss's dloss (the
//   vector-Jacobian product), and against the plain C++ reference below;
// - in f32 (and bf16), against a plain C++ reference in double on the same
//   rounded inputs.
//
// The ids are inputs, so the balancing loss is smooth in the logits (f_e is
// constant) and its finite differences are exact up to rounding and
// truncation. Both losses' terms can cancel (the balancing gradient is
// exactly zero for perfectly balanced routing), so each element's error is
// measured against the size of the terms it is made of (`magnitude`), not
// against its own, possibly zero, value.
//
//===----------------------------------------------------------------------===//

#include "KernelTesting.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

using namespace moec;
using namespace moec::test;

namespace {

constexpr double kAlpha = 0.3;

/// `@losses(logits, ids) -> (aux, z)` in f64, the forward ops themselves.
std::string forwardSource() {
  return llvm::formatv(R"mlir(
func.func @losses(%l: tensor<?x?xf64>, %ids: tensor<?x?xi32>)
    -> (tensor<f64>, tensor<f64>) {
  %aux = moe.load_balancing_loss %l, %ids alpha = {0:e16}
      : tensor<?x?xf64>, tensor<?x?xi32> -> tensor<f64>
  %z = moe.router_z_loss %l : tensor<?x?xf64> -> tensor<f64>
  return %aux, %z : tensor<f64>, tensor<f64>
}
)mlir",
                       kAlpha)
      .str();
}

/// `@grads(logits, ids, daux, dz) -> (d_logits of aux, d_logits of z)`;
/// `element` is the logits' type, `loss` the losses' (f64 for f64, f32
/// otherwise).
std::string gradSource(const char *element, const char *loss) {
  return llvm::formatv(R"mlir(
func.func @grads(%l: tensor<?x?x{0}>, %ids: tensor<?x?xi32>,
                 %daux: tensor<{1}>, %dz: tensor<{1}>)
    -> (tensor<?x?x{0}>, tensor<?x?x{0}>) {
  %gaux = moe.load_balancing_loss_grad %l, %ids, %daux alpha = {2:e16}
      : tensor<?x?x{0}>, tensor<?x?xi32>, tensor<{1}> -> tensor<?x?x{0}>
  %gz = moe.router_z_loss_grad %l, %dz
      : tensor<?x?x{0}>, tensor<{1}> -> tensor<?x?x{0}>
  return %gaux, %gz : tensor<?x?x{0}>, tensor<?x?x{0}>
}
)mlir",
                       element, loss, kAlpha)
      .str();
}

//===----------------------------------------------------------------------===//
// Cases and the reference (double)
//===----------------------------------------------------------------------===//

struct Case {
  int64_t T = 0, E = 0, k = 0;
  std::vector<double> logits; // [T, E]
  std::vector<int32_t> ids;   // [T, k]
  double daux = 0.7, dz = -1.3;
};

/// The gradients and, per element, the size of the terms each is made of
/// (the error allowance scales with it).
struct Grads {
  std::vector<double> aux, z;
  std::vector<double> auxMagnitude, zMagnitude;
};

/// MOE-SEMANTICS.md's losses differentiated by hand:
///   d aux / d l[t, e'] = alpha E / T * p[t, e'] (f_e' - sum_e f_e p[t, e])
///   d z   / d l[t, e]  = 2 / T * lse[t] * p[t, e]
Grads reference(const Case &c) {
  std::vector<double> load(c.E, 0.0);
  for (int32_t id : c.ids)
    if (id >= 0 && id < c.E)
      load[id] += 1;
  const double pairs = static_cast<double>(c.T * c.k);
  Grads g;
  for (int64_t t = 0; t < c.T; ++t) {
    const double *row = &c.logits[t * c.E];
    double max = *std::max_element(row, row + c.E);
    double sum = 0;
    for (int64_t e = 0; e < c.E; ++e)
      sum += std::exp(row[e] - max);
    double lse = max + std::log(sum);
    std::vector<double> p(c.E);
    double mix = 0;
    for (int64_t e = 0; e < c.E; ++e) {
      p[e] = std::exp(row[e] - max) / sum;
      mix += load[e] / pairs * p[e];
    }
    double auxScale = c.daux * kAlpha * c.E / c.T;
    double zScale = c.dz * 2.0 / c.T;
    for (int64_t e = 0; e < c.E; ++e) {
      double f = load[e] / pairs;
      g.aux.push_back(auxScale * p[e] * (f - mix));
      g.auxMagnitude.push_back(std::fabs(auxScale) * p[e] * (f + mix));
      g.z.push_back(zScale * lse * p[e]);
      g.zMagnitude.push_back(std::fabs(zScale * lse) * p[e]);
    }
  }
  return g;
}

/// Deterministic logits in [-scale, scale) (a fixed LCG).
std::vector<double> logitsFor(int64_t n, double scale, uint64_t seed) {
  std::vector<double> out(n);
  uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (double &v : out) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = scale * (static_cast<double>(state >> 11) / 9007199254740992.0 * 2 - 1);
  }
  return out;
}

Case makeCase(int64_t T, int64_t E, int64_t k, std::vector<int32_t> ids,
              double scale = 3.0, uint64_t seed = 1) {
  Case c;
  c.T = T, c.E = E, c.k = k;
  c.logits = logitsFor(T * E, scale, seed);
  c.ids = std::move(ids);
  return c;
}

/// Token t picks experts (t*k + j) mod E: balanced when E divides T*k.
std::vector<int32_t> roundRobin(int64_t T, int64_t E, int64_t k) {
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < k; ++j)
      ids.push_back(static_cast<int32_t>((t * k + j) % E));
  return ids;
}

//===----------------------------------------------------------------------===//
// Running the kernels
//===----------------------------------------------------------------------===//

/// Runs `@grads` on `logits` stored as `Storage` (float, double or uint16_t
/// bf16 bits) with losses of type `Loss`.
template <typename Storage, typename Loss>
void runGrads(const Kernel &kernel, const Case &c, DType element,
              std::vector<Storage> logits, std::vector<Storage> &gaux,
              std::vector<Storage> &gz) {
  std::vector<int32_t> ids = c.ids;
  Loss daux = static_cast<Loss>(c.daux), dz = static_cast<Loss>(c.dz);
  // Filled with a pattern the kernel must overwrite (NaN for floats).
  gaux.assign(std::max<int64_t>(c.T * c.E, 1), Storage(0xFFFF));
  gz = gaux;
  if (std::is_floating_point<Storage>::value) {
    std::fill(gaux.begin(), gaux.end(),
              std::numeric_limits<Storage>::quiet_NaN());
    std::fill(gz.begin(), gz.end(), std::numeric_limits<Storage>::quiet_NaN());
  }
  // A zero-size tensor still needs a valid pointer.
  logits.resize(std::max<size_t>(logits.size(), 1));
  ids.resize(std::max<size_t>(ids.size(), 1));
  llvm::Error err = kernel.run({TensorView(logits.data(), element, {c.T, c.E}),
                                TensorView(ids.data(), DType::I32, {c.T, c.k}),
                                TensorView(&daux, dtypeOf<Loss>(), {}),
                                TensorView(&dz, dtypeOf<Loss>(), {})},
                               {TensorView(gaux.data(), element, {c.T, c.E}),
                                TensorView(gz.data(), element, {c.T, c.E})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  gaux.resize(c.T * c.E);
  gz.resize(c.T * c.E);
}

/// (aux, z) of the compiled f64 forward at `logits`.
std::pair<double, double> runForward(const Kernel &kernel, const Case &c,
                                     std::vector<double> logits) {
  std::vector<int32_t> ids = c.ids;
  double aux = NAN, z = NAN;
  llvm::Error err = kernel.run(
      {TensorView(logits.data(), DType::F64, {c.T, c.E}),
       TensorView(ids.data(), DType::I32, {c.T, c.k})},
      {TensorView(&aux, DType::F64, {}), TensorView(&z, DType::F64, {})});
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  return {aux, z};
}

/// |got[i] - want[i]| <= tol * max(magnitude[i], floor * max magnitude).
void expectClose(const std::vector<double> &got,
                 const std::vector<double> &want,
                 const std::vector<double> &magnitude, double tol, double floor,
                 const char *what) {
  ASSERT_EQ(got.size(), want.size());
  double largest = 0;
  for (double m : magnitude)
    largest = std::max(largest, m);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_LE(std::fabs(got[i] - want[i]),
              tol * std::max(magnitude[i], floor * largest))
        << what << "[" << i << "]: got " << got[i] << ", want " << want[i];
}

/// f64: the compiled gradients against central differences of the compiled
/// forward, one logit at a time, and against the reference.
void checkF64(const Case &c) {
  SCOPED_TRACE("f64");
  auto grads = compileEntry(gradSource("f64", "f64"), "grads");
  auto forward = compileEntry(forwardSource(), "losses");
  ASSERT_TRUE(grads && forward);
  std::vector<double> gaux, gz;
  runGrads<double, double>(*grads, c, DType::F64, c.logits, gaux, gz);
  if (::testing::Test::HasFatalFailure())
    return;

  std::vector<double> fdAux(c.T * c.E), fdZ(c.T * c.E);
  for (int64_t i = 0; i < c.T * c.E; ++i) {
    double h = 1e-5 * std::max(1.0, std::fabs(c.logits[i]));
    std::vector<double> plus = c.logits, minus = c.logits;
    plus[i] += h;
    minus[i] -= h;
    auto [auxP, zP] = runForward(*forward, c, plus);
    auto [auxM, zM] = runForward(*forward, c, minus);
    fdAux[i] = c.daux * (auxP - auxM) / (2 * h);
    fdZ[i] = c.dz * (zP - zM) / (2 * h);
  }

  // Differences carry rounding of order eps * loss / h and truncation of
  // order h^2: 1e-6 of the largest term; the reference is exact to rounding.
  Grads want = reference(c);
  expectClose(gaux, fdAux, want.auxMagnitude, 1e-6, 1.0, "d_aux vs FD");
  expectClose(gz, fdZ, want.zMagnitude, 1e-6, 1.0, "d_z vs FD");
  expectClose(gaux, want.aux, want.auxMagnitude, 1e-12, 1e-3, "d_aux");
  expectClose(gz, want.z, want.zMagnitude, 1e-12, 1e-3, "d_z");
}

/// f32: the compiled gradients against the reference on the same f32
/// logits, element by element.
void checkF32(const Case &c) {
  SCOPED_TRACE("f32");
  auto grads = compileEntry(gradSource("f32", "f32"), "grads");
  ASSERT_TRUE(grads);
  std::vector<float> logits(c.logits.begin(), c.logits.end());
  std::vector<float> gaux, gz;
  runGrads<float, float>(*grads, c, DType::F32, logits, gaux, gz);
  if (::testing::Test::HasFatalFailure())
    return;
  Case rounded = c;
  rounded.logits.assign(logits.begin(), logits.end());
  rounded.daux = static_cast<float>(c.daux);
  rounded.dz = static_cast<float>(c.dz);
  Grads want = reference(rounded);
  expectClose(std::vector<double>(gaux.begin(), gaux.end()), want.aux,
              want.auxMagnitude, 1e-5, 1e-3, "d_aux");
  expectClose(std::vector<double>(gz.begin(), gz.end()), want.z,
              want.zMagnitude, 1e-5, 1e-3, "d_z");
}

void checkBoth(const Case &c) {
  checkF64(c);
  checkF32(c);
}

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

TEST(LossGradExecution, RandomRouting) {
  const int64_t T = 11, E = 8, k = 3;
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < k; ++j)
      ids.push_back(static_cast<int32_t>((t * 5 + j * 3 + t / 4) % E));
  checkBoth(makeCase(T, E, k, ids, 4.0, 3));
}

TEST(LossGradExecution, SkewedRoutingWithEmptyExperts) {
  // Every token goes to experts 0 and 1; experts 2..5 get none. Their
  // gradient is -scale * p * mix: negative, pushing probability towards
  // them.
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < 7; ++t)
    ids.push_back(0), ids.push_back(1);
  Case c = makeCase(7, 6, 2, ids, 3.0, 2);
  checkBoth(c);
  Grads want = reference(c);
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t e = 2; e < c.E; ++e)
      EXPECT_LT(want.aux[t * c.E + e], 0.0);
}

TEST(LossGradExecution, BalancedRoutingHasNoBalancingGradient) {
  // Every expert gets 4 of the 16 assignments: sum_e f_e P_e = f * 1 for
  // any logits, so the balancing loss's gradient vanishes (to rounding).
  Case c = makeCase(8, 4, 2, roundRobin(8, 4, 2), 3.0, 4);
  checkBoth(c);
  auto grads = compileEntry(gradSource("f64", "f64"), "grads");
  ASSERT_TRUE(grads);
  std::vector<double> gaux, gz;
  runGrads<double, double>(*grads, c, DType::F64, c.logits, gaux, gz);
  Grads want = reference(c);
  for (size_t i = 0; i < gaux.size(); ++i)
    EXPECT_LE(std::fabs(gaux[i]), 1e-14 * want.auxMagnitude[i] + 1e-300) << i;
}

TEST(LossGradExecution, SingleToken) { checkBoth(makeCase(1, 4, 2, {3, 1})); }

TEST(LossGradExecution, TopOne) {
  checkBoth(makeCase(9, 4, 1, {0, 0, 1, 2, 2, 2, 3, 0, 1}, 2.0, 5));
}

TEST(LossGradExecution, SingleTokenTopOne) {
  checkBoth(makeCase(1, 5, 1, {2}, 2.0, 6));
}

TEST(LossGradExecution, OutOfRangeIdsCountForNoExpert) {
  // -1, E and 100 go to no expert but still count in T*k (the forward's
  // convention, which the finite differences follow).
  checkBoth(makeCase(4, 4, 2, {0, -1, 1, 4, 2, 3, 100, 0}, 2.0, 7));
}

TEST(LossGradExecution, LargeLogitsAreStable) {
  // exp(1e4) overflows f32 and f64 alike: only a max-subtracted softmax and
  // logsumexp stay finite. Checked against the reference only: a finite
  // difference step relative to 1e4 would be far too coarse.
  Case c = makeCase(6, 4, 2, roundRobin(6, 4, 2), 5.0, 8);
  c.ids[0] = 3; // Unbalanced, so the balancing gradient is not zero.
  for (int64_t i = 0; i < c.T * c.E; ++i)
    c.logits[i] += (i % 3 == 0 ? 1.0e4 : -2.0e3);
  checkF32(c);
  auto grads = compileEntry(gradSource("f64", "f64"), "grads");
  ASSERT_TRUE(grads);
  std::vector<double> gaux, gz;
  runGrads<double, double>(*grads, c, DType::F64, c.logits, gaux, gz);
  Grads want = reference(c);
  expectClose(gaux, want.aux, want.auxMagnitude, 1e-12, 1e-3, "d_aux");
  expectClose(gz, want.z, want.zMagnitude, 1e-12, 1e-3, "d_z");
  for (double v : gz)
    EXPECT_TRUE(std::isfinite(v));
}

TEST(LossGradExecution, NoTokensGiveEmptyGradients) {
  // T = 0: both gradients are empty, and computing them must not fail.
  Case c = makeCase(0, 4, 2, {});
  auto grads64 = compileEntry(gradSource("f64", "f64"), "grads");
  auto grads32 = compileEntry(gradSource("f32", "f32"), "grads");
  ASSERT_TRUE(grads64 && grads32);
  std::vector<double> gaux, gz;
  runGrads<double, double>(*grads64, c, DType::F64, {}, gaux, gz);
  EXPECT_TRUE(gaux.empty() && gz.empty());
  std::vector<float> faux, fz;
  runGrads<float, float>(*grads32, c, DType::F32, {}, faux, fz);
  EXPECT_TRUE(faux.empty() && fz.empty());
}

/// bf16 <-> f32 by bit pattern (round to nearest even).
uint16_t toBF16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}
double fromBF16(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST(LossGradExecution, BF16ComputesInF32) {
  // bf16 logits with f32 cotangents: computed in f32 and rounded once, so
  // within bf16's half-ulp (2^-9) of the reference on the rounded logits.
  Case c = makeCase(5, 8, 2, {0, 1, 1, 2, 3, 7, 0, 1, 5, 5}, 3.0, 9);
  auto grads = compileEntry(gradSource("bf16", "f32"), "grads");
  ASSERT_TRUE(grads);
  std::vector<uint16_t> logits;
  for (double v : c.logits)
    logits.push_back(toBF16(static_cast<float>(v)));
  std::vector<uint16_t> gaux, gz;
  runGrads<uint16_t, float>(*grads, c, DType::BF16, logits, gaux, gz);
  if (HasFatalFailure())
    return;
  Case rounded = c;
  for (size_t i = 0; i < logits.size(); ++i)
    rounded.logits[i] = fromBF16(logits[i]);
  Grads want = reference(rounded);
  std::vector<double> aux, z;
  for (size_t i = 0; i < gaux.size(); ++i)
    aux.push_back(fromBF16(gaux[i])), z.push_back(fromBF16(gz[i]));
  expectClose(aux, want.aux, want.auxMagnitude, 4e-3, 1e-3, "d_aux");
  expectClose(z, want.z, want.zMagnitude, 4e-3, 1e-3, "d_z");
}

} // namespace
