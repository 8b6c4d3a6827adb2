//===- GroupedMatmulGradExecutionTest.cpp - grouped GEMM backward ---------===//
//
// The adjoint of moe.grouped_matmul (GroupedMatmulOp::emitAdjoint) as it
// emits it: `d_input = moe.grouped_matmul dy, linalg.transpose(weight)`,
// `d_weight = moe.grouped_matmul_wgrad input, dy`, compiled through the C++
// API (this is a libmoec.so client, so the gradient is written out here;
// GradientInterfaceTest checks that emitAdjoint emits exactly this).
//
// - f64, against central finite differences of the compiled f64 forward
//   (moe.grouped_matmul, lowered to linalg in f64): every element of input
//   and weight is perturbed on its own and the difference of <y, dy> is the
//   vector-Jacobian product. The forward is bilinear, so the differences
//   are exact up to rounding.
// - f32 (and bf16) through the default CPU pipeline, where both products
//   run on the CPU kernels, against a plain C++ evaluation of
//   MOE-SEMANTICS.md's formulas.
// - determinism: the weight-gradient kernel compiled for 1 and 2 threads
//   gives bit-identical results.
//
// The groups include empty experts (first, inner and last), a group of one
// row, rows in no group, offsets past the end (clamped, as the forward
// clamps them), and a single-row problem (T = 1, k = 1).
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
#include <random>
#include <string>
#include <vector>

using namespace moec;
using namespace moec::test;

namespace {

/// A grouped GEMM problem: input [R, K], weight [E, K, N], offsets [E + 1],
/// dy [R, N].
struct Problem {
  int64_t rows, k, n, experts;
  std::vector<int32_t> offsets;
  std::vector<double> input, weight, dy;

  /// Expert e's rows, clamped into [0, R] as the lowerings clamp them.
  std::pair<int64_t, int64_t> group(int64_t e) const {
    int64_t lo = std::clamp<int64_t>(offsets[e], 0, rows);
    int64_t hi = std::clamp<int64_t>(offsets[e + 1], lo, rows);
    return {lo, hi};
  }
};

Problem makeProblem(int64_t rows, int64_t k, int64_t n,
                    std::vector<int32_t> offsets, uint64_t seed) {
  Problem p{rows, k, n, static_cast<int64_t>(offsets.size()) - 1,
            std::move(offsets)};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int64_t i = 0; i < rows * k; ++i)
    p.input.push_back(unit(rng));
  for (int64_t i = 0; i < p.experts * k * n; ++i)
    p.weight.push_back(unit(rng));
  for (int64_t i = 0; i < rows * n; ++i)
    p.dy.push_back(unit(rng));
  return p;
}

/// `@forward(input, weight, offsets) -> y`.
std::string forwardSource(const Problem &p, const std::string &element) {
  return llvm::formatv(R"mlir(
func.func @forward(%x: tensor<?x{1}x{0}>, %w: tensor<{3}x{1}x{2}x{0}>,
                   %off: tensor<{4}xi32>) -> tensor<?x{2}x{0}> {
  %y = moe.grouped_matmul %x, %w, %off
      : tensor<?x{1}x{0}>, tensor<{3}x{1}x{2}x{0}>, tensor<{4}xi32>
      -> tensor<?x{2}x{0}>
  return %y : tensor<?x{2}x{0}>
}
)mlir",
                       element, p.k, p.n, p.experts, p.experts + 1)
      .str();
}

/// `@grad(input, weight, offsets, dy) -> (d_input, d_weight)`: what
/// GroupedMatmulOp::emitAdjoint emits.
std::string gradSource(const Problem &p, const std::string &element) {
  return llvm::formatv(R"mlir(
func.func @grad(%x: tensor<?x{1}x{0}>, %w: tensor<{3}x{1}x{2}x{0}>,
                %off: tensor<{4}xi32>, %dy: tensor<?x{2}x{0}>)
    -> (tensor<?x{1}x{0}>, tensor<{3}x{1}x{2}x{0}>) {
  %e = tensor.empty() : tensor<{3}x{2}x{1}x{0}>
  %wt = linalg.transpose ins(%w : tensor<{3}x{1}x{2}x{0}>)
      outs(%e : tensor<{3}x{2}x{1}x{0}>) permutation = [0, 2, 1]
  %dx = moe.grouped_matmul %dy, %wt, %off
      : tensor<?x{2}x{0}>, tensor<{3}x{2}x{1}x{0}>, tensor<{4}xi32>
      -> tensor<?x{1}x{0}>
  %dw = moe.grouped_matmul_wgrad %x, %dy, %off
      : tensor<?x{1}x{0}>, tensor<?x{2}x{0}>, tensor<{4}xi32>
      -> tensor<{3}x{1}x{2}x{0}>
  return %dx, %dw : tensor<?x{1}x{0}>, tensor<{3}x{1}x{2}x{0}>
}
)mlir",
                       element, p.k, p.n, p.experts, p.experts + 1)
      .str();
}

