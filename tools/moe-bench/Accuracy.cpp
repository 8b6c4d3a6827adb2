//===- Accuracy.cpp - how far one engine's output is from another ---------===//

#include "Accuracy.h"

#include "Compare.h"

#include <cmath>

double moec::bench::relativeError(const float *got, const double *want,
                                  size_t count) {
  double sumSquares = 0;
  size_t finite = 0;
  for (size_t i = 0; i < count; ++i)
    if (std::isfinite(want[i])) {
      sumSquares += want[i] * want[i];
      ++finite;
    }
  double rms = finite ? std::sqrt(sumSquares / finite) : 1.0;
  return reference::maxRelativeError(got, want, count, rms > 0 ? rms : 1.0);
}

double moec::bench::relativeError(const float *got, const float *want,
                                  size_t count) {
  std::vector<double> wide(want, want + count);
  return relativeError(got, wide.data(), count);
}
