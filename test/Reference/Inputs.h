//===- Inputs.h - deterministic test data -----------------------*- C++ -*-===//
//
// Tests and tools must generate bit-identical data on every platform and
// standard library, which rules out std::*_distribution: their algorithms are
// unspecified. Everything here is built on splitmix64 alone.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TEST_REFERENCE_INPUTS_H
#define MOEC_TEST_REFERENCE_INPUTS_H

#include <cstdint>
#include <vector>

namespace moec::reference {

/// splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", 2014): state += 0x9E3779B97F4A7C15, then two xor-shift-multiply
/// rounds of the new state. Any seed, 0 included, is fine.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state(seed) {}
  uint64_t next();

private:
  uint64_t state;
};

/// Overwrites every element of \p values (its size is kept) with
/// lo + (hi - lo) * u, where u = (next() >> 40) / 2^24 is one of the 2^24
/// evenly spaced values in [0, 1), in order from one SplitMix64(seed),
/// computed as one fma in double and rounded to float.
void fillUniform(std::vector<float> &values, uint64_t seed, float lo, float hi);

/// The exact f64 values of \p values, as the reference takes them.
std::vector<double> toDouble(const std::vector<float> &values);

} // namespace moec::reference

#endif // MOEC_TEST_REFERENCE_INPUTS_H
