// Embeds moec the way a framework would: describe a layer by its config,
// compile it once, run it on the program's own buffers, report errors as
// values. Its check needs no reference implementation: with one expert and
// k = 1 the layer is a dense SwiGLU FFN scaled by the router weight (1 after
// softmax over one expert), which a few lines below compute directly.
#include "moec/moec.h"

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  moec::MoELayerConfig config;
  config.hidden = 16;
  config.intermediate = 8;
  config.numExperts = 1;
  config.topK = 1;

  moec::Compiler compiler;
  auto kernel = compiler.compileLayer(config);
  if (!kernel) {
    std::fprintf(stderr, "compile failed: %s\n",
                 llvm::toString(kernel.takeError()).c_str());
    return 1;
  }
  std::printf("compiled %s\n", (*kernel)->signature().toString().c_str());

  const int64_t T = 3, H = 16, I = 8;
  auto fill = [](std::vector<float> &v, float step) {
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = std::sin(step * static_cast<float>(i + 1));
  };
  std::vector<float> x(T * H), router(H), gate(H * I), up(H * I), down(I * H),
      y(T * H);
  fill(x, 0.7f), fill(router, 0.3f), fill(gate, 0.11f), fill(up, 0.13f),
      fill(down, 0.17f);

  using moec::DType;
  using moec::TensorView;
  std::vector<TensorView> inputs = {
      TensorView(x.data(), DType::F32, {T, H}),
      TensorView(router.data(), DType::F32, {H, 1}),
      TensorView(gate.data(), DType::F32, {1, H, I}),
      TensorView(up.data(), DType::F32, {1, H, I}),
      TensorView(down.data(), DType::F32, {1, I, H})};
  TensorView output(y.data(), DType::F32, {T, H});
  if (llvm::Error err = (*kernel)->run(inputs, {output})) {
    std::fprintf(stderr, "run failed: %s\n",
                 llvm::toString(std::move(err)).c_str());
    return 1;
  }

  double worst = 0;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t h = 0; h < H; ++h) {
      double want = 0;
      for (int64_t i = 0; i < I; ++i) {
        double g = 0, u = 0;
        for (int64_t k = 0; k < H; ++k) {
          g += double(x[t * H + k]) * gate[k * I + i];
          u += double(x[t * H + k]) * up[k * I + i];
        }
        want += g / (1 + std::exp(-g)) * u * down[i * H + h];
      }
      worst = std::fmax(worst, std::fabs(want - y[t * H + h]));
    }
  std::printf("max abs error vs dense FFN: %.2g\n", worst);

  // A wrong call is an error value naming the argument, not a crash.
  inputs[2].shape = {1, H, I + 1};
  if (llvm::Error err = (*kernel)->run(inputs, {output}))
    std::printf("bad call rejected: %s\n",
                llvm::toString(std::move(err)).c_str());
  return worst < 1e-4 ? 0 : 1;
}