/// `@wgrad(input, dy, offsets) -> d_weight` alone.
std::string wgradSource(const Problem &p, const std::string &element) {
  return llvm::formatv(R"mlir(
func.func @wgrad(%x: tensor<?x{1}x{0}>, %dy: tensor<?x{2}x{0}>,
                 %off: tensor<{4}xi32>) -> tensor<{3}x{1}x{2}x{0}> {
  %dw = moe.grouped_matmul_wgrad %x, %dy, %off
      : tensor<?x{1}x{0}>, tensor<?x{2}x{0}>, tensor<{4}xi32>
      -> tensor<{3}x{1}x{2}x{0}>
  return %dw : tensor<{3}x{1}x{2}x{0}>
}
)mlir",
                       element, p.k, p.n, p.experts, p.experts + 1)
      .str();
}

TensorView offsetsView(const Problem &p) {
  return TensorView(const_cast<int32_t *>(p.offsets.data()), DType::I32,
                    {p.experts + 1});
}

template <typename T>
std::vector<T> runForward(const Kernel &kernel, const Problem &p,
                          const std::vector<T> &input,
                          const std::vector<T> &weight) {
  std::vector<T> y(p.rows * p.n, static_cast<T>(NAN));
  DType t = dtypeOf<T>();
  llvm::Error err = kernel.run(
      {TensorView(const_cast<T *>(input.data()), t, {p.rows, p.k}),
       TensorView(const_cast<T *>(weight.data()), t, {p.experts, p.k, p.n}),
       offsetsView(p)},
      {TensorView(y.data(), t, {p.rows, p.n})});
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  return y;
}

template <typename T>
void runGrad(const Kernel &kernel, const Problem &p,
             const std::vector<T> &input, const std::vector<T> &weight,
             const std::vector<T> &dy, std::vector<T> &dx, std::vector<T> &dw) {
  dx.assign(p.rows * p.k, static_cast<T>(NAN));
  dw.assign(p.experts * p.k * p.n, static_cast<T>(NAN));
  DType t = dtypeOf<T>();
  llvm::Error err = kernel.run(
      {TensorView(const_cast<T *>(input.data()), t, {p.rows, p.k}),
       TensorView(const_cast<T *>(weight.data()), t, {p.experts, p.k, p.n}),
       offsetsView(p),
       TensorView(const_cast<T *>(dy.data()), t, {p.rows, p.n})},
      {TensorView(dx.data(), t, {p.rows, p.k}),
       TensorView(dw.data(), t, {p.experts, p.k, p.n})});
  ASSERT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
}

/// Runs `@wgrad` on 4-byte floats or on 2-byte (bf16) raw words.
template <typename T>
std::vector<T> runWgrad(const Kernel &kernel, const Problem &p, DType dtype,
                        const std::vector<T> &input, const std::vector<T> &dy) {
  std::vector<T> dw(p.experts * p.k * p.n);
  std::memset(dw.data(), 0xff, dw.size() * sizeof(T)); // NaN in f32 and bf16
  llvm::Error err = kernel.run(
      {TensorView(const_cast<T *>(input.data()), dtype, {p.rows, p.k}),
       TensorView(const_cast<T *>(dy.data()), dtype, {p.rows, p.n}),
       offsetsView(p)},
      {TensorView(dw.data(), dtype, {p.experts, p.k, p.n})});
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
  return dw;
}

/// MOE-SEMANTICS.md, "Backward", in double from the given (rounded)
/// operands: dX = dY W^T per group, dW[e] = X_e^T dY_e, zero elsewhere.
void reference(const Problem &p, const std::vector<double> &input,
               const std::vector<double> &weight, const std::vector<double> &dy,
               std::vector<double> &dx, std::vector<double> &dw) {
  dx.assign(p.rows * p.k, 0.0);
  dw.assign(p.experts * p.k * p.n, 0.0);
  for (int64_t e = 0; e < p.experts; ++e) {
    auto [lo, hi] = p.group(e);
    for (int64_t r = lo; r < hi; ++r)
      for (int64_t kk = 0; kk < p.k; ++kk)
        for (int64_t nn = 0; nn < p.n; ++nn) {
          double w = weight[(e * p.k + kk) * p.n + nn];
          double g = dy[r * p.n + nn];
          dx[r * p.k + kk] += g * w;
          dw[(e * p.k + kk) * p.n + nn] += input[r * p.k + kk] * g;
        }
  }
}

