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

//===----------------------------------------------------------------------===//
// In-place results (moe.in_place)
//===----------------------------------------------------------------------===//

/// f(arg0: f32[4], arg1: f32[4]) -> (result0 in place of arg0, result1).
Signature tiedSignature() {
  Signature sig;
  sig.function = "f";
  sig.arguments = {{"arg0", DType::F32, {4}}, {"arg1", DType::F32, {4}}};
  sig.results = {{"result0", DType::F32, {4}, 0u},
                 {"result1", DType::F32, {4}}};
  sig.resultDimSources = {{std::nullopt}, {std::nullopt}};
  return sig;
}

TEST(RuntimeApi, InPlaceCheckCallAcceptsOwnOrDisjointBuffer) {
  Signature sig = tiedSignature();
  EXPECT_TRUE(sig.hasInPlaceResults());
  EXPECT_EQ(sig.toString(), "f(arg0: f32[4], arg1: f32[4]) -> (result0: "
                            "f32[4] (in place of arg0), result1: f32[4])");
  std::vector<float> a(4), b(4), c(4), d(4);
  TensorView in0(a.data(), DType::F32, {4}), in1(b.data(), DType::F32, {4});
  TensorView out0(c.data(), DType::F32, {4}), out1(d.data(), DType::F32, {4});
  // Exactly the argument's own buffer: updated in place.
  EXPECT_FALSE(llvm::errorToBool(sig.checkCall({in0, in1}, {in0, out1})));
  // A disjoint buffer: the argument is copied there, value semantics.
  EXPECT_FALSE(llvm::errorToBool(sig.checkCall({in0, in1}, {out0, out1})));
  // Explicit row-major strides describe the same buffer.
  TensorView strided(a.data(), DType::F32, {4}, {1});
  EXPECT_FALSE(llvm::errorToBool(sig.checkCall({in0, in1}, {strided, out1})));
  // Empty tensors overlap nothing.
  Signature empty = tiedSignature();
  empty.arguments[0].shape = {kDynamic};
  empty.results[0].shape = {kDynamic};
  empty.resultDimSources[0] = {DimSource{0, 0}};
  TensorView none(nullptr, DType::F32, {0});
  EXPECT_FALSE(llvm::errorToBool(empty.checkCall({none, in1}, {none, out1})));
}

TEST(RuntimeApi, InPlaceCheckCallRefusesOtherOverlaps) {
  Signature sig = tiedSignature();
  std::vector<float> a(8), b(4), d(4);
  TensorView in0(a.data(), DType::F32, {4}), in1(b.data(), DType::F32, {4});
  TensorView out1(d.data(), DType::F32, {4});

  // Part of its own argument, not the whole buffer.
  TensorView shifted(a.data() + 1, DType::F32, {4});
  EXPECT_EQ(errorText(sig.checkCall({in0, in1}, {shifted, out1})),
            "output 0 (result0) overlaps input 0 (arg0) in memory but is not "
            "its buffer; a result written in place of input 0 (arg0) "
            "(moe.in_place) takes exactly that input's buffer (same data "
            "pointer and shape) or a buffer disjoint from every input");
  // The argument's pointer with another shape fails the shape check first.
  TensorView shorter(a.data(), DType::F32, {2});
  EXPECT_EQ(errorText(sig.checkCall({in0, in1}, {shorter, out1})),
            "output 0 (result0): expected shape [4], got [2] (dimension 0 is "
            "2, expected 4)");
  // Another argument's buffer.
  EXPECT_EQ(errorText(sig.checkCall({in0, in1}, {in1, out1})),
            "output 0 (result0) overlaps input 1 (arg1) in memory; outputs "
            "must not alias inputs");
  // In place, but the updated argument is also read as another input.
  TensorView alsoIn0(a.data() + 2, DType::F32, {4});
  EXPECT_EQ(errorText(sig.checkCall({in0, alsoIn0}, {in0, out1})),
            "output 0 (result0) is updated in place in the buffer of input 0 "
            "(arg0), which overlaps input 1 (arg1) in memory; an argument "
            "updated in place must not share memory with another input");
  // A result that is not in place may alias nothing, its tie's argument
  // included.
  EXPECT_EQ(errorText(sig.checkCall({in0, in1}, {in0, in0})),
            "output 0 (result0) overlaps output 1 (result1) in memory");
  TensorView out0(a.data() + 4, DType::F32, {4});
  EXPECT_EQ(errorText(sig.checkCall({in0, in1}, {out0, in0})),
            "output 1 (result1) overlaps input 0 (arg0) in memory; outputs "
            "must not alias inputs");
}

