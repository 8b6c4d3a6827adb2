//===- Check.h - argument checks shared by the reference ops ----*- C++ -*-===//
//
// Internal to the reference library. Checks return the problem as a string
// (empty when there is none) so that the same code serves the public
// check*() functions, which report, and the ops, which abort.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TEST_REFERENCE_CHECK_H
#define MOEC_TEST_REFERENCE_CHECK_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace moec::reference::detail {

/// Empty when an array named \p name holds \p got elements and \p want were
/// expected; \p formula says where \p want comes from, e.g. "E*H*I".
std::string checkSize(const char *name, size_t got, int64_t want,
                      const char *formula);

/// Empty when \p value >= \p min, otherwise names \p name and the bound.
std::string checkAtLeast(const char *name, int64_t value, int64_t min);

/// The first non-empty problem, or empty.
std::string firstProblem(std::initializer_list<std::string> problems);

/// Aborts with \p problem, attributed to \p function, unless it is empty.
void require(const std::string &problem, const char *function);

} // namespace moec::reference::detail

#endif // MOEC_TEST_REFERENCE_CHECK_H
