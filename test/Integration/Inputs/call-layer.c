/* A plain C program calling a moec kernel compiled ahead of time: it passes
 * its own arrays through MLIR's memref descriptors and checks the result
 * against a dense SwiGLU FFN (see identical-experts.mlir). */
#include <math.h>
#include <stdio.h>

#include "layer-abi.h"

enum { T = 5, H = 8, E = 4, I = 6 };

static float x[T][H], router[H][E], gate[E][H][I], up[E][H][I], down[E][I][H],
    y[T][H];

int main(void) {
  unsigned n = 1;
  for (int t = 0; t < T; ++t)
    for (int h = 0; h < H; ++h) x[t][h] = value(n++);
  for (int h = 0; h < H; ++h)
    for (int e = 0; e < E; ++e) router[h][e] = value(n++);
  for (int h = 0; h < H; ++h)
    for (int i = 0; i < I; ++i) {
      float g = value(n++), u = value(n++), d = value(n++);
      for (int e = 0; e < E; ++e) {
        gate[e][h][i] = g;
        up[e][h][i] = u;
        down[e][i][h] = d;
      }
    }

  Desc2 dx = d2(&x[0][0], T, H), dr = d2(&router[0][0], H, E),
        dy = d2(&y[0][0], T, H);
  Desc3 dg = d3(&gate[0][0][0], E, H, I), du = d3(&up[0][0][0], E, H, I),
        dd = d3(&down[0][0][0], E, I, H);
  _mlir_ciface_moe_layer(&dx, &dr, &dg, &du, &dd, &dy);

  double worst = 0.0, scale = 0.0;
  for (int t = 0; t < T; ++t) {
    double act[I];
    for (int i = 0; i < I; ++i) {
      double g = 0.0, u = 0.0;
      for (int h = 0; h < H; ++h) {
        g += (double)x[t][h] * gate[0][h][i];
        u += (double)x[t][h] * up[0][h][i];
      }
      act[i] = g / (1.0 + exp(-g)) * u;
    }
    for (int h = 0; h < H; ++h) {
      double want = 0.0;
      for (int i = 0; i < I; ++i) want += act[i] * down[0][i][h];
      double err = fabs(want - y[t][h]);
      if (!(err <= worst)) worst = err; /* NaN counts as worst */
      if (fabs(want) > scale) scale = fabs(want);
    }
  }
  printf("rows %d, max abs error %.3g, max |y| %.3g\n", T, worst, scale);
  if (!(worst <= 1e-5 * (scale > 1.0 ? scale : 1.0))) {
    printf("FAIL\n");
    return 1;
  }
  printf("PASS\n");
  return 0;
}
