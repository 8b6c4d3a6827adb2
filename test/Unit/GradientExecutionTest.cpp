//===- GradientExecutionTest.cpp - compiled backward ops against checks ---===//
//
// moe.swiglu_grad and moe.combine_grad compiled through the C++ API and
// checked two ways each (moe.combine_grad's checks are described with them,
// below). moe.swiglu_grad:
//
// - in f64, against central finite differences of the compiled f64
//   moe.swiglu. SwiGLU is elementwise, so the Jacobian is diagonal and each
//   element's derivative is one difference of the whole-tensor forward with
//   every element perturbed at once; dh scales it (the vector-Jacobian
//   product).
// - in f32, against a plain C++ evaluation of MOE-SEMANTICS.md's formulas.
//
// With a limit the inputs straddle L on both sides; points within a step of
// a kink (g = L, |u| = L) are skipped in the finite-difference check, where
// the difference is one-sided at best, and checked exactly instead: at
// g == L and |u| == L the gradient passes as if unclamped.
//
//===----------------------------------------------------------------------===//

#include "KernelTesting.h"

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
using namespace moec::test;

namespace {

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

/// `@forward(g, u) -> h`: moe.swiglu in f64.
std::string forwardF64Source(std::optional<double> limit) {
  return llvm::formatv(R"mlir(
func.func @forward(%g: tensor<?xf64>, %u: tensor<?xf64>) -> tensor<?xf64> {
  %h = moe.swiglu %g, %u{0} : tensor<?xf64>, tensor<?xf64> -> tensor<?xf64>
  return %h : tensor<?xf64>
}
)mlir",
                       limitSuffix(limit))
      .str();
}

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
  auto grad = compileEntry(gradSource("f64", limit), "grad");
  auto forward = compileEntry(forwardF64Source(limit), "forward");
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
  auto grad = compileEntry(gradSource("f64", limit), "grad");
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
    auto grad = compileEntry(gradSource("f32", limit), "grad");
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

//===----------------------------------------------------------------------===//
// moe.combine_grad
//
// - in f64, against central finite differences of the compiled f64
//   moe.combine. Each element of ys and w is perturbed on its own, and the
//   difference of <y, dy> is the vector-Jacobian product.
// - in f32, against a plain C++ evaluation of MOE-SEMANTICS.md's formulas.
//
// The permutations have padding rows (-1), rows out of range, and in the
// second case a dropped pair (no row: d_w = 0) and a pair named by two rows
// (the later one wins: the earlier row's d_ys is exactly 0).
//===----------------------------------------------------------------------===//

/// `@grad(ys, perm, w, dy) -> (d_ys, d_w)`, all sizes dynamic.
std::string combineGradSource(const std::string &element) {
  return llvm::formatv(R"mlir(
func.func @grad(%ys: tensor<?x?x{0}>, %perm: tensor<?xi32>,
                %w: tensor<?x?x{0}>, %dy: tensor<?x?x{0}>)
    -> (tensor<?x?x{0}>, tensor<?x?x{0}>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<?x?x{0}>, tensor<?xi32>, tensor<?x?x{0}>, tensor<?x?x{0}>)
      -> (tensor<?x?x{0}>, tensor<?x?x{0}>)
  return %d_ys, %d_w : tensor<?x?x{0}>, tensor<?x?x{0}>
}
)mlir",
                       element)
      .str();
}

/// `@forward(ys, perm, w) -> y`: moe.combine on element type `{0}` (the
/// hidden size `{1}` is static, as the runtime sizes moe results only along
/// the token dimension).
std::string combineForwardSource(const std::string &element, int64_t hidden) {
  return llvm::formatv(R"mlir(
func.func @forward(%ys: tensor<?x{1}x{0}>, %perm: tensor<?xi32>,
                   %w: tensor<?x?x{0}>) -> tensor<?x{1}x{0}> {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x{1}x{0}>, tensor<?xi32>, tensor<?x?x{0}> -> tensor<?x{1}x{0}>
  return %y : tensor<?x{1}x{0}>
}
)mlir",
                       element, hidden)
      .str();
}

/// A combine problem: ys [R, H], perm [R], w [T, k], dy [T, H].
struct CombineCase {
  int64_t rows, hidden, tokens, k;
  std::vector<int32_t> perm;
  std::vector<double> ys, w, dy;
};

