/* A plain C program calling a moec layer compiled ahead of time with OpenMP
 * parallel kernels (see openmp-layer.mlir), checked against a direct double
 * precision computation of the same MoE layer: softmax router, top-2 with
 * renormalised weights, SwiGLU experts.
 *
 * The router is built so that routing is unambiguous: features 0..3 of each
 * token select two experts with logit margins of about 2 and more, far
 * beyond rounding, so the kernel and this reference pick the same pair. */
#include <math.h>
#include <stdio.h>

#include "layer-abi.h"

enum { TMAX = 33, H = 64, E = 4, I = 32, K = 2 };

static float x[TMAX][H], router[H][E], gate[E][H][I], up[E][H][I],
    down[E][I][H], y[TMAX][H];

/* y = sum over the two chosen experts of w * down(silu(x gate) * (x up)). */
static void reference(int t, double want[H], int chosen[K]) {
  double logits[E], best = -INFINITY;
  for (int e = 0; e < E; ++e) {
    logits[e] = 0.0;
    for (int h = 0; h < H; ++h)
      logits[e] += (double)x[t][h] * router[h][e];
    if (logits[e] > best)
      best = logits[e];
  }
  double p[E];
  for (int e = 0; e < E; ++e)
    p[e] = exp(logits[e] - best);
  /* Top-2, ties to the lower id; softmax normalisation cancels out. */
  int first = 0, second = -1;
  for (int e = 1; e < E; ++e)
    if (p[e] > p[first])
      first = e;
  for (int e = 0; e < E; ++e)
    if (e != first && (second < 0 || p[e] > p[second]))
      second = e;
  chosen[0] = first;
  chosen[1] = second;
  double sum = p[first] + p[second];
  for (int h = 0; h < H; ++h)
    want[h] = 0.0;
  for (int j = 0; j < K; ++j) {
    int e = chosen[j];
    double w = p[e] / sum, act[I];
    for (int i = 0; i < I; ++i) {
      double g = 0.0, u = 0.0;
      for (int h = 0; h < H; ++h) {
        g += (double)x[t][h] * gate[e][h][i];
        u += (double)x[t][h] * up[e][h][i];
      }
      act[i] = g / (1.0 + exp(-g)) * u;
    }
    for (int h = 0; h < H; ++h) {
      double d = 0.0;
      for (int i = 0; i < I; ++i)
        d += act[i] * down[e][i][h];
      want[h] += w * d;
    }
  }
}

int main(void) {
  unsigned n = 1;
  for (int h = 0; h < H; ++h)
    for (int e = 0; e < E; ++e)
      router[h][e] = h < E ? (h == e ? 2.0f : 0.0f) : 0.05f * value(n++);
  for (int e = 0; e < E; ++e)
    for (int h = 0; h < H; ++h)
      for (int i = 0; i < I; ++i) {
        gate[e][h][i] = 0.25f * value(n++);
        up[e][h][i] = 0.25f * value(n++);
        down[e][i][h] = 0.25f * value(n++);
      }
  for (int t = 0; t < TMAX; ++t) {
    int a = t % E, b = (a + 1 + (t / E) % (E - 1)) % E;
    for (int h = 0; h < H; ++h)
      x[t][h] = h < E ? 0.0f : value(n++);
    x[t][a] = 3.0f; /* logit ~6 */
    x[t][b] = 2.0f; /* logit ~4; the others ~0 */
  }

  Desc2 dr = d2(&router[0][0], H, E);
  Desc3 dg = d3(&gate[0][0][0], E, H, I), du = d3(&up[0][0][0], E, H, I),
        dd = d3(&down[0][0][0], E, I, H);
  const int sizes[] = {1, 7, TMAX};
  int failed = 0;
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
    int tokens = sizes[s];
    for (int t = 0; t < TMAX; ++t)
      for (int h = 0; h < H; ++h)
        y[t][h] = -7.0f;
    Desc2 dx = d2(&x[0][0], tokens, H), dy = d2(&y[0][0], tokens, H);
    _mlir_ciface_moe_layer(&dx, &dr, &dg, &du, &dd, &dy);

    double worst = 0.0, scale = 0.0;
    int pairs[E][E] = {{0}};
    for (int t = 0; t < tokens; ++t) {
      double want[H];
      int chosen[K];
      reference(t, want, chosen);
      ++pairs[chosen[0]][chosen[1]];
      for (int h = 0; h < H; ++h) {
        double err = fabs(want[h] - y[t][h]);
        if (!(err <= worst))
          worst = err; /* NaN counts as worst */
        if (fabs(want[h]) > scale)
          scale = fabs(want[h]);
      }
    }
    /* Rows beyond T are not written. */
    for (int t = tokens; t < TMAX; ++t)
      for (int h = 0; h < H; ++h)
        if (y[t][h] != -7.0f)
          worst = INFINITY;
    int distinct = 0;
    for (int a = 0; a < E; ++a)
      for (int b = 0; b < E; ++b)
        distinct += pairs[a][b] > 0;
    int ok = worst <= 1e-5 * (scale > 1.0 ? scale : 1.0) && scale > 0.01;
    printf("T=%d: %d expert pairs, max abs error %.3g, max |y| %.3g: %s\n",
           tokens, distinct, worst, scale, ok ? "ok" : "WRONG");
    failed |= !ok;
  }
  printf(failed ? "FAIL\n" : "PASS\n");
  return failed;
}
