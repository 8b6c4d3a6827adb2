//===- MoEReference.cpp - reference of the moe ops after the router -------===//

#include "MoEReference.h"

#include "Check.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace moec::reference {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// arith.minimumf: NaN if either operand is NaN, where std::min would return
/// whichever operand comes first.
double minimumf(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b);
}

double maximumf(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b);
}

double silu(double a) { return a / (1.0 + std::exp(-a)); }

std::string checkPadding(const DispatchPadding &padding) {
  if (padding.block && padding.capacity)
    return "padding.block and padding.capacity are mutually exclusive";
  return detail::firstProblem(
      {detail::checkAtLeast("padding.block", padding.block, 0),
       detail::checkAtLeast("padding.capacity", padding.capacity, 0)});
}

/// A dense SwiGLU FFN of width \p W on the token \p x [H]: \p gate and \p up
/// point to [H, W] matrices, \p down to a [W, H] one.
std::vector<double> ffn(const double *x, const double *gate, const double *up,
                        const double *down, int64_t H, int64_t W,
                        std::optional<double> limit) {
  std::vector<double> g(W, 0.0), u(W, 0.0);
  for (int64_t h = 0; h < H; ++h) {
    for (int64_t i = 0; i < W; ++i) {
      g[i] += x[h] * gate[h * W + i];
      u[i] += x[h] * up[h * W + i];
    }
  }
  std::vector<double> y(H, 0.0);
  for (int64_t i = 0; i < W; ++i) {
    double a = swiglu(g[i], u[i], limit);
    for (int64_t h = 0; h < H; ++h)
      y[h] += a * down[i * H + h];
  }
  return y;
}

} // namespace

Dispatched dispatch(const std::vector<double> &x, int64_t T, int64_t H,
                    const std::vector<int64_t> &ids, int64_t k, int64_t E,
                    DispatchPadding padding) {
  detail::require(
      detail::firstProblem(
          {detail::checkAtLeast("T", T, 0), detail::checkAtLeast("H", H, 1),
           detail::checkAtLeast("k", k, 1), detail::checkAtLeast("E", E, 1),
           detail::checkSize("x", x.size(), T * H, "T*H"),
           detail::checkSize("ids", ids.size(), T * k, "T*k"),
           checkPadding(padding)}),
      "dispatch");

  // Visiting the pairs in increasing p makes the sort stable.
  std::vector<std::vector<int64_t>> pairsOf(E);
  int64_t numInvalid = 0;
  for (int64_t p = 0; p < T * k; ++p) {
    if (ids[p] >= 0 && ids[p] < E)
      pairsOf[ids[p]].push_back(p);
    else
      ++numInvalid;
  }

  Dispatched out;
  out.offsets.push_back(0);
  for (const std::vector<int64_t> &pairs : pairsOf) {
    int64_t count = static_cast<int64_t>(pairs.size());
    int64_t rows = count;
    if (padding.capacity)
      rows = padding.capacity;
    else if (padding.block)
      rows = (count + padding.block - 1) / padding.block * padding.block;
    for (int64_t r = 0; r < rows; ++r)
      out.perm.push_back(r < count ? pairs[r] : -1);
    out.offsets.push_back(out.rows());
  }
  if (!padding.capacity)
    out.perm.insert(out.perm.end(), numInvalid, -1);

  for (int64_t p : out.perm) {
    if (p < 0)
      out.xs.insert(out.xs.end(), H, 0.0);
    else
      out.xs.insert(out.xs.end(), x.begin() + p / k * H,
                    x.begin() + (p / k + 1) * H);
  }
  return out;
}

std::vector<double> groupedMatmul(const std::vector<double> &input, int64_t R,
                                  int64_t K, const std::vector<double> &weight,
                                  int64_t E, int64_t N,
                                  const std::vector<int64_t> &offsets) {
  detail::require(
      detail::firstProblem(
          {detail::checkAtLeast("R", R, 0), detail::checkAtLeast("K", K, 1),
           detail::checkAtLeast("E", E, 1), detail::checkAtLeast("N", N, 1),
           detail::checkSize("input", input.size(), R * K, "R*K"),
           detail::checkSize("weight", weight.size(), E * K * N, "E*K*N"),
           detail::checkSize("offsets", offsets.size(), E + 1, "E+1")}),
      "groupedMatmul");
  std::vector<double> result(R * N, 0.0);
  for (int64_t e = 0; e < E; ++e) {
    int64_t lo = std::clamp<int64_t>(offsets[e], 0, R);
    int64_t hi = std::clamp<int64_t>(offsets[e + 1], lo, R);
    for (int64_t i = lo; i < hi; ++i) {
      // Overlapping groups (bad offsets) overwrite earlier ones.
      std::fill_n(result.begin() + i * N, N, 0.0);
      for (int64_t kk = 0; kk < K; ++kk)
        for (int64_t n = 0; n < N; ++n)
          result[i * N + n] += input[i * K + kk] * weight[(e * K + kk) * N + n];
    }
  }
  return result;
}

double swiglu(double gate, double up, std::optional<double> limit) {
  if (limit) {
    gate = minimumf(gate, *limit);
    up = maximumf(minimumf(up, *limit), -*limit);
  }
  return silu(gate) * up;
}