/// Every pair (t, j) once, in a shuffled order, with `padding` rows of -1
/// and one row of T*k (out of range) spread among them; with `edgeCases`,
/// pair `dropped` loses its row and pair `duplicated` is named by an extra
/// later row as well.
CombineCase makeCombineCase(int64_t tokens, int64_t k, int64_t hidden,
                            int64_t padding, bool edgeCases, uint64_t seed) {
  std::mt19937_64 rng(seed);
  CombineCase c;
  c.tokens = tokens;
  c.k = k;
  c.hidden = hidden;
  int32_t pairs = static_cast<int32_t>(tokens * k);
  for (int32_t p = 0; p < pairs; ++p)
    c.perm.push_back(p);
  for (int64_t i = 0; i < padding; ++i)
    c.perm.push_back(-1);
  c.perm.push_back(pairs);
  std::shuffle(c.perm.begin(), c.perm.end(), rng);
  if (edgeCases) {
    // Drop pair 1 (its row becomes padding) and name pair 2 a second time
    // in a new last row, which wins.
    for (int32_t &p : c.perm)
      if (p == 1)
        p = -1;
    c.perm.push_back(2);
  }
  c.rows = static_cast<int64_t>(c.perm.size());
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int64_t i = 0; i < c.rows * hidden; ++i)
    c.ys.push_back(unit(rng));
  for (int64_t i = 0; i < tokens * k; ++i)
    c.w.push_back(unit(rng));
  for (int64_t i = 0; i < tokens * hidden; ++i)
    c.dy.push_back(unit(rng));
  return c;
}

