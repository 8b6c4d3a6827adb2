//===- MemRefDescriptor.cpp - views as MLIR memref descriptors
//-------------===//

#include "MemRefDescriptor.h"

using namespace moec;

static_assert(sizeof(void *) == sizeof(int64_t),
              "memref descriptors are packed as 64-bit words");

PackedArguments::PackedArguments(llvm::ArrayRef<TensorView> inputs,
                                 llvm::ArrayRef<TensorView> outputs) {
  descriptors.reserve(inputs.size() + outputs.size());
  for (const TensorView &view : inputs)
    add(view);
  for (const TensorView &view : outputs)
    add(view);
  // Pointers into `descriptors` are taken only once it stops growing.
  for (auto &descriptor : descriptors)
    descriptorPointers.push_back(descriptor.data());
  for (void *&pointer : descriptorPointers)
    packed.push_back(&pointer);
}

void PackedArguments::add(const TensorView &view) {
  auto &words = descriptors.emplace_back();
  auto address = static_cast<int64_t>(reinterpret_cast<intptr_t>(view.data));
  words.push_back(address); // allocated
  words.push_back(address); // aligned
  words.push_back(0);       // offset
  words.append(view.shape.begin(), view.shape.end());
  // Checked views are contiguous, and the kernel was compiled for identity
  // layouts, so the canonical strides are the honest ones to describe.
  std::vector<int64_t> strides = view.contiguousStrides();
  words.append(strides.begin(), strides.end());
}
