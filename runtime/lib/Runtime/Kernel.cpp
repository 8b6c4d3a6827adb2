//===- Kernel.cpp - checked calls into compiled code
//-----------------------===//

#include "moec/Runtime/Compiler.h"

using namespace moec;

Kernel::~Kernel() = default;

llvm::Error Kernel::run(llvm::ArrayRef<TensorView> inputs,
                        llvm::ArrayRef<TensorView> outputs) const {
  if (llvm::Error err = sig.checkCall(inputs, outputs))
    return err;
  invoke(inputs, outputs);
  return llvm::Error::success();
}
