//===- GradientExecutionTest.cpp - compiled backward ops against checks ---===//
//
// moe.swiglu_grad compiled through the C++ API and checked two ways:
//
// - in f64, against central finite differences of a compiled f64 forward.
//   moe.swiglu itself accepts only f32/f16/bf16, so the forward is its
//   lowering's formula (silu(min(g, L)) * clamp(u, -L, L), silu(a) =
//   a / (1 + exp(-a))) written as a linalg.generic in f64. SwiGLU is
//   elementwise, so the Jacobian is diagonal and each element's derivative is
//   one difference of the whole-tensor forward with every element perturbed
//   at once; dh scales it (the vector-Jacobian product).
// - in f32, against a plain C++ evaluation of MOE-SEMANTICS.md's formulas.
//
// With a limit the inputs straddle L on both sides; points within a step of
// a kink (g = L, |u| = L) are skipped in the finite-difference check, where
// the difference is one-sided at best, and checked exactly instead: at
// g == L and |u| == L the gradient passes as if unclamped.
//
//===----------------------------------------------------------------------===//

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
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

std::string limitSuffix(std::optional<double> limit) {
  return limit ? llvm::formatv(" limit = {0:e16}", *limit).str() : "";
}

/// `@grad(g, u, dh) -> (dg, du)` on `tensor<?xT>`.
std::string gradSource(const std::string &element,
                       std::optional<double> limit) {
  return llvm::formatv(R"mlir(
func.func @grad(%g: tensor<?x{0}>, %u: tensor<?x{0}>, %dh: tensor<?x{0}>)
    -> (tensor<?x{0}>, tensor<?x{0}>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh{1}
      : (tensor<?x{0}>, tensor<?x{0}>, tensor<?x{0}>)
      -> (tensor<?x{0}>, tensor<?x{0}>)
  return %dg, %du : tensor<?x{0}>, tensor<?x{0}>
}
)mlir",
                       element, limitSuffix(limit))
      .str();
}

