//===- Kernel.cpp - checked calls into compiled code ----------------------===//

#include "moec/Runtime/Compiler.h"

#include <cstring>

using namespace moec;

Kernel::~Kernel() = default;
PreparedWeights::~PreparedWeights() = default;

namespace {

/// The views the compiled code takes for a checked call: an in-place result
/// (`moe.in_place`) has no out-parameter, its argument's buffer is updated.
/// When the caller gave such a result a buffer of its own (disjoint, as
/// checkCall made sure), the argument is copied there first and the code
/// runs on the copy, leaving the caller's input unchanged.
struct CompiledCall {
  std::vector<TensorView> inputs;
  std::vector<TensorView> outputs;
};

CompiledCall bindInPlace(const Signature &sig,
                         llvm::ArrayRef<TensorView> inputs,
                         llvm::ArrayRef<TensorView> outputs) {
  CompiledCall call{inputs.vec(), {}};
  for (auto [spec, out] : llvm::zip_equal(sig.results, outputs)) {
    if (!spec.inPlaceOf) {
      call.outputs.push_back(out);
      continue;
    }
    const TensorView &in = inputs[*spec.inPlaceOf];
    if (out.data == in.data)
      continue;
    size_t bytes = static_cast<size_t>(in.numElements() * byteSize(in.dtype));
    if (bytes != 0)
      std::memcpy(out.data, in.data, bytes);
    call.inputs[*spec.inPlaceOf] = out;
  }
  return call;
}

} // namespace

llvm::Error Kernel::run(llvm::ArrayRef<TensorView> inputs,
                        llvm::ArrayRef<TensorView> outputs) const {
  if (llvm::Error err = sig.checkCall(inputs, outputs))
    return err;
  if (!sig.hasInPlaceResults())
    return invoke(inputs, outputs);
  CompiledCall call = bindInPlace(sig, inputs, outputs);
  return invoke(call.inputs, call.outputs);
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
  if (!sig.hasInPlaceResults())
    return invokePrepared(inputs, outputs, weights);
  CompiledCall call = bindInPlace(sig, inputs, outputs);
  return invokePrepared(call.inputs, call.outputs, weights);
}