/// Whether row `r` is in no group.
bool inNoGroup(const Problem &p, int64_t r) {
  for (int64_t e = 0; e < p.experts; ++e) {
    auto [lo, hi] = p.group(e);
    if (r >= lo && r < hi)
      return false;
  }
  return true;
}

/// Rows in no group get a zero d_input and empty experts a zero d_weight,
/// exactly.
template <typename T>
void expectExactZeros(const Problem &p, const std::vector<T> &dx,
                      const std::vector<T> &dw) {
  for (int64_t r = 0; r < p.rows; ++r)
    if (inNoGroup(p, r))
      for (int64_t kk = 0; kk < p.k; ++kk)
        EXPECT_EQ(dx[r * p.k + kk], T(0)) << "d_input row " << r;
  for (int64_t e = 0; e < p.experts; ++e) {
    auto [lo, hi] = p.group(e);
    if (lo == hi)
      for (int64_t i = 0; i < p.k * p.n; ++i)
        EXPECT_EQ(dw[e * p.k * p.n + i], T(0)) << "d_weight of empty " << e;
  }
}

void checkFiniteDifferences(const Problem &p) {
  auto forward = compileEntry(forwardSource(p, "f64"), "forward");
  auto grad = compileEntry(gradSource(p, "f64"), "grad");
  ASSERT_TRUE(forward && grad);
  std::vector<double> dx, dw;
  runGrad<double>(*grad, p, p.input, p.weight, p.dy, dx, dw);

  // <forward(input, weight), dy>, the scalar whose gradient is the VJP.
  auto loss = [&](const std::vector<double> &input,
                  const std::vector<double> &weight) {
    std::vector<double> y = runForward<double>(*forward, p, input, weight);
    double sum = 0;
    for (size_t i = 0; i < y.size(); ++i)
      sum += y[i] * p.dy[i];
    return sum;
  };
  const double step = 1e-3;
  for (int64_t i = 0; i < p.rows * p.k; ++i) {
    std::vector<double> plus = p.input, minus = p.input;
    plus[i] += step;
    minus[i] -= step;
    double fd = (loss(plus, p.weight) - loss(minus, p.weight)) / (2 * step);
    EXPECT_NEAR(dx[i], fd, 1e-10) << "d_input[" << i << "]";
  }
  for (int64_t i = 0; i < p.experts * p.k * p.n; ++i) {
    std::vector<double> plus = p.weight, minus = p.weight;
    plus[i] += step;
    minus[i] -= step;
    double fd = (loss(p.input, plus) - loss(p.input, minus)) / (2 * step);
    EXPECT_NEAR(dw[i], fd, 1e-10) << "d_weight[" << i << "]";
  }
  expectExactZeros(p, dx, dw);
}

TEST(GroupedMatmulGradExecution, F64MatchesFiniteDifferences) {
  // Experts 1 and 5 are empty, expert 2 has one row, row 9 is in no group.
  checkFiniteDifferences(
      makeProblem(10, 5, 3, {0, 3, 3, 4, 7, 9, 9}, /*seed=*/3));
}

TEST(GroupedMatmulGradExecution, F64EdgeCasesMatchFiniteDifferences) {
  // One row in one expert of three (T = 1, k = 1).
  checkFiniteDifferences(makeProblem(1, 4, 2, {0, 0, 1, 1}, /*seed=*/5));
  // Offsets past R and a first group that does not start at 0: rows 0-1 in
  // no group, the last group clamped to [5, 6).
  checkFiniteDifferences(makeProblem(6, 3, 4, {2, 5, 40}, /*seed=*/7));
}

