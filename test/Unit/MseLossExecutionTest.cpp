//===- MseLossExecutionTest.cpp - moe.mse_loss and its gradient -----------===//
//
// moe.mse_loss compiled through the C++ API against a plain C++ mean of
// squares, and its gradient, built by --moe-grad (Compiler::gradientSource:
// moe.mse_loss_grad for the prediction, its negation for the target),
// against central finite differences of the compiled f64 loss and against
// the C++ formula 2 (y - t) dloss / N in f32.
//
//===----------------------------------------------------------------------===//

#include "KernelTesting.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <vector>

using namespace moec;
using namespace moec::test;

namespace {

/// `@mse(y, t) -> loss` and, from --moe-grad, `@mse_grad(y, t, dloss) ->
/// (loss, dy, dt)`, for `tensor<?x?xT>`.
std::shared_ptr<const Kernel> compile(const char *element, bool gradient) {
  std::string loss = std::string(element) == "f64" ? "f64" : "f32";
  std::string source = llvm::formatv(R"mlir(
func.func @mse(%y: tensor<?x?x{0}>, %t: tensor<?x?x{0}>) -> tensor<{1}> {
  %l = moe.mse_loss %y, %t : tensor<?x?x{0}>, tensor<?x?x{0}> -> tensor<{1}>
  return %l : tensor<{1}>
}
)mlir",
                                     element, loss)
                           .str();
  if (gradient) {
    auto withGrad = Compiler::gradientSource(source, "mse");
    if (!withGrad) {
      ADD_FAILURE() << llvm::toString(withGrad.takeError());
      return nullptr;
    }
    source = *withGrad;
  }
  return compileEntry(source, gradient ? "mse_grad" : "mse");
}

template <typename T> std::vector<T> values(int64_t n, double phase) {
  std::vector<T> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = static_cast<T>(std::sin(0.7 * i + phase) * (1.0 + 0.1 * i));
  return v;
}

template <typename T>
T runLoss(const Kernel &kernel, std::vector<T> &y, std::vector<T> &t,
          int64_t rows, int64_t cols) {
  T loss = T(NAN);
  llvm::Error err =
      kernel.run({TensorView(y.data(), dtypeOf<T>(), {rows, cols}),
                  TensorView(t.data(), dtypeOf<T>(), {rows, cols})},
                 {TensorView(&loss, dtypeOf<T>(), {})});
  EXPECT_FALSE(err) << llvm::toString(std::move(err));
  return loss;
}

/// (dy, dt) from @mse_grad.
template <typename T>
std::pair<std::vector<T>, std::vector<T>>
runGrad(const Kernel &kernel, std::vector<T> &y, std::vector<T> &t,
        int64_t rows, int64_t cols, T dloss) {
  T loss;
  std::vector<T> dy(y.size(), T(NAN)), dt(t.size(), T(NAN));
  llvm::Error err =
      kernel.run({TensorView(y.data(), dtypeOf<T>(), {rows, cols}),
                  TensorView(t.data(), dtypeOf<T>(), {rows, cols}),
                  TensorView(&dloss, dtypeOf<T>(), {})},
                 {TensorView(&loss, dtypeOf<T>(), {}),
                  TensorView(dy.data(), dtypeOf<T>(), {rows, cols}),
                  TensorView(dt.data(), dtypeOf<T>(), {rows, cols})});
  EXPECT_FALSE(err) << llvm::toString(std::move(err));
  return {dy, dt};
}

TEST(MseLossExecution, F64GradientMatchesFiniteDifferences) {
  auto forward = compile("f64", false);
  auto grad = compile("f64", true);
  ASSERT_TRUE(forward && grad);
  int64_t rows = 7, cols = 5;
  std::vector<double> y = values<double>(rows * cols, 0.0),
                      t = values<double>(rows * cols, 1.3);
  double dloss = 0.75;
  auto [dy, dt] = runGrad(*grad, y, t, rows, cols, dloss);
  constexpr double h = 1e-6;
  for (int which = 0; which < 2; ++which) {
    std::vector<double> &x = which == 0 ? y : t;
    const std::vector<double> &analytic = which == 0 ? dy : dt;
    for (size_t i = 0; i < x.size(); ++i) {
      double saved = x[i];
      x[i] = saved + h;
      double plus = runLoss(*forward, y, t, rows, cols);
      x[i] = saved - h;
      double minus = runLoss(*forward, y, t, rows, cols);
      x[i] = saved;
      EXPECT_NEAR(analytic[i], dloss * (plus - minus) / (2 * h), 1e-8)
          << (which == 0 ? "dy[" : "dt[") << i << "]";
    }
  }
}

TEST(MseLossExecution, F32MatchesReference) {
  auto forward = compile("f32", false);
  auto grad = compile("f32", true);
  ASSERT_TRUE(forward && grad);
  int64_t rows = 37, cols = 33;
  std::vector<float> y = values<float>(rows * cols, 0.2),
                     t = values<float>(rows * cols, 2.1);
  double want = 0.0;
  for (size_t i = 0; i < y.size(); ++i)
    want += (double(y[i]) - t[i]) * (double(y[i]) - t[i]);
  want /= y.size();
  EXPECT_NEAR(runLoss(*forward, y, t, rows, cols), want, 1e-6 * want);
  float dloss = 1.5f;
  auto [dy, dt] = runGrad(*grad, y, t, rows, cols, dloss);
  for (size_t i = 0; i < y.size(); ++i) {
    double g = 2.0 * dloss * (double(y[i]) - t[i]) / y.size();
    EXPECT_NEAR(dy[i], g, 1e-6 * std::abs(g) + 1e-9) << i;
    EXPECT_EQ(dt[i], -dy[i]) << i;
  }
}

TEST(MseLossExecution, NoElementsGiveNaN) {
  auto forward = compile("f32", false);
  ASSERT_TRUE(forward);
  std::vector<float> y, t;
  EXPECT_TRUE(std::isnan(runLoss(*forward, y, t, 0, 4)));
}

} // namespace
