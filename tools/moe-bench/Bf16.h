//===- Bf16.h - bfloat16 conversions of the benchmark data ------*- C++ -*-===//
//
// bf16 cases feed every engine the same values: the f32 data is rounded to
// bf16 once, moec reads the bf16 bits and the baselines read the rounded f32
// values, so differences between engines are the engines' own.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_BF16_H
#define MOEC_TOOLS_MOEBENCH_BF16_H

#include <cstdint>
#include <cstring>
#include <vector>

namespace moec::bench {

/// Round to nearest, ties to even, as the hardware conversions do; NaNs stay
/// NaNs (the rounding carry could otherwise turn them into infinities).
inline uint16_t toBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

inline float fromBf16(uint16_t value) {
  uint32_t bits = static_cast<uint32_t>(value) << 16;
  float result;
  std::memcpy(&result, &bits, sizeof result);
  return result;
}

/// Replaces every value by the nearest bf16 value.
inline void roundToBf16(std::vector<float> &values) {
  for (float &v : values)
    v = fromBf16(toBf16(v));
}

inline std::vector<uint16_t> toBf16(const std::vector<float> &values) {
  std::vector<uint16_t> result(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    result[i] = toBf16(values[i]);
  return result;
}

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_BF16_H