template <typename T>
void runCombineGrad(const Kernel &kernel, const CombineCase &c,
                    const std::vector<T> &ys, const std::vector<T> &w,
                    const std::vector<T> &dy, std::vector<T> &dys,
                    std::vector<T> &dw) {
  dys.assign(c.rows * c.hidden, static_cast<T>(NAN));
  dw.assign(c.tokens * c.k, static_cast<T>(NAN));
  DType t = dtypeOf<T>();
  llvm::Error err = kernel.run(
      {TensorView(const_cast<T *>(ys.data()), t, {c.rows, c.hidden}),
       TensorView(const_cast<int32_t *>(c.perm.data()), DType::I32, {c.rows}),
       TensorView(const_cast<T *>(w.data()), t, {c.tokens, c.k}),
       TensorView(const_cast<T *>(dy.data()), t, {c.tokens, c.hidden})},
      {TensorView(dys.data(), t, {c.rows, c.hidden}),
       TensorView(dw.data(), t, {c.tokens, c.k})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
}

template <typename T>
std::vector<T> runCombineForward(const Kernel &kernel, const CombineCase &c,
                                 const std::vector<T> &ys,
                                 const std::vector<T> &w) {
  std::vector<T> y(c.tokens * c.hidden, static_cast<T>(NAN));
  DType t = dtypeOf<T>();
  llvm::Error err = kernel.run(
      {TensorView(const_cast<T *>(ys.data()), t, {c.rows, c.hidden}),
       TensorView(const_cast<int32_t *>(c.perm.data()), DType::I32, {c.rows}),
       TensorView(const_cast<T *>(w.data()), t, {c.tokens, c.k})},
      {TensorView(y.data(), t, {c.tokens, c.hidden})});
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  return y;
}

/// `inv[p]`: the last row naming pair p, or -1.
std::vector<int64_t> inversePermutation(const CombineCase &c) {
  std::vector<int64_t> inv(c.tokens * c.k, -1);
  for (int64_t i = 0; i < c.rows; ++i)
    if (c.perm[i] >= 0 && c.perm[i] < c.tokens * c.k)
      inv[c.perm[i]] = i;
  return inv;
}

void checkCombineFiniteDifferences(bool edgeCases) {
  SCOPED_TRACE(::testing::Message() << "edge cases " << edgeCases);
  auto grad = compileEntry(combineGradSource("f64"), "grad");
  CombineCase c = makeCombineCase(5, 3, 4, 5, edgeCases, edgeCases ? 13 : 11);
  auto forward = compileEntry(combineForwardSource("f64", c.hidden), "forward");
  ASSERT_TRUE(grad && forward);
  std::vector<double> dys, dw;
  runCombineGrad<double>(*grad, c, c.ys, c.w, c.dy, dys, dw);

  // <forward(ys, w), dy>, the scalar whose gradient is the VJP.
  auto loss = [&](const std::vector<double> &ys, const std::vector<double> &w) {
    std::vector<double> y = runCombineForward<double>(*forward, c, ys, w);
    double sum = 0;
    for (size_t i = 0; i < y.size(); ++i)
      sum += y[i] * c.dy[i];
    return sum;
  };
  const double step = 1e-6;
  for (int64_t i = 0; i < c.rows * c.hidden; ++i) {
    std::vector<double> plus = c.ys, minus = c.ys;
    plus[i] += step;
    minus[i] -= step;
    double fd = (loss(plus, c.w) - loss(minus, c.w)) / (2 * step);
    EXPECT_NEAR(dys[i], fd, 1e-8) << "d_ys[" << i << "]";
  }
  for (int64_t i = 0; i < c.tokens * c.k; ++i) {
    std::vector<double> plus = c.w, minus = c.w;
    plus[i] += step;
    minus[i] -= step;
    double fd = (loss(c.ys, plus) - loss(c.ys, minus)) / (2 * step);
    EXPECT_NEAR(dw[i], fd, 1e-8) << "d_w[" << i << "]";
  }

  // Rows that contribute nothing get exactly zero, and so do pairs without
  // a row; every pair but the dropped one has a row.
  std::vector<int64_t> inv = inversePermutation(c);
  int64_t deadRows = 0;
  for (int64_t i = 0; i < c.rows; ++i) {
    bool wins =
        c.perm[i] >= 0 && c.perm[i] < c.tokens * c.k && inv[c.perm[i]] == i;
    if (wins)
      continue;
    ++deadRows;
    for (int64_t h = 0; h < c.hidden; ++h)
      EXPECT_EQ(dys[i * c.hidden + h], 0.0) << "dead row " << i;
  }
  // Padding, the out-of-range row, and with edge cases the dropped pair's
  // row and the overridden duplicate.
  EXPECT_EQ(deadRows, edgeCases ? 5 + 1 + 2 : 5 + 1);
  for (int64_t p = 0; p < c.tokens * c.k; ++p) {
    EXPECT_EQ(inv[p] < 0, edgeCases && p == 1) << "pair " << p;
    if (inv[p] < 0)
      EXPECT_EQ(dw[p], 0.0) << "dropped pair " << p;
  }
}

TEST(GradientExecution, CombineGradF64MatchesFiniteDifferences) {
  checkCombineFiniteDifferences(false);
}

TEST(GradientExecution, CombineGradF64DroppedAndDuplicatePairs) {
  checkCombineFiniteDifferences(true);
}

TEST(GradientExecution, CombineGradF32MatchesReference) {
  auto grad = compileEntry(combineGradSource("f32"), "grad");
  ASSERT_TRUE(grad);
  for (bool edgeCases : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "edge cases " << edgeCases);
    // Sizes that are not multiples of any vector width.
    CombineCase c = makeCombineCase(37, 4, 33, 19, edgeCases, 41);
    std::vector<float> ys(c.ys.begin(), c.ys.end()), w(c.w.begin(), c.w.end()),
        dy(c.dy.begin(), c.dy.end()), dys, dw;
    runCombineGrad<float>(*grad, c, ys, w, dy, dys, dw);

    // MOE-SEMANTICS.md, "Backward": d_ys[i] = w[t,j] dy[t] for the row of
    // pair (t, j), d_w[t,j] = <ys[i], dy[t]>, in f32, h in order.
    std::vector<int64_t> inv = inversePermutation(c);
    std::vector<float> refYs(c.rows * c.hidden, 0.0f), refW(c.tokens * c.k);
    for (int64_t p = 0; p < c.tokens * c.k; ++p) {
      int64_t t = p / c.k, row = inv[p];
      float sum = 0.0f;
      if (row >= 0)
        for (int64_t h = 0; h < c.hidden; ++h) {
          refYs[row * c.hidden + h] = w[p] * dy[t * c.hidden + h];
          sum += ys[row * c.hidden + h] * dy[t * c.hidden + h];
        }
      refW[p] = sum;
    }
    for (size_t i = 0; i < refYs.size(); ++i)
      EXPECT_EQ(dys[i], refYs[i]) << "d_ys[" << i << "]";
    for (size_t i = 0; i < refW.size(); ++i)
      expectClose(dw[i], refW[i], 1e-6, 1.0, "d_w", static_cast<int64_t>(i));
  }
}

} // namespace