/// `@forward(g, u) -> h` in f64: moe.swiglu's lowering, in f64.
std::string forwardF64Source(std::optional<double> limit) {
  std::string clamp;
  if (limit)
    clamp = llvm::formatv(R"mlir(
      %hi = arith.constant {0:e16} : f64
      %lo = arith.constant -{0:e16} : f64
      %g = arith.minimumf %g0, %hi : f64
      %u1 = arith.minimumf %u0, %hi : f64
      %u = arith.maximumf %u1, %lo : f64)mlir",
                          *limit)
                .str();
  else
    clamp = R"mlir(
      %g = arith.addf %g0, %zero : f64
      %u = arith.addf %u0, %zero : f64)mlir";
  return llvm::formatv(R"mlir(
#id = affine_map<(d0) -> (d0)>
func.func @forward(%gate: tensor<?xf64>, %up: tensor<?xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %gate, %c0 : tensor<?xf64>
  %init = tensor.empty(%n) : tensor<?xf64>
  %h = linalg.generic {{indexing_maps = [#id, #id, #id],
                       iterator_types = ["parallel"]}
      ins(%gate, %up : tensor<?xf64>, tensor<?xf64>) outs(%init : tensor<?xf64>) {{
    ^bb0(%g0: f64, %u0: f64, %out: f64):
      %zero = arith.constant 0.0 : f64
      %one = arith.constant 1.0 : f64{0}
      %neg = arith.negf %g : f64
      %e = math.exp %neg : f64
      %den = arith.addf %one, %e : f64
      %silu = arith.divf %g, %den : f64
      %r = arith.mulf %silu, %u : f64
      linalg.yield %r : f64
  } -> tensor<?xf64>
  return %h : tensor<?xf64>
}
)mlir",
                       clamp)
      .str();
}

std::shared_ptr<const Kernel> compile(const std::string &source,
                                      const std::string &entry) {
  CompileOptions options;
  options.entry = entry;
  auto kernel = compiler().compileSource(source, options);
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

template <typename T> constexpr DType dtypeOf();
template <> constexpr DType dtypeOf<float>() { return DType::F32; }
template <> constexpr DType dtypeOf<double>() { return DType::F64; }

template <typename T>
void runGrad(const Kernel &kernel, const std::vector<T> &g,
             const std::vector<T> &u, const std::vector<T> &dh,
             std::vector<T> &dg, std::vector<T> &du) {
  int64_t n = static_cast<int64_t>(g.size());
  dg.assign(n, static_cast<T>(NAN));
  du.assign(n, static_cast<T>(NAN));
  DType t = dtypeOf<T>();
  llvm::Error err = kernel.run(
      {TensorView(const_cast<T *>(g.data()), t, {n}),
       TensorView(const_cast<T *>(u.data()), t, {n}),
       TensorView(const_cast<T *>(dh.data()), t, {n})},
      {TensorView(dg.data(), t, {n}), TensorView(du.data(), t, {n})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
}

std::vector<double> runForward(const Kernel &kernel,
                               const std::vector<double> &g,
                               const std::vector<double> &u) {
  int64_t n = static_cast<int64_t>(g.size());
  std::vector<double> h(n, NAN);
  llvm::Error err =
      kernel.run({TensorView(const_cast<double *>(g.data()), DType::F64, {n}),
                  TensorView(const_cast<double *>(u.data()), DType::F64, {n})},
                 {TensorView(h.data(), DType::F64, {n})});
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  return h;
}

/// Random g, u, dh; with a limit, g and u spread to about twice the limit so
/// that both sides of every clamp are covered.
struct Inputs {
  std::vector<double> g, u, dh;
};
Inputs randomInputs(int64_t n, std::optional<double> limit, uint64_t seed) {
  std::mt19937_64 rng(seed);
  double spread = limit ? 2.0 * *limit : 6.0;
  std::uniform_real_distribution<double> wide(-spread, spread);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  Inputs in;
  for (int64_t i = 0; i < n; ++i) {
    in.g.push_back(wide(rng));
    in.u.push_back(wide(rng));
    in.dh.push_back(unit(rng));
  }
  return in;
}

/// `|got - want| <= tol * max(|want|, scale)`: relative, with `scale` (the
/// largest |want| of the tensor) as the floor, since silu'(g) crosses zero
/// near g = -1.28 and dg is cancellation-limited there.
void expectClose(double got, double want, double tol, double scale,
                 const char *what, int64_t i) {
  EXPECT_LE(std::fabs(got - want), tol * std::max(std::fabs(want), scale))
      << what << "[" << i << "]: got " << got << ", want " << want;
}

void checkFiniteDifferences(std::optional<double> limit) {
  SCOPED_TRACE(::testing::Message() << "limit " << (limit ? *limit : -1.0));
  auto grad = compile(gradSource("f64", limit), "grad");
  auto forward = compile(forwardF64Source(limit), "forward");
  ASSERT_TRUE(grad && forward);
  const int64_t n = 257;
  Inputs in = randomInputs(n, limit, limit ? 7 : 5);
  std::vector<double> dg, du;
  runGrad<double>(*grad, in.g, in.u, in.dh, dg, du);

  // h = 1e-6 scaled by the magnitude of each input; every element is
  // perturbed at once (the Jacobian is diagonal).
  auto step = [](double x) { return 1e-6 * std::max(1.0, std::fabs(x)); };
  auto central = [&](bool perturbGate) {
    std::vector<double> plusG = in.g, minusG = in.g, plusU = in.u,
                        minusU = in.u, steps(n);
    for (int64_t i = 0; i < n; ++i) {
      std::vector<double> &plus = perturbGate ? plusG : plusU;
      std::vector<double> &minus = perturbGate ? minusG : minusU;
      steps[i] = step(plus[i]);
      plus[i] += steps[i];
      minus[i] -= steps[i];
    }
    std::vector<double> hp = runForward(*forward, plusG, plusU);
    std::vector<double> hm = runForward(*forward, minusG, minusU);
    std::vector<double> vjp(n);
    for (int64_t i = 0; i < n; ++i)
      vjp[i] = in.dh[i] * (hp[i] - hm[i]) / (2 * steps[i]);
    return vjp;
  };
  std::vector<double> fdG = central(true), fdU = central(false);

  double scaleG = 0, scaleU = 0;
  for (int64_t i = 0; i < n; ++i) {
    scaleG = std::max(scaleG, std::fabs(fdG[i]));
    scaleU = std::max(scaleU, std::fabs(fdU[i]));
  }
  int64_t clampedG = 0, clampedU = 0;
  for (int64_t i = 0; i < n; ++i) {
    // Within a step of a kink the difference straddles it.
    if (limit && (std::fabs(in.g[i] - *limit) < 1e-3 ||
                  std::fabs(std::fabs(in.u[i]) - *limit) < 1e-3))
      continue;
    if (limit) {
      clampedG += in.g[i] > *limit;
      clampedU += std::fabs(in.u[i]) > *limit;
    }
    expectClose(dg[i], fdG[i], 1e-6, scaleG, "dgate", i);
    expectClose(du[i], fdU[i], 1e-6, scaleU, "dup", i);
  }
  if (limit) {
    // Both sides of both clamps were exercised, and the clamped side is
    // exactly zero, not merely small.
    EXPECT_GT(clampedG, n / 8);
    EXPECT_GT(clampedU, n / 8);
    for (int64_t i = 0; i < n; ++i) {
      if (in.g[i] > *limit)
        EXPECT_EQ(dg[i], 0.0) << i;
      if (std::fabs(in.u[i]) > *limit)
        EXPECT_EQ(du[i], 0.0) << i;
    }
  }
}

TEST(GradientExecution, SwigluGradF64MatchesFiniteDifferences) {
  checkFiniteDifferences(std::nullopt);
}

TEST(GradientExecution, SwigluGradF64LimitMatchesFiniteDifferences) {
  checkFiniteDifferences(2.5);
}

TEST(GradientExecution, SwigluGradLimitPassesAtEquality) {
  // At g == L and |u| == L the clamps are inactive by convention: the
  // gradient is the unclamped one, and just past L it is zero.
  const double limit = 2.0;
  auto grad = compile(gradSource("f64", limit), "grad");
  ASSERT_TRUE(grad);
  std::vector<double> g = {2.0, 2.0, 2.0, std::nextafter(2.0, 3.0), 0.5, 0.5};
  std::vector<double> u = {
      1.0, 2.0, -2.0, 1.0, std::nextafter(2.0, 3.0), -std::nextafter(2.0, 3.0)};
  std::vector<double> dh(g.size(), 1.0), dg, du;
  runGrad<double>(*grad, g, u, dh, dg, du);
  auto sigmoid = [](double a) { return 1.0 / (1.0 + std::exp(-a)); };
  double s = sigmoid(2.0);
  double dsilu = s * (1 + 2.0 * (1 - s));
  EXPECT_NEAR(dg[0], 1.0 * dsilu, 1e-15);
  EXPECT_NEAR(dg[1], 2.0 * dsilu, 1e-15);
  EXPECT_NEAR(dg[2], -2.0 * dsilu, 1e-15);
  EXPECT_NEAR(du[1], 2.0 * s, 1e-15);
  EXPECT_NEAR(du[2], 2.0 * s, 1e-15);
  EXPECT_EQ(dg[3], 0.0);
  EXPECT_NEAR(du[3], 2.0 * s, 1e-15); // silu(min(g, L)) = silu(L)
  EXPECT_EQ(du[4], 0.0);
  EXPECT_EQ(du[5], 0.0);
  EXPECT_NE(dg[4], 0.0);
}

/// MOE-SEMANTICS.md, "Backward", in f32, with the lowering's clamps.
void referenceF32(const std::vector<float> &g, const std::vector<float> &u,
                  const std::vector<float> &dh, std::optional<float> limit,
                  std::vector<float> &dg, std::vector<float> &du) {
  dg.resize(g.size());
  du.resize(g.size());
  for (size_t i = 0; i < g.size(); ++i) {
    float gc = limit ? std::min(g[i], *limit) : g[i];
    float uc = limit ? std::max(std::min(u[i], *limit), -*limit) : u[i];
    float s = 1.0f / (1.0f + std::exp(-gc));
    float dsilu = s * (1.0f + gc * (1.0f - s));
    dg[i] = (limit && g[i] > *limit) ? 0.0f : dh[i] * uc * dsilu;
    du[i] = (limit && std::fabs(u[i]) > *limit) ? 0.0f : dh[i] * (gc * s);
  }
}

TEST(GradientExecution, SwigluGradF32MatchesReference) {
  for (std::optional<double> limit : {std::optional<double>(), {3.0}}) {
    SCOPED_TRACE(::testing::Message() << "limit " << (limit ? *limit : -1.0));
    auto grad = compile(gradSource("f32", limit), "grad");
    ASSERT_TRUE(grad);
    // Not a multiple of any vector width.
    const int64_t n = 1003;
    Inputs in = randomInputs(n, limit, 23);
    std::vector<float> g(in.g.begin(), in.g.end()), u(in.u.begin(), in.u.end()),
        dh(in.dh.begin(), in.dh.end());
    std::vector<float> dg, du, refG, refU;
    runGrad<float>(*grad, g, u, dh, dg, du);
    std::optional<float> limitF;
    if (limit)
      limitF = static_cast<float>(*limit);
    referenceF32(g, u, dh, limitF, refG, refU);
    double scaleG = 0, scaleU = 0;
    for (int64_t i = 0; i < n; ++i) {
      scaleG = std::max(scaleG, std::fabs(double(refG[i])));
      scaleU = std::max(scaleU, std::fabs(double(refU[i])));
    }
    for (int64_t i = 0; i < n; ++i) {
      expectClose(dg[i], refG[i], 1e-6, scaleG, "dgate", i);
      expectClose(du[i], refU[i], 1e-6, scaleU, "dup", i);
    }
  }
}

} // namespace
