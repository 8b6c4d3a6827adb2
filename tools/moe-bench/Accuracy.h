//===- Accuracy.h - how far one engine's output is from another -*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_ACCURACY_H
#define MOEC_TOOLS_MOEBENCH_ACCURACY_H

#include <cstddef>
#include <vector>

namespace moec::bench {

/// max |got - want| / max(|want|, rms(want)) over the first `count` values,
/// as moe-check measures it: the RMS floor keeps outputs that cancel to
/// near zero from turning rounding into huge relative errors.
double relativeError(const float *got, const double *want, size_t count);
double relativeError(const float *got, const float *want, size_t count);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_ACCURACY_H
