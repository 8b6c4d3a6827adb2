//===- Backward.cpp - reference gradients of moe.layer --------------------===//
//
// Reverse mode of layer() written out per token and slot: each routed slot is
// one expert FFN applied to one token row, so nothing here goes through a
// dispatch, a combine or a grouped GEMM, the formulations the compiler uses.
//
//===----------------------------------------------------------------------===//

#include "MoEReference.h"

#include <cmath>

namespace moec::reference {
namespace {

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

/// One SwiGLU FFN `(silu(x Wg) * (x Wu)) Wd` on a token row, forward and
/// backward. Weights are row-major `wg, wu : [H, I]`, `wd : [I, H]` (the
/// expert's slice); gradients accumulate into the `d*` arrays.
struct FFN {
  const double *wg, *wu, *wd;
  double *dwg, *dwu, *dwd;
  int64_t H, I;
  std::optional<double> limit;

  /// Returns the FFN's output on `x` [H]; `scale * dOut` is the output's
  /// cotangent, `<out, dOut>` is returned through `outDotDy`.
  std::vector<double> run(const double *x, const double *dOut, double scale,
                          double *dx, double &outDotDy) const {
    std::vector<double> g(I, 0.0), u(I, 0.0), h(I), out(H, 0.0);
    for (int64_t c = 0; c < H; ++c)
      for (int64_t i = 0; i < I; ++i) {
        g[i] += x[c] * wg[c * I + i];
        u[i] += x[c] * wu[c * I + i];
      }
    for (int64_t i = 0; i < I; ++i)
      h[i] = swiglu(g[i], u[i], limit);
    for (int64_t i = 0; i < I; ++i)
      for (int64_t c = 0; c < H; ++c)
        out[c] += h[i] * wd[i * H + c];
    outDotDy = 0.0;
    for (int64_t c = 0; c < H; ++c)
      outDotDy += out[c] * dOut[c];

    std::vector<double> dh(I, 0.0), dg(I), du(I);
    for (int64_t i = 0; i < I; ++i)
      for (int64_t c = 0; c < H; ++c) {
        dwd[i * H + c] += h[i] * scale * dOut[c];
        dh[i] += wd[i * H + c] * scale * dOut[c];
      }
    for (int64_t i = 0; i < I; ++i) {
      double gc = g[i], uc = u[i];
      bool gateClamped = false, upClamped = false;
      if (limit) {
        gateClamped = gc > *limit;
        upClamped = std::abs(uc) > *limit;
        gc = std::min(gc, *limit);
        uc = std::max(std::min(uc, *limit), -*limit);
      }
      double sg = sigmoid(gc);
      dg[i] = gateClamped ? 0.0 : dh[i] * uc * sg * (1.0 + gc * (1.0 - sg));
      du[i] = upClamped ? 0.0 : dh[i] * gc * sg;
    }
    for (int64_t c = 0; c < H; ++c)
      for (int64_t i = 0; i < I; ++i) {
        dwg[c * I + i] += x[c] * dg[i];
        dwu[c * I + i] += x[c] * du[i];
        dx[c] += wg[c * I + i] * dg[i] + wu[c * I + i] * du[i];
      }
    return out;
  }
};

/// The cotangent of one token's logits from that of its weights `dw` [k]:
/// through the scaling, the normalisation by the selected scores' sum and
/// the scoring function, with the ids held fixed.
std::vector<double> routerLogitsGrad(const std::vector<double> &logits,
                                     const std::vector<int64_t> &ids,
                                     const std::vector<double> &dw,
                                     const Routing &routing) {
  int64_t E = logits.size();
  std::vector<double> s = routerScores(logits, routing.scoring);
  std::vector<double> ds(E, 0.0);
  double rho = routing.routedScalingFactor;
  if (routing.normTopkProb) {
    double sum = 0.0, weighted = 0.0;
    for (size_t j = 0; j < ids.size(); ++j) {
      sum += s[ids[j]];
      weighted += dw[j] * s[ids[j]];
    }
    double d = routing.scoring == Scoring::Softmax ? sum : sum + 1e-20;
    for (size_t j = 0; j < ids.size(); ++j)
      ds[ids[j]] += rho * (dw[j] / d - weighted / (d * d));
  } else {
    for (size_t j = 0; j < ids.size(); ++j)
      ds[ids[j]] += rho * dw[j];
  }
  std::vector<double> dl(E);
  switch (routing.scoring) {
  case Scoring::Softmax: {
    double dot = 0.0;
    for (int64_t e = 0; e < E; ++e)
      dot += s[e] * ds[e];
    for (int64_t e = 0; e < E; ++e)
      dl[e] = s[e] * (ds[e] - dot);
    break;
  }
  case Scoring::Sigmoid:
    for (int64_t e = 0; e < E; ++e)
      dl[e] = s[e] * (1.0 - s[e]) * ds[e];
    break;
  case Scoring::SqrtSoftplus:
    // d sqrt(softplus(l)) / dl = sigmoid(l) / (2 sqrt(softplus(l))).
    for (int64_t e = 0; e < E; ++e)
      dl[e] = ds[e] * sigmoid(logits[e]) / (2.0 * s[e]);
    break;
  }
  return dl;
}

} // namespace

LayerGradients layerBackward(const std::vector<double> &x, int64_t T,
                             const LayerWeights &w,
                             const std::vector<double> &dy) {
  int64_t H = w.H, I = w.I, E = w.E, S = w.S, k = w.routing.k;
  LayerGradients r;
  r.y.assign(T * H, 0.0);
  r.dx.assign(T * H, 0.0);
  r.dRouterW.assign(H * E, 0.0);
  r.dWGate.assign(E * H * I, 0.0);
  r.dWUp.assign(E * H * I, 0.0);
  r.dWDown.assign(E * I * H, 0.0);
  r.dSharedGate.assign(H * S, 0.0);
  r.dSharedUp.assign(H * S, 0.0);
  r.dSharedDown.assign(S * H, 0.0);

  std::vector<double> logits(T * E, 0.0);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < H; ++c)
      for (int64_t e = 0; e < E; ++e)
        logits[t * E + e] += x[t * H + c] * w.routerW[c * E + e];
  RouterResult routed = route(logits, T, E, w.routing, w.bias);