// p' = p - g written into p's buffer (tied), and 2 g into a new one.
constexpr const char *kInPlace = R"mlir(
#id = affine_map<(i) -> (i)>
func.func @sgd(%p: tensor<?xf32>, %g: tensor<?xf32>)
    -> (tensor<?xf32> {moe.in_place = 0 : i64}, tensor<?xf32>) {
  %p1 = linalg.generic {indexing_maps = [#id, #id],
                        iterator_types = ["parallel"]}
      ins(%g : tensor<?xf32>) outs(%p : tensor<?xf32>) {
    ^bb0(%gi: f32, %pi: f32):
      %d = arith.subf %pi, %gi : f32
      linalg.yield %d : f32
  } -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %g, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %g2 = linalg.generic {indexing_maps = [#id, #id],
                        iterator_types = ["parallel"]}
      ins(%g : tensor<?xf32>) outs(%e : tensor<?xf32>) {
    ^bb0(%gi: f32, %o: f32):
      %d = arith.addf %gi, %gi : f32
      linalg.yield %d : f32
  } -> tensor<?xf32>
  return %p1, %g2 : tensor<?xf32>, tensor<?xf32>
}
)mlir";

TEST(RuntimeApi, InPlaceResultsUpdateTheCallersBuffer) {
  Compiler compiler;
  auto kernel = compiler.compileSource(kInPlace, entry("sgd"));
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  const Signature &sig = (*kernel)->signature();
  EXPECT_EQ(sig.toString(), "sgd(arg0: f32[?], arg1: f32[?]) -> (result0: "
                            "f32[?] (in place of arg0), result1: f32[?])");
  std::vector<float> p{1, 2, 3}, g{0.5f, 1, -1}, twice(3);
  TensorView pv(p.data(), DType::F32, {3}), gv(g.data(), DType::F32, {3});
  TensorView tv(twice.data(), DType::F32, {3});
  auto shapes = sig.resultShapes({pv, gv});
  ASSERT_TRUE(static_cast<bool>(shapes));
  EXPECT_EQ(*shapes, (std::vector<std::vector<int64_t>>{{3}, {3}}));

  // The same buffers, call after call.
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(llvm::errorToBool((*kernel)->run({pv, gv}, {pv, tv})));
  EXPECT_EQ(p, (std::vector<float>{-0.5f, -1, 6}));
  EXPECT_EQ(twice, (std::vector<float>{1, 2, -2}));
  EXPECT_EQ(g, (std::vector<float>{0.5f, 1, -1}));

  // A buffer of its own: p is copied there and left unchanged.
  std::vector<float> fresh(3, -7);
  TensorView fv(fresh.data(), DType::F32, {3});
  ASSERT_FALSE(llvm::errorToBool((*kernel)->run({pv, gv}, {fv, tv})));
  EXPECT_EQ(fresh, (std::vector<float>{-1, -2, 7}));
  EXPECT_EQ(p, (std::vector<float>{-0.5f, -1, 6}));

  // With prepared weights (nothing to pack here) it runs the same way.
  auto prepared = (*kernel)->prepareWeights({pv, gv});
  ASSERT_TRUE(static_cast<bool>(prepared));
  ASSERT_FALSE(
      llvm::errorToBool((*kernel)->run({pv, gv}, {pv, tv}, **prepared)));
  EXPECT_EQ(p, (std::vector<float>{-1, -2, 7}));

  // A refused call touches nothing.
  TensorView shifted(p.data() + 1, DType::F32, {2});
  TensorView shortP(p.data(), DType::F32, {2}),
      shortT(twice.data(), DType::F32, {2});
  EXPECT_NE(errorText((*kernel)->run({shortP, gv}, {shifted, shortT}))
                .find("expected shape"),
            std::string::npos);
  EXPECT_NE(
      errorText((*kernel)->run({shortP, TensorView(g.data(), DType::F32, {2})},
                               {shifted, shortT}))
          .find("is not its buffer"),
      std::string::npos);
  EXPECT_EQ(p, (std::vector<float>{-1, -2, 7}));
}

TEST(RuntimeApi, InPlaceTiesThatCannotBeHonouredFailToCompile) {
  Compiler compiler;
  // p is returned as well as updated: its old value must survive the
  // update, so the update cannot happen in p's buffer.
  std::string readAfter = errorText(compiler.compileSource(
      R"mlir(
#id = affine_map<(i) -> (i)>
func.func @f(%p: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32> {moe.in_place = 0 : i64}, tensor<4xf32>) {
  %p1 = linalg.generic {indexing_maps = [#id, #id],
                        iterator_types = ["parallel"]}
      ins(%g : tensor<4xf32>) outs(%p : tensor<4xf32>) {
    ^bb0(%gi: f32, %pi: f32):
      %d = arith.subf %pi, %gi : f32
      linalg.yield %d : f32
  } -> tensor<4xf32>
  return %p1, %p : tensor<4xf32>, tensor<4xf32>
}
)mlir",
      entry("f"), "tie.mlir"));
  EXPECT_NE(readAfter.find("tie.mlir:3:1: error: @f result 0 (moe.in_place = "
                           "0) cannot be written in place into argument 0: "
                           "argument 0 is still read after the update"),
            std::string::npos)
      << readAfter;
  EXPECT_NE(readAfter.find("tie.mlir:5:9: note: argument 0 is copied for "
                           "this update"),
            std::string::npos)
      << readAfter;

  std::string badIndex = errorText(compiler.compileSource(
      "func.func @f(%p: tensor<4xf32>) -> (tensor<4xf32> {moe.in_place = 1 : "
      "i64}) { return %p : tensor<4xf32> }",
      entry("f")));
  EXPECT_EQ(badIndex, "@f result 0: moe.in_place = 1 is not an argument index "
                      "(the function has 1 arguments)");
  std::string badType = errorText(compiler.compileSource(
      "func.func @f(%p: tensor<4xf32>, %q: tensor<2xf32>) -> (tensor<2xf32> "
      "{moe.in_place = 0 : i64}) { return %q : tensor<2xf32> }",
      entry("f")));
  EXPECT_EQ(badType, "@f result 0 (moe.in_place = 0) must have argument 0's "
                     "type tensor<4xf32> to be written into its buffer, got "
                     "tensor<2xf32>");
}

} // namespace
