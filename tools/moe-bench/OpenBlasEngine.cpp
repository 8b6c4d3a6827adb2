//===- OpenBlasEngine.cpp - the layer as a loop of OpenBLAS sgemm ---------===//

#include "OpenBlasEngine.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cblas.h>
#include <cstdlib>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

using namespace moec;
using namespace moec::bench;

namespace {

/// out = beta * out + swiglu(x Wg, x Wu) Wd over `rows` rows of width W.
struct SwigluFfn {
  int64_t H, W;
  std::optional<double> limit;
  std::vector<float> gate, up;

  SwigluFfn(int64_t H, int64_t W, int64_t maxRows, std::optional<double> limit)
      : H(H), W(W), limit(limit), gate(maxRows * W), up(maxRows * W) {}

  void run(int64_t rows, const float *x, const float *wg, const float *wu,
           const float *wd, float *out, float beta) {
    if (rows == 0)
      return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, W, H, 1.0f, x,
                H, wg, W, 0.0f, gate.data(), W);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, W, H, 1.0f, x,
                H, wu, W, 0.0f, up.data(), W);
    float L = limit ? static_cast<float>(*limit) : INFINITY;
    for (int64_t i = 0; i < rows * W; ++i) {
      float g = std::min(gate[i], L), u = std::clamp(up[i], -L, L);
      gate[i] = g / (1.0f + std::exp(-g)) * u;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, H, W, 1.0f,
                gate.data(), W, wd, H, beta, out, H);
  }
};

/// Each expert's rows of `xs` (grouped by `offsets`) through its FFN.
class ExpertLoop {
public:
  ExpertLoop(const MoELayerConfig &c, const test::LayerData &d, int64_t rows)
      : c(c), d(d), ffn(c.hidden, c.intermediate, rows, c.swigluLimit) {}

  void run(const float *xs, const std::vector<int64_t> &offsets, float *ys) {
    int64_t H = c.hidden, I = c.intermediate;
    for (int64_t e = 0; e < c.numExperts; ++e) {
      int64_t begin = offsets[e];
      ffn.run(offsets[e + 1] - begin, xs + begin * H, &d.wGate[e * H * I],
              &d.wUp[e * H * I], &d.wDown[e * I * H], ys + begin * H, 0.0f);
    }
  }

private:
  const MoELayerConfig &c;
  const test::LayerData &d;
  SwigluFfn ffn;
};

class Layer {
public:
  Layer(const MoELayerConfig &c, const test::LayerData &d, int64_t T)
      : c(c), d(d), T(T), experts(c, d, T * c.topK),
        shared(c.hidden, c.sharedIntermediate(), T, c.swigluLimit),
        xs(T * c.topK * c.hidden), ys(T * c.topK * c.hidden) {}

  void run(float *y) {
    int64_t H = c.hidden, k = c.topK;
    reference::RouterResult routed =
        routeTokens(c, d.x.data(), T, d.routerW.data(),
                    c.selectionBias ? d.bias.data() : nullptr);
    planDispatch(routed.ids, c.numExperts, plan);
    for (int64_t row = 0; row < T * k; ++row)
      std::copy_n(&d.x[plan.pairOfRow[row] / k * H], H, &xs[row * H]);
    experts.run(xs.data(), plan.offsets, ys.data());
    for (int64_t t = 0; t < T; ++t) {
      float *out = y + t * H;
      std::fill_n(out, H, 0.0f);
      for (int64_t j = 0; j < k; ++j) {
        float w = static_cast<float>(routed.weights[t * k + j]);
        const float *row = &ys[plan.rowOfPair[t * k + j] * H];
        for (int64_t h = 0; h < H; ++h)
          out[h] += w * row[h];
      }
    }
    if (c.sharedIntermediate() > 0)
      shared.run(T, d.x.data(), d.sharedGate.data(), d.sharedUp.data(),
                 d.sharedDown.data(), y, 1.0f);
  }

private:
  const MoELayerConfig &c;
  const test::LayerData &d;
  int64_t T;
  ExpertLoop experts;
  SwigluFfn shared;
  DispatchPlan plan;
  std::vector<float> xs, ys;
};

} // namespace

OpenBlasInfo moec::bench::openBlasInfo() {
  OpenBlasInfo info;
  info.core = openblas_get_corename();
  info.avx512Kernels = llvm::is_contained(
      {"SkylakeX", "Cooperlake", "SapphireRapids"}, llvm::StringRef(info.core));
  if (const char *coreType = std::getenv("OPENBLAS_CORETYPE"))
    info.coreTypeOverride = coreType;
  info.config = llvm::StringRef(openblas_get_config()).trim().str();
  info.bf16Mode = dlsym(RTLD_DEFAULT, "cblas_sbgemm")
                      ? "sgemm on f32 copies of the bf16 values (this "
                        "OpenBLAS has cblas_sbgemm; moe-bench does not use it)"
                      : "sgemm on f32 copies of the bf16 values (this "
                        "OpenBLAS exports no cblas_sbgemm)";
  return info;
}

void moec::bench::setOpenBlasThreads(unsigned threads) {
  openblas_set_num_threads(static_cast<int>(threads));
}

llvm::Expected<BaselineResult>
moec::bench::runOpenBlas(const Workload &workload, const TokenSlice &slice,
                         const TimingPolicy &policy) {
  const MoELayerConfig &c = workload.config;
  BaselineResult result;
  result.output.resize((workload.expertsOnly ? slice.rows() : slice.tokens) *
                       c.hidden);
  float *out = result.output.data();
  std::optional<Layer> layer;
  std::optional<ExpertLoop> experts;
  std::function<void()> call;
  if (workload.expertsOnly) {
    experts.emplace(c, workload.data, slice.rows());
    call = [&] {
      experts->run(slice.dispatchedX.data(), slice.plan.offsets, out);
    };
  } else {
    layer.emplace(c, workload.data, slice.tokens);
    call = [&] { layer->run(out); };
  }
  letWorkersSleep();
  auto timing = timeCalls(
      [&] {
        call();
        return llvm::Error::success();
      },
      policy);
  if (!timing)
    return timing.takeError();
  result.timing = *timing;
  return result;
}
