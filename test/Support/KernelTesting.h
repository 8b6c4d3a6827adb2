//===- KernelTesting.h - compiling and calling kernels in tests -*- C++ -*-===//
//
// What every execution test needs: one compiler, a compile whose failure is
// a test failure, and the DType of a C++ element type.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TEST_SUPPORT_KERNELTESTING_H
#define MOEC_TEST_SUPPORT_KERNELTESTING_H

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include <memory>
#include <string>

namespace moec::test {

/// One compiler per test binary, so that equal sources compile once. Never
/// destroyed: JIT engines must not be torn down during static destruction,
/// after LLVM's own globals are gone.
inline Compiler &sharedCompiler() {
  static Compiler *instance = new Compiler();
  return *instance;
}

/// `entry` of `source` compiled for the host; null (and a test failure
/// carrying the diagnostics) when it does not compile.
inline std::shared_ptr<const Kernel> compileEntry(const std::string &source,
                                                  const std::string &entry,
                                                  unsigned threads = 0) {
  CompileOptions options;
  options.entry = entry;
  options.threads = threads;
  auto kernel = sharedCompiler().compileSource(source, options);
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

template <typename T> constexpr DType dtypeOf();
template <> constexpr DType dtypeOf<float>() { return DType::F32; }
template <> constexpr DType dtypeOf<double>() { return DType::F64; }

} // namespace moec::test

#endif // MOEC_TEST_SUPPORT_KERNELTESTING_H