/// Rounds to float and back.
std::vector<float> toFloat(const std::vector<double> &v) {
  return std::vector<float>(v.begin(), v.end());
}
std::vector<double> toDouble(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

/// `|got - want| <= tol * max(|want|, scale)`.
void expectClose(double got, double want, double tol, double scale,
                 const char *what, size_t i) {
  EXPECT_LE(std::fabs(got - want), tol * std::max(std::fabs(want), scale))
      << what << "[" << i << "]: got " << got << ", want " << want;
}

void checkF32(const Problem &p, const std::string &target) {
  SCOPED_TRACE(::testing::Message() << "target " << target << ", R " << p.rows
                                    << ", K " << p.k << ", N " << p.n);
  CompileOptions options;
  options.entry = "grad";
  options.target = target;
  auto compiled = sharedCompiler().compileSource(gradSource(p, "f32"), options);
  ASSERT_TRUE(static_cast<bool>(compiled))
      << llvm::toString(compiled.takeError());
  std::vector<float> input = toFloat(p.input), weight = toFloat(p.weight),
                     dy = toFloat(p.dy), dx, dw;
  runGrad<float>(**compiled, p, input, weight, dy, dx, dw);
  std::vector<double> refX, refW;
  reference(p, toDouble(input), toDouble(weight), toDouble(dy), refX, refW);
  // f32 sums of at most R terms of magnitude <= 1.
  for (size_t i = 0; i < refX.size(); ++i)
    expectClose(dx[i], refX[i], 1e-5, 1.0, "d_input", i);
  for (size_t i = 0; i < refW.size(); ++i)
    expectClose(dw[i], refW[i], 1e-5, 1.0, "d_weight", i);
  expectExactZeros(p, dx, dw);
}

/// Empty experts first, inside and last; a group of one row; a group
/// longer than a register tile; 3 rows in no group at the end.
Problem kernelProblem(int64_t k, int64_t n, uint64_t seed) {
  return makeProblem(50, k, n, {0, 0, 37, 37, 38, 47, 47}, seed);
}

TEST(GroupedMatmulGradExecution, F32MatchesReference) {
  // K = 32: the weight-gradient tiles of 6 rows of K leave 2 (and dX, a
  // GEMM with N = K = 32, runs on the packed kernel); N = 80: one panel of
  // 4 vectors of 16 and one of 1 with AVX-512, 5 panels of 2 x 8 with AVX2.
  for (const char *target :
       {"cpu-host", "cpu-host:vector-bits=256,registers=16,avx512f=false"}) {
    checkF32(kernelProblem(32, 80, 11), target);
    // N = 48 (3 vectors: a narrower panel), K = 16.
    checkF32(kernelProblem(16, 48, 13), target);
  }
  // T = 1, k = 1.
  checkF32(makeProblem(1, 16, 32, {0, 1}, 17), "cpu-host");
  // N = 20 is no multiple of the vector width: both products fall back to
  // the linalg lowering, which must agree.
  checkF32(kernelProblem(7, 20, 19), "cpu-host");
}

/// bf16 bits of a float, rounded to nearest even, and back.
uint16_t toBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}
float fromBF16(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST(GroupedMatmulGradExecution, BF16AccumulatesInF32) {
  Problem p = kernelProblem(32, 80, 23);
  auto kernel = compileEntry(wgradSource(p, "bf16"), "wgrad");
  ASSERT_TRUE(kernel);
  std::vector<uint16_t> input, dy;
  std::vector<double> inputRounded, dyRounded;
  for (double v : p.input) {
    input.push_back(toBF16(static_cast<float>(v)));
    inputRounded.push_back(fromBF16(input.back()));
  }
  for (double v : p.dy) {
    dy.push_back(toBF16(static_cast<float>(v)));
    dyRounded.push_back(fromBF16(dy.back()));
  }
  std::vector<uint16_t> dw =
      runWgrad<uint16_t>(*kernel, p, DType::BF16, input, dy);
  std::vector<double> refX, refW;
  reference(p, inputRounded, p.weight, dyRounded, refX, refW);
  // Summed in f32 and rounded once: within one bf16 rounding (2^-8
  // relative) of the exact sum of the rounded operands.
  for (size_t i = 0; i < refW.size(); ++i)
    expectClose(fromBF16(dw[i]), refW[i], 1.0 / 256, 1e-3, "d_weight", i);
}

TEST(GroupedMatmulGradExecution, WeightGradIsDeterministicAcrossThreads) {
  // Uneven groups (so that the workers' cost shares cut through experts)
  // and shapes with tails in K and N.
  std::vector<int32_t> offsets = {0};
  for (int32_t count : {200, 0, 3, 90, 1, 0, 150, 57})
    offsets.push_back(offsets.back() + count);
  Problem p = makeProblem(offsets.back() + 5, 38, 96, offsets, 29);
  std::vector<float> input = toFloat(p.input), dy = toFloat(p.dy);
  std::vector<std::vector<float>> results;
  for (unsigned threads : {1u, 2u, 3u}) {
    auto kernel = compileEntry(wgradSource(p, "f32"), "wgrad", threads);
    ASSERT_TRUE(kernel);
    results.push_back(runWgrad<float>(*kernel, p, DType::F32, input, dy));
  }
  for (size_t t = 1; t < results.size(); ++t)
    EXPECT_EQ(std::memcmp(results[0].data(), results[t].data(),
                          results[0].size() * sizeof(float)),
              0)
        << "threads " << t + 1 << " differ from threads 1";
  // And the result is the gradient.
  std::vector<double> refX, refW;
  reference(p, toDouble(input), p.weight, toDouble(dy), refX, refW);
  for (size_t i = 0; i < refW.size(); ++i)
    expectClose(results[0][i], refW[i], 1e-5, 1.0, "d_weight", i);
}

} // namespace
