//===- Check.cpp - argument checks shared by the reference ops ------------===//

#include "Check.h"

#include <cstdio>
#include <cstdlib>

namespace moec::reference::detail {

std::string checkSize(const char *name, size_t got, int64_t want,
                      const char *formula) {
  if (want >= 0 && got == static_cast<size_t>(want))
    return {};
  return std::string(name) + " has " + std::to_string(got) +
         " elements, expected " + formula + " = " + std::to_string(want);
}

std::string checkAtLeast(const char *name, int64_t value, int64_t min) {
  if (value >= min)
    return {};
  return std::string(name) + " = " + std::to_string(value) +
         " must be at least " + std::to_string(min);
}

std::string firstProblem(std::initializer_list<std::string> problems) {
  for (const std::string &problem : problems)
    if (!problem.empty())
      return problem;
  return {};
}

void require(const std::string &problem, const char *function) {
  if (problem.empty())
    return;
  std::fprintf(stderr, "moec::reference::%s: %s\n", function, problem.c_str());
  std::abort();
}

} // namespace moec::reference::detail
