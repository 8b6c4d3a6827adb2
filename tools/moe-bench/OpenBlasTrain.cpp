//===- OpenBlasTrain.cpp - forward + backward as OpenBLAS sgemms ----------===//

#include "OpenBlasTrain.h"

#include "LayerExecution.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace moec;
using namespace moec::bench;

namespace {

/// A SwiGLU FFN `(silu(X Wg) * (X Wu)) Wd` on `rows` rows, keeping gate, up
/// and SwiGLU (caller-owned, [rows, W] each) for its backward. Weights are
/// row-major Wg, Wu [H, W] and Wd [W, H].
struct Ffn {
  int64_t H, W;
  std::optional<double> limit;

  /// out = beta * out + FFN(x).
  void forward(int64_t rows, const float *x, const float *wg, const float *wu,
               const float *wd, float *gate, float *up, float *act, float *out,
               float beta) const {
    if (rows == 0)
      return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, W, H, 1.0f, x,
                H, wg, W, 0.0f, gate, W);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, W, H, 1.0f, x,
                H, wu, W, 0.0f, up, W);
    float L = limit ? static_cast<float>(*limit) : INFINITY;
    for (int64_t i = 0; i < rows * W; ++i) {
      float g = std::min(gate[i], L), u = std::clamp(up[i], -L, L);
      act[i] = g / (1.0f + std::exp(-g)) * u;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, H, W, 1.0f,
                act, W, wd, H, beta, out, H);
  }

  /// From the output's cotangent `dOut` [rows, H]: the weight gradients
  /// (overwritten; zero without rows) and dx = beta * dx + the rows'
  /// cotangent. `gate` and `up` are overwritten by their cotangents; `dAct`
  /// is scratch [rows, W].
  void backward(int64_t rows, const float *x, const float *wg, const float *wu,
                const float *wd, float *gate, float *up, const float *act,
                const float *dOut, float *dAct, float *dwg, float *dwu,
                float *dwd, float *dx, float beta) const {
    if (rows == 0) {
      std::fill_n(dwg, H * W, 0.0f);
      std::fill_n(dwu, H * W, 0.0f);
      std::fill_n(dwd, W * H, 0.0f);
      return;
    }
    // dAct = dOut Wd^T; dWd = act^T dOut.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, W, H, 1.0f, dOut,
                H, wd, H, 0.0f, dAct, W);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, W, H, rows, 1.0f, act,
                W, dOut, H, 0.0f, dwd, H);
    // SwiGLU backward: act = silu(g) * u with g and u clamped; no gradient
    // flows through a clamp that is active.
    float L = limit ? static_cast<float>(*limit) : INFINITY;
    for (int64_t i = 0; i < rows * W; ++i) {
      float g = gate[i], u = up[i];
      bool gateClamped = g > L, upClamped = std::abs(u) > L;
      g = std::min(g, L);
      u = std::clamp(u, -L, L);
      float s = 1.0f / (1.0f + std::exp(-g));
      gate[i] = gateClamped ? 0.0f : dAct[i] * u * s * (1.0f + g * (1.0f - s));
      up[i] = upClamped ? 0.0f : dAct[i] * g * s;
    }
    // dWg = x^T dG, dWu = x^T dU, dx = beta dx + dG Wg^T + dU Wu^T.
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, W, rows, 1.0f, x, H,
                gate, W, 0.0f, dwg, W);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, W, rows, 1.0f, x, H,
                up, W, 0.0f, dwu, W);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, H, W, 1.0f, gate,
                W, wg, W, beta, dx, H);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, H, W, 1.0f, up,
                W, wu, W, 1.0f, dx, H);
  }
};

