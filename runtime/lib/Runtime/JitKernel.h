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
  JitKernel(Signature sig, std::unique_ptr<mlir::ExecutionEngine> engine,
            PackedFn entry);
  void invoke(llvm::ArrayRef<TensorView> inputs,
              llvm::ArrayRef<TensorView> outputs) const override;

  std::unique_ptr<mlir::ExecutionEngine> engine;
  PackedFn entry;
};

} // namespace moec

#endif // MOEC_RUNTIME_JITKERNEL_H