std::vector<double> swiglu(const std::vector<double> &gate,
                           const std::vector<double> &up,
                           std::optional<double> limit) {
  detail::require(
      detail::checkSize("up", up.size(), gate.size(), "gate's length"),
      "swiglu");
  std::vector<double> result;
  for (size_t i = 0; i < gate.size(); ++i)
    result.push_back(swiglu(gate[i], up[i], limit));
  return result;
}

std::vector<double> swigluFused(const std::vector<double> &gateUp, int64_t rows,
                                int64_t I, std::optional<double> limit) {
  detail::require(
      detail::firstProblem({detail::checkAtLeast("rows", rows, 0),
                            detail::checkAtLeast("I", I, 1),
                            detail::checkSize("gateUp", gateUp.size(),
                                              rows * 2 * I, "rows*2*I")}),
      "swigluFused");
  std::vector<double> result;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < I; ++i)
      result.push_back(
          swiglu(gateUp[r * 2 * I + i], gateUp[r * 2 * I + I + i], limit));
  return result;
}

std::vector<double> combine(const std::vector<double> &expertOut, int64_t R,
                            int64_t H, const std::vector<int64_t> &perm,
                            const std::vector<double> &weights, int64_t T,
                            int64_t k) {
  detail::require(
      detail::firstProblem(
          {detail::checkAtLeast("R", R, 0), detail::checkAtLeast("H", H, 1),
           detail::checkAtLeast("T", T, 0), detail::checkAtLeast("k", k, 1),
           detail::checkSize("expertOut", expertOut.size(), R * H, "R*H"),
           detail::checkSize("perm", perm.size(), R, "R"),
           detail::checkSize("weights", weights.size(), T * k, "T*k")}),
      "combine");
  std::vector<int64_t> rowOfPair(T * k, -1);
  for (int64_t i = 0; i < R; ++i)
    if (perm[i] >= 0 && perm[i] < T * k)
      rowOfPair[perm[i]] = i;
  std::vector<double> result(T * H, 0.0);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t h = 0; h < H; ++h) {
      double sum = 0.0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t row = rowOfPair[t * k + j];
        if (row >= 0)
          sum += weights[t * k + j] * expertOut[row * H + h];
      }
      result[t * H + h] = sum;
    }
  }
  return result;
}

std::string checkLayer(const LayerWeights &w, int64_t T,
                       const std::vector<int64_t> &tokenIds) {
  using detail::checkAtLeast;
  using detail::checkSize;
  std::string problem = detail::firstProblem(
      {checkAtLeast("T", T, 0), checkAtLeast("H", w.H, 1),
       checkAtLeast("I", w.I, 1), checkAtLeast("S", w.S, 0),
       checkRouting(w.routing, w.E),
       checkSize("routerW", w.routerW.size(), w.H * w.E, "H*E"),
       checkSize("wGate", w.wGate.size(), w.E * w.H * w.I, "E*H*I"),
       checkSize("wUp", w.wUp.size(), w.E * w.H * w.I, "E*H*I"),
       checkSize("wDown", w.wDown.size(), w.E * w.I * w.H, "E*I*H"),
       checkSize("sharedGate", w.sharedGate.size(), w.H * w.S, "H*S"),
       checkSize("sharedUp", w.sharedUp.size(), w.H * w.S, "H*S"),
       checkSize("sharedDown", w.sharedDown.size(), w.S * w.H, "S*H"),
       w.bias.empty() ? "" : checkSize("bias", w.bias.size(), w.E, "E")});
  if (!problem.empty() || !w.hash)
    return problem;
  return detail::firstProblem(
      {checkSize("tokenIds", tokenIds.size(), T, "T"),
       checkAtLeast("hash.vocab", w.hash->vocab, 1),
       checkSize("hash.table", w.hash->table.size(),
                 w.hash->vocab * w.routing.k, "vocab*k")});
}

std::vector<double> layer(const std::vector<double> &x, int64_t T,
                          const LayerWeights &w,
                          const std::vector<int64_t> &tokenIds) {
  detail::require(
      detail::firstProblem({checkLayer(w, T, tokenIds),
                            detail::checkSize("x", x.size(), T * w.H, "T*H")}),
      "layer");
  const int64_t H = w.H, I = w.I, E = w.E, k = w.routing.k;

  std::vector<double> logits(T * E, 0.0);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t e = 0; e < E; ++e)
        logits[t * E + e] += x[t * H + h] * w.routerW[h * E + e];
  RouterResult routed =
      w.hash ? routeHash(logits, T, E, w.routing, tokenIds, *w.hash)
             : route(logits, T, E, w.routing, w.bias);

  std::vector<double> y(T * H, 0.0);
  for (int64_t t = 0; t < T; ++t) {
    const double *token = &x[t * H];
    double *out = &y[t * H];
    for (int64_t j = 0; j < k; ++j) {
      int64_t id = routed.ids[t * k + j];
      if (id < 0)
        continue;
      std::vector<double> expert =
          ffn(token, &w.wGate[id * H * I], &w.wUp[id * H * I],
              &w.wDown[id * I * H], H, I, w.swigluLimit);
      for (int64_t h = 0; h < H; ++h)
        out[h] += routed.weights[t * k + j] * expert[h];
    }
    if (w.S == 0)
      continue;
    std::vector<double> shared =
        ffn(token, w.sharedGate.data(), w.sharedUp.data(), w.sharedDown.data(),
            H, w.S, w.swigluLimit);
    for (int64_t h = 0; h < H; ++h)
      out[h] += shared[h];
  }
  return y;
}

} // namespace moec::reference
