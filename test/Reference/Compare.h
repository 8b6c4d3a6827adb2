//===- Compare.h - compare kernel results with the reference ----*- C++ -*-===//

#ifndef MOEC_TEST_REFERENCE_COMPARE_H
#define MOEC_TEST_REFERENCE_COMPARE_H

#include <cstddef>

namespace moec::reference {

/// max_i |got[i] - want[i]| / max(|want[i]|, floor).
///
/// \p floor is the magnitude below which an error counts as absolute rather
/// than relative: outputs that cancel to near zero would otherwise turn a
/// rounding error of the kernel into a huge relative error. Choose it about
/// the size of a typical output element, e.g. the RMS of \p want times 1e-2.
///
/// Equal values (same-signed infinities included) and NaN against NaN match
/// with error 0; NaN on one side only, or an infinity against anything else,
/// is an infinite error. Returns 0 for n = 0.
double maxRelativeError(const float *got, const double *want, size_t n,
                        double floor);

} // namespace moec::reference

#endif // MOEC_TEST_REFERENCE_COMPARE_H
