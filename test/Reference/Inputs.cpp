//===- Inputs.cpp - deterministic test data -------------------------------===//

#include "Inputs.h"

#include <cmath>

namespace moec::reference {

uint64_t SplitMix64::next() {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void fillUniform(std::vector<float> &values, uint64_t seed, float lo,
                 float hi) {
  SplitMix64 generator(seed);
  const double step = 1.0 / (1 << 24);
  for (float &v : values) {
    double u = static_cast<double>(generator.next() >> 40) * step;
    // An explicit fma: a*b+c may be contracted into one on some targets and
    // compilers and not on others, and std::fma rounds the same everywhere.
    v = static_cast<float>(std::fma(static_cast<double>(hi) - lo, u, lo));
  }
}

std::vector<double> toDouble(const std::vector<float> &values) {
  return std::vector<double>(values.begin(), values.end());
}

} // namespace moec::reference
