//===- MemRefDescriptor.h - views as MLIR memref descriptors ----*- C++ -*-===//
//
// The C interface of a compiled function takes a pointer to a strided memref
// descriptor per argument (inputs, then the out-parameters that replaced the
// results): { T *allocated, T *aligned, int64 offset, int64 sizes[rank],
// int64 strides[rank] }. These wrap caller memory without copying it.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_MEMREFDESCRIPTOR_H
#define MOEC_RUNTIME_MEMREFDESCRIPTOR_H

#include "moec/Runtime/TensorView.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace moec {

/// The argument array of a `_mlir__mlir_ciface_<f>` packed wrapper: one
/// pointer per argument, each pointing at that argument (itself a descriptor
/// pointer).
class PackedArguments {
public:
  PackedArguments(llvm::ArrayRef<TensorView> inputs,
                  llvm::ArrayRef<TensorView> outputs);
  void **data() { return packed.data(); }

private:
  void add(const TensorView &view);

  // Each descriptor is stored as int64 words; pointers are 64-bit on every
  // target moec compiles for.
  llvm::SmallVector<llvm::SmallVector<int64_t, 8>, 16> descriptors;
  llvm::SmallVector<void *, 16> descriptorPointers;
  llvm::SmallVector<void *, 16> packed;
};

} // namespace moec

#endif // MOEC_RUNTIME_MEMREFDESCRIPTOR_H
