//===- Accuracy.cpp - how far one engine's output is from another ---------===//

#include "Accuracy.h"

#include "Compare.h"

#include <algorithm>
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
  // As above, without a wide copy of `want` (GBs for weight gradients).
  double sumSquares = 0;
  size_t finite = 0;
  for (size_t i = 0; i < count; ++i)
    if (std::isfinite(want[i])) {
      sumSquares += double(want[i]) * want[i];
      ++finite;
    }
  double rms = finite ? std::sqrt(sumSquares / finite) : 1.0;
  double floor = rms > 0 ? rms : 1.0;
  double worst = 0;
  for (size_t i = 0; i < count; ++i) {
    double g = got[i], w = want[i], error;
    if (g == w || (std::isnan(g) && std::isnan(w)))
      error = 0;
    else if (!std::isfinite(g) || !std::isfinite(w))
      error = INFINITY;
    else
      error = std::abs(g - w) / std::max(std::abs(w), floor);
    worst = std::max(worst, error);
  }
  return worst;
}
