//===- RuntimeApiTest.cpp - the moec C++ API on small functions
//------------===//
//
// Uses only the installed public API (moec/moec.h), like a framework would.
//
//===----------------------------------------------------------------------===//

#include "ErrorText.h"

#include "moec/moec.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <dlfcn.h>
#include <thread>

using namespace moec;
using moec::test::errorText;

namespace {

// y[t, n] = sum_k x[t, k] * w[k, n], T dynamic.
constexpr const char *kMatmul = R"mlir(
func.func @mm(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>) -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x3xf32>
  %e = tensor.empty(%t) : tensor<?x2xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x3xf32>, tensor<3x2xf32>)
                     outs(%f : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
)mlir";

CompileOptions entry(const char *name) {
  CompileOptions options;
  options.entry = name;
  return options;
}

struct MatmulCall {
  std::vector<float> x{1, 2, 3, 4, 5, 6}; // 2x3
  std::vector<float> w{1, 0, 0, 1, 1, 1}; // 3x2
  std::vector<float> y = std::vector<float>(4, -1);
  TensorView xv{x.data(), DType::F32, {2, 3}};
  TensorView wv{w.data(), DType::F32, {3, 2}};
  TensorView yv{y.data(), DType::F32, {2, 2}};
};

std::shared_ptr<const Kernel> compileMatmul(Compiler &compiler) {
  auto kernel = compiler.compileSource(kMatmul, entry("mm"));
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  return *kernel;
}

TEST(RuntimeApi, RunsOnCallerMemory) {
  Compiler compiler;
  auto kernel = compileMatmul(compiler);
  ASSERT_TRUE(kernel);
  MatmulCall call;
  ASSERT_FALSE(llvm::errorToBool(kernel->run({call.xv, call.wv}, {call.yv})));
  EXPECT_EQ(call.y, (std::vector<float>{4, 5, 10, 11}));
}

TEST(RuntimeApi, SignatureAndResultShapes) {
  Compiler compiler;
  auto kernel = compileMatmul(compiler);
  ASSERT_TRUE(kernel);
  const Signature &sig = kernel->signature();
  EXPECT_EQ(sig.toString(),
            "mm(arg0: f32[?, 3], arg1: f32[3, 2]) -> (result0: f32[?, 2])");
  MatmulCall call;
  auto shapes = sig.resultShapes({call.xv, call.wv});
  ASSERT_TRUE(static_cast<bool>(shapes));
  EXPECT_EQ(*shapes, (std::vector<std::vector<int64_t>>{{2, 2}}));
}

TEST(RuntimeApi, ZeroTokens) {
  Compiler compiler;
  auto kernel = compileMatmul(compiler);
  ASSERT_TRUE(kernel);
  MatmulCall call;
  TensorView empty(nullptr, DType::F32, {0, 3}),
      out(nullptr, DType::F32, {0, 2});
  EXPECT_FALSE(llvm::errorToBool(kernel->run({empty, call.wv}, {out})));
}

TEST(RuntimeApi, BadCallsNameTheArgument) {
  Compiler compiler;
  auto kernel = compileMatmul(compiler);
  ASSERT_TRUE(kernel);
  MatmulCall call;
  EXPECT_NE(errorText(kernel->run({call.xv}, {call.yv}))
                .find("mm expects 2 inputs, got 1"),
            std::string::npos);

  TensorView badType = call.wv;
  badType.dtype = DType::BF16;
  EXPECT_EQ(errorText(kernel->run({call.xv, badType}, {call.yv})),
            "input 1 (arg1): expected dtype f32, got bf16");

  TensorView badShape(call.w.data(), DType::F32, {2, 3});
  EXPECT_EQ(errorText(kernel->run({call.xv, badShape}, {call.yv})),
            "input 1 (arg1): expected shape [3, 2], got [2, 3] (dimension 0 "
            "is 2, expected 3)");

  TensorView badRank(call.w.data(), DType::F32, {6});
  EXPECT_NE(errorText(kernel->run({call.xv, badRank}, {call.yv}))
                .find("expected rank 2"),
            std::string::npos);

  TensorView negative(call.x.data(), DType::F32, {-2, 3});
  EXPECT_NE(errorText(kernel->run({negative, call.wv}, {call.yv}))
                .find("negative size"),
            std::string::npos);

  TensorView null(nullptr, DType::F32, {2, 3});
  EXPECT_EQ(errorText(kernel->run({null, call.wv}, {call.yv})),
            "input 0 (arg0): data pointer is null");

  TensorView transposed(call.w.data(), DType::F32, {3, 2}, {1, 3});
  EXPECT_NE(errorText(kernel->run({call.xv, transposed}, {call.yv}))
                .find("input 1 (arg1): strides [1, 3] are not row-major"),
            std::string::npos);

  TensorView wrongRows(call.y.data(), DType::F32, {1, 2});
  EXPECT_EQ(errorText(kernel->run({call.xv, call.wv}, {wrongRows})),
            "output 0 (result0): expected shape [2, 2], got [1, 2] (dimension "
            "0 is 1, expected 2)");

  TensorView aliasing(call.x.data(), DType::F32, {2, 2});
  EXPECT_EQ(errorText(kernel->run({call.xv, call.wv}, {aliasing})),
            "output 0 (result0) overlaps input 0 (arg0) in memory; outputs "
            "must not alias inputs");
  // None of the failed calls may have touched the output.
  EXPECT_EQ(call.y, std::vector<float>(4, -1));
}

