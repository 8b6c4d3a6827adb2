//===- MachineAvx2.cpp - FMA and streaming loops for AVX2 -----------------===//
//
// Compiled with -mavx2 -mfma (see CMakeLists.txt); the fallback for CPUs
// without AVX-512.
//
//===----------------------------------------------------------------------===//

#include "MachineKernels.h"

#include <immintrin.h>

using namespace moec::bench;

namespace {

float horizontalSum(__m256 v) {
  __m128 sum =
      _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

} // namespace

float moec::bench::fmaLoopAvx2(uint64_t iterations) {
  // 12 chains plus the two constants fit the 16 ymm registers.
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
  __m256 acc[12];
  for (int i = 0; i < 12; ++i)
    acc[i] = _mm256_set1_ps(static_cast<float>(i));
  for (uint64_t it = 0; it < iterations; ++it)
    for (int i = 0; i < 12; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i)
    sum = _mm256_add_ps(sum, acc[i]);
  return horizontalSum(sum);
}

float moec::bench::streamSumAvx2(const float *data, size_t count) {
  size_t quarter = count / 4;
  const float *q[4] = {data, data + quarter, data + 2 * quarter,
                       data + 3 * quarter};
  __m256 s[8];
  for (__m256 &v : s)
    v = _mm256_setzero_ps();
  for (size_t i = 0; i < quarter; i += 32)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 32; k += 16) {
        s[2 * j] = _mm256_add_ps(s[2 * j], _mm256_load_ps(q[j] + i + k));
        s[2 * j + 1] =
            _mm256_add_ps(s[2 * j + 1], _mm256_load_ps(q[j] + i + k + 8));
      }
  for (int j = 1; j < 8; ++j)
    s[0] = _mm256_add_ps(s[0], s[j]);
  return horizontalSum(s[0]);
}
