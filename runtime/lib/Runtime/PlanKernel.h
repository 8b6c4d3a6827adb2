//===- PlanKernel.h - a function planned for an NPU, run emulated -*- C++
//-*-===//

#ifndef MOEC_RUNTIME_PLANKERNEL_H
#define MOEC_RUNTIME_PLANKERNEL_H

#include "ModuleLowering.h"

#include "moec/Runtime/Compiler.h"

namespace moec {

/// A kernel compiled with the NPU pipeline: its plan runs on the emulator
/// (moec/NPU/Emulator.h), which checks the plan's synchronisation too.
/// There is no packing: prepared weights are empty.
class PlanKernel final : public Kernel {
public:
  /// Takes a module planned by planForNPU.
  static llvm::Expected<std::unique_ptr<PlanKernel>>
  create(LoweredModule planned, llvm::StringRef entry);

private:
  PlanKernel(Signature sig, LoweredModule planned, mlir::Operation *plan);
  llvm::Error invoke(llvm::ArrayRef<TensorView> inputs,
                     llvm::ArrayRef<TensorView> outputs) const override;
  llvm::Expected<std::shared_ptr<const PreparedWeights>>
  prepare(llvm::ArrayRef<TensorView> inputs) const override;
  llvm::Error invokePrepared(llvm::ArrayRef<TensorView> inputs,
                             llvm::ArrayRef<TensorView> outputs,
                             const PreparedWeights &weights) const override;

  LoweredModule planned;
  mlir::Operation *plan;
};

} // namespace moec

#endif // MOEC_RUNTIME_PLANKERNEL_H
