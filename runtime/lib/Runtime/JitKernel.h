//===- JitKernel.h - a kernel compiled in-process by MLIR's JIT -*- C++ -*-===//

#ifndef MOEC_RUNTIME_JITKERNEL_H
#define MOEC_RUNTIME_JITKERNEL_H

#include "ModuleLowering.h"

#include "moec/Runtime/Compiler.h"

#include <memory>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace moec {

class JitKernel final : public Kernel {
public:
  /// JIT-compiles a module lowered by lowerToLLVMDialect.
  static llvm::Expected<std::unique_ptr<JitKernel>>
  create(LoweredModule lowered, unsigned optLevel);
  ~JitKernel() override;

private:
  using PackedFn = void (*)(void **);
  /// `@f__prepack` and `@f__packed`, when the module has them.
  struct PackedEntries {
    PackingPlan plan;
    PackedFn prepack = nullptr;
    PackedFn run = nullptr;
  };

  JitKernel(Signature sig, std::unique_ptr<mlir::ExecutionEngine> engine,
            PackedFn entry, std::optional<PackedEntries> packed);
  llvm::Error invoke(llvm::ArrayRef<TensorView> inputs,
                     llvm::ArrayRef<TensorView> outputs) const override;
  llvm::Expected<std::shared_ptr<const PreparedWeights>>
  prepare(llvm::ArrayRef<TensorView> inputs) const override;
  llvm::Error invokePrepared(llvm::ArrayRef<TensorView> inputs,
                             llvm::ArrayRef<TensorView> outputs,
                             const PreparedWeights &weights) const override;

  std::unique_ptr<mlir::ExecutionEngine> engine;
  PackedFn entry;
  std::optional<PackedEntries> packed;
};

} // namespace moec

#endif // MOEC_RUNTIME_JITKERNEL_H
