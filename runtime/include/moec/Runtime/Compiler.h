//===- Compiler.h - compile moe functions for the host CPU ------*- C++ -*-===//
//
// The framework-facing entry point: describe a MoE layer by a config or an
// .mlir module, compile it once, run it many times on caller-owned memory.
//
//   moec::Compiler compiler;
//   auto kernel = compiler.compileLayer(config);          // JIT, cached
//   if (!kernel) return report(kernel.takeError());
//   llvm::Error err = (*kernel)->run({x, routerW, ...}, {y});
//
// Errors are llvm::Error values whose message names the argument or the IR
// location at fault; nothing here aborts on bad input.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_COMPILER_H
#define MOEC_RUNTIME_COMPILER_H

#include "moec/Model/LayerConfig.h"
#include "moec/Runtime/Signature.h"
#include "moec/Runtime/TensorView.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace moec {

struct CompileOptions {
  /// The function to compile; the others in the module are compiled too but
  /// not exposed.
  std::string entry = "moe_layer";
  /// LLVM optimisation level, 0 to 3.
  unsigned optLevel = 3;
};

/// A compiled function. Immutable once built: `run` may be called from any
/// number of threads at once.
class Kernel {
public:
  virtual ~Kernel();

  const Signature &signature() const { return sig; }

  /// Runs the function: `inputs` in argument order, `outputs` one per result
  /// with exactly the shapes `signature().resultShapes(inputs)` gives. No
  /// tensor is copied; outputs are overwritten.
  llvm::Error run(llvm::ArrayRef<TensorView> inputs,
                  llvm::ArrayRef<TensorView> outputs) const;

protected:
  explicit Kernel(Signature sig) : sig(std::move(sig)) {}
  /// Calls the compiled code; the views have been checked.
  virtual void invoke(llvm::ArrayRef<TensorView> inputs,
                      llvm::ArrayRef<TensorView> outputs) const = 0;

private:
  Signature sig;
};

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
};

/// Compiles moe functions. Thread-safe; compiling text it has compiled before
/// (with the same options) returns the cached kernel.
class Compiler {
public:
  Compiler();
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// JIT-compiles `options.entry` of the module in `source`. `bufferName`
  /// names the source in diagnostics.
  llvm::Expected<std::shared_ptr<const Kernel>>
  compileSource(llvm::StringRef source, const CompileOptions &options = {},
                llvm::StringRef bufferName = "<source>");
  llvm::Expected<std::shared_ptr<const Kernel>>
  compileFile(llvm::StringRef path, const CompileOptions &options = {});
  /// Builds `@moe_layer` from the config (see moec/Model/LayerConfig.h) and
  /// compiles it; `options.entry` is ignored.
  llvm::Expected<std::shared_ptr<const Kernel>>
  compileLayer(const MoELayerConfig &config,
               const CompileOptions &options = {});

  /// The `.mlir` text compileLayer compiles for this config.
  static llvm::Expected<std::string> layerSource(const MoELayerConfig &config);

  /// Ahead-of-time: compiles the module for the host CPU to a relocatable
  /// object file. Each function `f` is callable from C as
  /// `_mlir_ciface_f(descriptor *args..., descriptor *results...)` with
  /// MLIR's strided memref descriptors (see docs/runtime.md).
  llvm::Error emitObjectFile(llvm::StringRef source, llvm::StringRef path,
                             const CompileOptions &options = {});
  /// Same, linked into a shared library (needs `clang-22` or `cc` on PATH).
  llvm::Error emitSharedLibrary(llvm::StringRef source, llvm::StringRef path,
                                const CompileOptions &options = {});

  CacheStats cacheStats() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace moec

#endif // MOEC_RUNTIME_COMPILER_H
