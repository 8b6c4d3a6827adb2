//===- JitKernel.cpp - a kernel compiled in-process by MLIR's JIT
//----------===//

#include "JitKernel.h"
#include "HostTarget.h"
#include "MemRefDescriptor.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/Target/TargetMachine.h"

using namespace moec;

JitKernel::JitKernel(Signature sig,
                     std::unique_ptr<mlir::ExecutionEngine> engine,
                     PackedFn entry)
    : Kernel(std::move(sig)), engine(std::move(engine)), entry(entry) {}

JitKernel::~JitKernel() = default;

llvm::Expected<std::unique_ptr<JitKernel>>
JitKernel::create(LoweredModule lowered, unsigned optLevel) {
  auto machine = createHostTargetMachine(optLevel, /*forJIT=*/true);
  if (!machine)
    return machine.takeError();
  // The transformer is a function_ref: it must outlive create().
  std::function<llvm::Error(llvm::Module *)> optimize =
      mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                      machine->get());
  mlir::ExecutionEngineOptions options;
  options.transformer = optimize;
  options.jitCodeGenOptLevel = (*machine)->getOptLevel();
  auto engine = mlir::ExecutionEngine::create(*lowered.module, options,
                                              std::move(*machine));
  if (!engine)
    return engine.takeError();

  // The entry is looked up and global constructors run once, here, so that
  // concurrent calls share nothing mutable.
  std::string cInterface = "_mlir_ciface_" + lowered.signature.function;
  auto entry = (*engine)->lookupPacked(cInterface);
  if (!entry)
    return entry.takeError();
  (*engine)->initialize();
  return std::unique_ptr<JitKernel>(
      new JitKernel(std::move(lowered.signature), std::move(*engine), *entry));
}

void JitKernel::invoke(llvm::ArrayRef<TensorView> inputs,
                       llvm::ArrayRef<TensorView> outputs) const {
  PackedArguments packed(inputs, outputs);
  entry(packed.data());
}
