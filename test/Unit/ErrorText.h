//===- ErrorText.h - the message of an expected error in a gtest -*- C++
//-*-===//

#ifndef MOEC_TEST_UNIT_ERRORTEXT_H
#define MOEC_TEST_UNIT_ERRORTEXT_H

#include "llvm/Support/Error.h"
#include "gtest/gtest.h"

#include <string>

namespace moec::test {

/// The message of `err`; a test failure when it is success.
inline std::string errorText(llvm::Error err) {
  EXPECT_TRUE(static_cast<bool>(err)) << "expected an error";
  return llvm::toString(std::move(err));
}

/// The message of `value`'s error; a test failure (and "") when it holds a
/// value.
template <typename T> std::string errorText(llvm::Expected<T> value) {
  EXPECT_FALSE(static_cast<bool>(value)) << "expected an error";
  return value ? std::string() : llvm::toString(value.takeError());
}

} // namespace moec::test

#endif // MOEC_TEST_UNIT_ERRORTEXT_H
