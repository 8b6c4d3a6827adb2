//===- TensorView.h - caller-owned tensors passed to kernels ----*- C++ -*-===//
//
// A kernel reads its inputs from and writes its results to memory the caller
// owns: a TensorView only describes that memory, it never copies or frees it.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_TENSORVIEW_H
#define MOEC_RUNTIME_TENSORVIEW_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace moec {

/// Element types a kernel argument can have. `BF16` and `F16` are stored as
/// their 2-byte IEEE/bfloat patterns.
enum class DType { F32, F16, BF16, F64, I32, I64 };

llvm::StringRef toString(DType dtype);
std::optional<DType> parseDType(llvm::StringRef name);
/// Bytes per element.
int64_t byteSize(DType dtype);

/// A strided view of caller-owned memory. `strides` count elements, not
/// bytes; leave it empty for a row-major contiguous tensor.
struct TensorView {
  void *data = nullptr;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;

  TensorView() = default;
  TensorView(void *data, DType dtype, std::vector<int64_t> shape,
             std::vector<int64_t> strides = {})
      : data(data), dtype(dtype), shape(std::move(shape)),
        strides(std::move(strides)) {}

  int64_t numElements() const;
  /// The row-major strides of `shape`.
  std::vector<int64_t> contiguousStrides() const;
  /// True when `strides` is empty or equal to the row-major strides (size-1
  /// dimensions may have any stride).
  bool isContiguous() const;
};

/// "f32[?, 4096]"-style rendering used in diagnostics; -1 prints as `?`.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace moec

#endif // MOEC_RUNTIME_TENSORVIEW_H