  for (int64_t t = 0; t < T; ++t) {
    const double *xt = &x[t * H], *dyt = &dy[t * H];
    double *dxt = &r.dx[t * H], *yt = &r.y[t * H];
    std::vector<int64_t> ids(k);
    std::vector<double> dw(k);
    for (int64_t j = 0; j < k; ++j) {
      int64_t e = ids[j] = routed.ids[t * k + j];
      double weight = routed.weights[t * k + j];
      FFN ffn{&w.wGate[e * H * I],
              &w.wUp[e * H * I],
              &w.wDown[e * I * H],
              &r.dWGate[e * H * I],
              &r.dWUp[e * H * I],
              &r.dWDown[e * I * H],
              H,
              I,
              w.swigluLimit};
      std::vector<double> out = ffn.run(xt, dyt, weight, dxt, dw[j]);
      for (int64_t c = 0; c < H; ++c)
        yt[c] += weight * out[c];
    }
    if (S > 0) {
      FFN shared{w.sharedGate.data(),
                 w.sharedUp.data(),
                 w.sharedDown.data(),
                 r.dSharedGate.data(),
                 r.dSharedUp.data(),
                 r.dSharedDown.data(),
                 H,
                 S,
                 w.swigluLimit};
      double unused;
      std::vector<double> out = shared.run(xt, dyt, 1.0, dxt, unused);
      for (int64_t c = 0; c < H; ++c)
        yt[c] += out[c];
    }
    std::vector<double> row(logits.begin() + t * E,
                            logits.begin() + (t + 1) * E);
    std::vector<double> dl = routerLogitsGrad(row, ids, dw, w.routing);
    for (int64_t c = 0; c < H; ++c)
      for (int64_t e = 0; e < E; ++e) {
        r.dRouterW[c * E + e] += xt[c] * dl[e];
        dxt[c] += w.routerW[c * E + e] * dl[e];
      }
  }
  return r;
}

} // namespace moec::reference