TEST(RuntimeApi, CompileErrorsAreValues) {
  Compiler compiler;
  std::string parse = errorText(compiler.compileSource(
      "func.func @f(%x: tensor<2xf32>) {\n  return %y\n}\n", entry("f"),
      "bad.mlir"));
  EXPECT_NE(parse.find("cannot parse bad.mlir"), std::string::npos) << parse;
  EXPECT_NE(parse.find("bad.mlir:2:"), std::string::npos) << parse;

  std::string missing = errorText(compiler.compileSource(kMatmul, entry("g")));
  EXPECT_NE(missing.find("has no function @g (functions: @mm)"),
            std::string::npos)
      << missing;

  std::string memref = errorText(compiler.compileSource(
      "func.func @f(%x: memref<2xf32>) { return }", entry("f")));
  EXPECT_NE(memref.find("ranked tensors only"), std::string::npos) << memref;

  CompileOptions badLevel = entry("mm");
  badLevel.optLevel = 7;
  EXPECT_NE(errorText(compiler.compileSource(kMatmul, badLevel))
                .find("optLevel must be 0 to 3"),
            std::string::npos);

  EXPECT_NE(errorText(compiler.compileFile("/nonexistent/x.mlir"))
                .find("cannot read /nonexistent/x.mlir"),
            std::string::npos);
}

TEST(RuntimeApi, SameSourceHitsTheCache) {
  Compiler compiler;
  auto first = compileMatmul(compiler);
  auto second = compileMatmul(compiler);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(compiler.cacheStats().misses, 1u);
  EXPECT_EQ(compiler.cacheStats().hits, 1u);

  CompileOptions o0 = entry("mm");
  o0.optLevel = 0;
  auto third = compiler.compileSource(kMatmul, o0);
  ASSERT_TRUE(static_cast<bool>(third));
  EXPECT_NE(third->get(), first.get());
  EXPECT_EQ(compiler.cacheStats().misses, 2u);
}

TEST(RuntimeApi, ConcurrentCallsAndCompiles) {
  Compiler compiler;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto kernel = compiler.compileSource(kMatmul, entry("mm"));
      if (!kernel) {
        failures[i] = llvm::toString(kernel.takeError());
        return;
      }
      for (int repeat = 0; repeat < 200; ++repeat) {
        MatmulCall call;
        call.x[0] = static_cast<float>(i);
        if (llvm::Error err = (*kernel)->run({call.xv, call.wv}, {call.yv})) {
          failures[i] = llvm::toString(std::move(err));
          return;
        }
        if (call.y !=
            std::vector<float>{static_cast<float>(i) + 3, 5, 10, 11}) {
          failures[i] = "wrong result";
          return;
        }
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (const std::string &failure : failures)
    EXPECT_EQ(failure, "");
  CacheStats stats = compiler.cacheStats();
  EXPECT_EQ(stats.hits + stats.misses, 4u);
}

TEST(RuntimeApi, SharedLibraryIsCallableFromC) {
  Compiler compiler;
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("moec-api", "so", path));
  ASSERT_FALSE(llvm::errorToBool(
      compiler.emitSharedLibrary(kMatmul, path, entry("mm"))));
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(library, nullptr) << dlerror();
  struct Descriptor2D {
    float *allocated, *aligned;
    int64_t offset, sizes[2], strides[2];
  };
  using Entry = void (*)(Descriptor2D *, Descriptor2D *, Descriptor2D *);
  auto fn = reinterpret_cast<Entry>(dlsym(library, "_mlir_ciface_mm"));
  ASSERT_NE(fn, nullptr);
  MatmulCall call;
  Descriptor2D x{call.x.data(), call.x.data(), 0, {2, 3}, {3, 1}};
  Descriptor2D w{call.w.data(), call.w.data(), 0, {3, 2}, {2, 1}};
  Descriptor2D y{call.y.data(), call.y.data(), 0, {2, 2}, {2, 1}};
  fn(&x, &w, &y);
  EXPECT_EQ(call.y, (std::vector<float>{4, 5, 10, 11}));
  dlclose(library);
  llvm::sys::fs::remove(path);
}

} // namespace