/// The cotangent of one token's logits `dl` [E] from that of its routing
/// weights `dw` [k], with the selected ids held fixed: through the scaling,
/// the normalisation by the selected scores' sum and the scoring function
/// (MOE-SEMANTICS.md, "Backward").
void routerBackward(const std::vector<double> &logits, const int64_t *ids,
                    const double *dw, int64_t k,
                    const reference::Routing &routing, float *dl) {
  int64_t E = static_cast<int64_t>(logits.size());
  std::vector<double> s = reference::routerScores(logits, routing.scoring);
  std::vector<double> ds(E, 0.0);
  double rho = routing.routedScalingFactor;
  if (routing.normTopkProb) {
    double sum = 0.0, weighted = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      sum += s[ids[j]];
      weighted += dw[j] * s[ids[j]];
    }
    double d =
        routing.scoring == reference::Scoring::Softmax ? sum : sum + 1e-20;
    for (int64_t j = 0; j < k; ++j)
      ds[ids[j]] += rho * (dw[j] / d - weighted / (d * d));
  } else {
    for (int64_t j = 0; j < k; ++j)
      ds[ids[j]] += rho * dw[j];
  }
  switch (routing.scoring) {
  case reference::Scoring::Softmax: {
    double dot = 0.0;
    for (int64_t e = 0; e < E; ++e)
      dot += s[e] * ds[e];
    for (int64_t e = 0; e < E; ++e)
      dl[e] = static_cast<float>(s[e] * (ds[e] - dot));
    break;
  }
  case reference::Scoring::Sigmoid:
    for (int64_t e = 0; e < E; ++e)
      dl[e] = static_cast<float>(s[e] * (1.0 - s[e]) * ds[e]);
    break;
  case reference::Scoring::SqrtSoftplus:
    for (int64_t e = 0; e < E; ++e)
      dl[e] = static_cast<float>(ds[e] / (1.0 + std::exp(-logits[e])) /
                                 (2.0 * s[e]));
    break;
  }
}

class TrainLayer {
public:
  TrainLayer(const MoELayerConfig &c, const test::LayerData &d,
             const std::vector<float> &dy, int64_t T)
      : c(c), d(d), dy(dy), T(T), R(T * c.topK),
        routing(test::referenceRouting(c)), experts{c.hidden, c.intermediate,
                                                    c.swigluLimit},
        shared{c.hidden, c.sharedIntermediate(), c.swigluLimit} {
    int64_t H = c.hidden, I = c.intermediate, S = c.sharedIntermediate(),
            E = c.numExperts;
    logits.resize(T * E);
    dLogits.resize(T * E);
    xs.resize(R * H);
    outs.resize(R * H);
    dOuts.resize(R * H);
    dXs.resize(R * H);
    gate.resize(R * I);
    up.resize(R * I);
    act.resize(R * I);
    dAct.resize(R * I);
    dw.resize(R);
    if (S > 0) {
      sharedGate.resize(T * S);
      sharedUp.resize(T * S);
      sharedAct.resize(T * S);
      sharedDAct.resize(T * S);
    }
  }

