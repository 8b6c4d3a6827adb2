/* What the C programs calling an ahead-of-time moe_layer share: MLIR's
 * strided memref descriptors for f32 arrays, the layer's C interface, and
 * a deterministic input generator. */
#ifndef MOEC_TEST_INTEGRATION_LAYER_ABI_H
#define MOEC_TEST_INTEGRATION_LAYER_ABI_H

#include <stdint.h>

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} Desc2;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} Desc3;

void _mlir_ciface_moe_layer(Desc2 *x, Desc2 *router, Desc3 *gate, Desc3 *up,
                            Desc3 *down, Desc2 *y);

static float value(unsigned i) { /* deterministic, in [-1, 1) */
  return (float)((i * 2654435761u) % 2000u) / 1000.0f - 1.0f;
}

/* Row-major views of caller arrays. */
static Desc2 d2(float *p, int64_t a, int64_t b) {
  Desc2 d = {p, p, 0, {a, b}, {b, 1}};
  return d;
}
static Desc3 d3(float *p, int64_t a, int64_t b, int64_t c) {
  Desc3 d = {p, p, 0, {a, b, c}, {b * c, c, 1}};
  return d;
}

#endif
