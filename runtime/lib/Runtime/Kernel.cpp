//===- Kernel.cpp - checked calls into compiled code ----------------------===//

#include "moec/Runtime/Compiler.h"

using namespace moec;

Kernel::~Kernel() = default;
PreparedWeights::~PreparedWeights() = default;

llvm::Error Kernel::run(llvm::ArrayRef<TensorView> inputs,
                        llvm::ArrayRef<TensorView> outputs) const {
  if (llvm::Error err = sig.checkCall(inputs, outputs))
    return err;
  return invoke(inputs, outputs);
}

llvm::Expected<std::shared_ptr<const PreparedWeights>>
Kernel::prepareWeights(llvm::ArrayRef<TensorView> inputs) const {
  if (inputs.size() != sig.arguments.size())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "@%s: prepareWeights takes the %zu inputs run takes, got %zu",
        sig.function.c_str(), sig.arguments.size(), inputs.size());
  return prepare(inputs);
}

llvm::Error Kernel::run(llvm::ArrayRef<TensorView> inputs,
                        llvm::ArrayRef<TensorView> outputs,
                        const PreparedWeights &weights) const {
  if (llvm::Error err = sig.checkCall(inputs, outputs))
    return err;
  return invokePrepared(inputs, outputs, weights);
}
