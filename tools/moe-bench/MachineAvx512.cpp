//===- MachineAvx512.cpp - FMA and streaming loops for AVX-512 ------------===//
//
// Compiled with -mavx512f -mfma (see CMakeLists.txt); called only after the
// CPU reported avx512f.
//
//===----------------------------------------------------------------------===//

#include "MachineKernels.h"

#include <immintrin.h>

using namespace moec::bench;

float moec::bench::fmaLoopAvx512(uint64_t iterations) {
  // 16 chains hide the FMA latency on two FMA pipes (4 cycles x 2 pipes
  // needs 8) with room to spare; a < 1 keeps the values bounded and normal.
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
  __m512 acc[16];
  for (int i = 0; i < 16; ++i)
    acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (uint64_t it = 0; it < iterations; ++it)
    for (int i = 0; i < 16; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i)
    sum = _mm512_add_ps(sum, acc[i]);
  return _mm512_reduce_add_ps(sum);
}

float moec::bench::streamSumAvx512(const float *data, size_t count) {
  // Two accumulators per stream: one add per 64-byte line is far below the
  // add throughput, so memory is the only limit.
  size_t quarter = count / 4;
  const float *q[4] = {data, data + quarter, data + 2 * quarter,
                       data + 3 * quarter};
  __m512 s[8];
  for (__m512 &v : s)
    v = _mm512_setzero_ps();
  for (size_t i = 0; i < quarter; i += 32)
    for (int j = 0; j < 4; ++j) {
      s[2 * j] = _mm512_add_ps(s[2 * j], _mm512_load_ps(q[j] + i));
      s[2 * j + 1] = _mm512_add_ps(s[2 * j + 1], _mm512_load_ps(q[j] + i + 16));
    }
  for (int j = 1; j < 8; ++j)
    s[0] = _mm512_add_ps(s[0], s[j]);
  return _mm512_reduce_add_ps(s[0]);
}
