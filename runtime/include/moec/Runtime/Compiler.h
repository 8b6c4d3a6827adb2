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
  /// Threads the kernel's parallel loops run on; 0 means one per core of the
  /// target. 1 runs everything on the calling thread.
  unsigned threads = 0;
  /// Target description: `cpu-host`, optionally with overrides, e.g.
  /// `cpu-host:vector-bits=256,l2=512K` (docs/cpu-target.md), compiles for
  /// this CPU. An NPU target such as `ascend-910b` (with overrides,
  /// docs/target-description.md) plans the function for that chip instead
  /// and the kernel runs the plan on the emulator (docs/npu-plan.md).
  std::string target = "cpu-host";
};

/// Weight arguments packed once into the layout the compiled kernel's
/// register tiles read (docs/performance.md). Immutable and safe to share
/// between threads; valid only with the kernel that made it.
class PreparedWeights {
public:
  virtual ~PreparedWeights();
  /// Bytes held by the packed copies.
  virtual uint64_t bytes() const = 0;
};

/// A compiled function. Immutable once built: `run` may be called from any
/// number of threads at once.
class Kernel {
public:
  virtual ~Kernel();

  const Signature &signature() const { return sig; }

  /// Runs the function: `inputs` in argument order, `outputs` one per result
  /// with exactly the shapes `signature().resultShapes(inputs)` gives. No
  /// tensor is copied; outputs are overwritten, inputs only read, except
  /// for in-place results (`moe.in_place`, see Signature.h): given their
  /// argument's own buffer, they update it (a training step run again and
  /// again on the caller's parameters and optimizer state); given a
  /// disjoint buffer, the argument is copied there first and left as it
  /// was. Calls updating the same buffers must not run at the same time.
  llvm::Error run(llvm::ArrayRef<TensorView> inputs,
                  llvm::ArrayRef<TensorView> outputs) const;

  /// Packs the weight arguments among `inputs` (the same list `run` takes;
  /// only the weights are read) once, so that later calls skip packing.
  /// A kernel that updates a weight in place (`moe.in_place`) packs nothing
  /// ahead, as the packed copy would go stale: its calls pack as `run` does.
  llvm::Expected<std::shared_ptr<const PreparedWeights>>
  prepareWeights(llvm::ArrayRef<TensorView> inputs) const;
  /// Like `run`, but reads the weights from `weights` instead of from the
  /// weight views in `inputs` (which are still checked against the
  /// signature).
  llvm::Error run(llvm::ArrayRef<TensorView> inputs,
                  llvm::ArrayRef<TensorView> outputs,
                  const PreparedWeights &weights) const;

protected:
  explicit Kernel(Signature sig) : sig(std::move(sig)) {}
  /// Calls the compiled code; the views have been checked. `outputs` holds
  /// the out-parameters of the results that are not in place; an in-place
  /// result's buffer is its argument's in `inputs`. Compiled CPU code cannot
  /// fail; the NPU emulator reports a bad plan or bad data.
  virtual llvm::Error invoke(llvm::ArrayRef<TensorView> inputs,
                             llvm::ArrayRef<TensorView> outputs) const = 0;
  /// Packs the weights; `inputs` has the signature's length.
  virtual llvm::Expected<std::shared_ptr<const PreparedWeights>>
  prepare(llvm::ArrayRef<TensorView> inputs) const = 0;
  /// Calls the compiled code with packed weights; the views have been
  /// checked, `weights` has not.
  virtual llvm::Error invokePrepared(llvm::ArrayRef<TensorView> inputs,
                                     llvm::ArrayRef<TensorView> outputs,
                                     const PreparedWeights &weights) const = 0;

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

  /// `source` with the gradient function `@<function>_grad(inputs..., dy)
  /// -> (y, d_inputs...)` added by --moe-grad (docs/training-design.md); compile it
  /// with `entry = "<function>_grad"`.
  static llvm::Expected<std::string>
  gradientSource(llvm::StringRef source, llvm::StringRef function = "moe_layer",
                 llvm::StringRef bufferName = "<source>");

  /// Ahead-of-time: compiles the module for the host CPU to a relocatable
  /// object file. Each function `f` is callable from C as
  /// `_mlir_ciface_f(descriptor *args..., descriptor *results...)` with
  /// MLIR's strided memref descriptors (see docs/runtime.md). A result
  /// written in place (`moe.in_place = M`) has no descriptor among
  /// `results`: the code updates argument M's buffer (a C caller that needs
  /// the old value passes a copy of it as argument M).
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
