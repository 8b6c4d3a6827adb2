//===- Compare.cpp - compare kernel results with the reference ------------===//

#include "Compare.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace moec::reference {

double maxRelativeError(const float *got, const double *want, size_t n,
                        double floor) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  double worst = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double g = got[i], w = want[i];
    double error;
    if (g == w || (std::isnan(g) && std::isnan(w)))
      error = 0.0;
    else if (std::isnan(g) || std::isnan(w) || std::isinf(g) || std::isinf(w))
      error = kInfinity;
    else
      error = std::abs(g - w) / std::max(std::abs(w), floor);
    worst = std::max(worst, error);
  }
  return worst;
}

} // namespace moec::reference