  /// y and every gradient into `out` (sized as TrainOutputs).
  void run(TrainOutputs &out) {
    forward(out[0].data());
    backward(out);
  }

private:
  void forward(float *y) {
    int64_t H = c.hidden, I = c.intermediate, E = c.numExperts, k = c.topK;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, E, H, 1.0f,
                d.x.data(), H, d.routerW.data(), E, 0.0f, logits.data(), E);
    std::vector<double> bias;
    if (c.selectionBias)
      bias.assign(d.bias.begin(), d.bias.end());
    routed = reference::route(std::vector<double>(logits.begin(), logits.end()),
                              T, E, routing, bias);
    planDispatch(routed.ids, E, plan);
    for (int64_t row = 0; row < R; ++row)
      std::memcpy(&xs[row * H], &d.x[plan.pairOfRow[row] / k * H],
                  H * sizeof(float));
    for (int64_t e = 0; e < E; ++e) {
      int64_t begin = plan.offsets[e], rows = plan.offsets[e + 1] - begin;
      experts.forward(rows, &xs[begin * H], &d.wGate[e * H * I],
                      &d.wUp[e * H * I], &d.wDown[e * I * H], &gate[begin * I],
                      &up[begin * I], &act[begin * I], &outs[begin * H], 0.0f);
    }
    for (int64_t t = 0; t < T; ++t) {
      float *yt = y + t * H;
      std::fill_n(yt, H, 0.0f);
      for (int64_t j = 0; j < k; ++j) {
        float w = static_cast<float>(routed.weights[t * k + j]);
        const float *o = &outs[plan.rowOfPair[t * k + j] * H];
        for (int64_t h = 0; h < H; ++h)
          yt[h] += w * o[h];
      }
    }
    if (c.sharedIntermediate() > 0)
      shared.forward(T, d.x.data(), d.sharedGate.data(), d.sharedUp.data(),
                     d.sharedDown.data(), sharedGate.data(), sharedUp.data(),
                     sharedAct.data(), y, 1.0f);
  }

  void backward(TrainOutputs &out) {
    int64_t H = c.hidden, I = c.intermediate, E = c.numExperts, k = c.topK;
    float *dx = out[1].data();
    // Combine backward: each row's cotangent is its weight times its token's
    // dy; each weight's is <row output, dy>.
    for (int64_t t = 0; t < T; ++t) {
      const float *dyt = &dy[t * H];
      for (int64_t j = 0; j < k; ++j) {
        int64_t row = plan.rowOfPair[t * k + j];
        float w = static_cast<float>(routed.weights[t * k + j]);
        const float *o = &outs[row * H];
        float *dO = &dOuts[row * H];
        double dot = 0.0;
        for (int64_t h = 0; h < H; ++h) {
          dO[h] = w * dyt[h];
          dot += o[h] * dyt[h];
        }
        dw[t * k + j] = dot;
      }
    }
    for (int64_t e = 0; e < E; ++e) {
      int64_t begin = plan.offsets[e], rows = plan.offsets[e + 1] - begin;
      experts.backward(rows, &xs[begin * H], &d.wGate[e * H * I],
                       &d.wUp[e * H * I], &d.wDown[e * I * H], &gate[begin * I],
                       &up[begin * I], &act[begin * I], &dOuts[begin * H],
                       &dAct[begin * I], &out[3][e * H * I], &out[4][e * H * I],
                       &out[5][e * I * H], &dXs[begin * H], 0.0f);
    }
    // dx: the shared experts' (which set it), the routed rows' (dispatch
    // backward: a scatter-add), then the router's.
    if (c.sharedIntermediate() > 0)
      shared.backward(T, d.x.data(), d.sharedGate.data(), d.sharedUp.data(),
                      d.sharedDown.data(), sharedGate.data(), sharedUp.data(),
                      sharedAct.data(), dy.data(), sharedDAct.data(),
                      out[6].data(), out[7].data(), out[8].data(), dx, 0.0f);
    else
      std::fill_n(dx, T * H, 0.0f);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < k; ++j) {
        const float *dXe = &dXs[plan.rowOfPair[t * k + j] * H];
        float *dxt = dx + t * H;
        for (int64_t h = 0; h < H; ++h)
          dxt[h] += dXe[h];
      }
    std::vector<double> row(E);
    for (int64_t t = 0; t < T; ++t) {
      std::copy_n(&logits[t * E], E, row.begin());
      routerBackward(row, &routed.ids[t * k], &dw[t * k], k, routing,
                     &dLogits[t * E]);
    }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, E, T, 1.0f,
                d.x.data(), H, dLogits.data(), E, 0.0f, out[2].data(), E);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, H, E, 1.0f,
                dLogits.data(), E, d.routerW.data(), E, 1.0f, dx, H);
  }

  const MoELayerConfig &c;
  const test::LayerData &d;
  const std::vector<float> &dy;
  int64_t T, R;
  reference::Routing routing;
  Ffn experts, shared;
  reference::RouterResult routed;
  DispatchPlan plan;
  std::vector<float> logits, dLogits, xs, outs, dOuts, dXs, gate, up, act, dAct,
      sharedGate, sharedUp, sharedAct, sharedDAct;
  std::vector<double> dw;
};

} // namespace

namespace {

/// Zero-filled results in TrainOutputs order.
TrainOutputs allocateOutputs(const MoELayerConfig &c, int64_t tokens) {
  size_t T = tokens, H = c.hidden, E = c.numExperts, I = c.intermediate,
         S = c.sharedIntermediate();
  std::vector<size_t> sizes = {T * H,     T * H,     H * E,
                               E * H * I, E * H * I, E * I * H};
  if (S > 0)
    sizes.insert(sizes.end(), {H * S, H * S, S * H});
  TrainOutputs outputs;
  for (size_t size : sizes)
    outputs.emplace_back(size);
  return outputs;
}

} // namespace

llvm::Expected<BaselineTrainResult>
moec::bench::runOpenBlasTrain(const Workload &workload, int64_t tokens,
                              const TimingPolicy &policy) {
  BaselineTrainResult result;
  result.outputs = allocateOutputs(workload.config, tokens);
  TrainLayer layer(workload.config, workload.data, workload.dy, tokens);
  letWorkersSleep();
  auto timing = timeCalls(
      [&] {
        layer.run(result.outputs);
        return llvm::Error::success();
      },
      policy);
  if (!timing)
    return timing.takeError();
  result.timing = *timing;
  return result;
}

TrainOutputs moec::bench::openBlasTrainOutputs(const Workload &workload,
                                               int64_t tokens) {
  TrainOutputs outputs = allocateOutputs(workload.config, tokens);
  TrainLayer layer(workload.config, workload.data, workload.dy, tokens);
  layer.run(outputs);
  return outputs;
}
