//===- Npy.h - read and write NumPy .npy files ------------------*- C++ -*-===//
//
// The arrays that tests and tools exchange with Python. Only what moec needs:
// C-order, little-endian arrays of the dtypes below, .npy versions 1.0, 2.0 and
// 3.0. Malformed files are reported as errors that start with the file name;
// parsing never reads outside the given bytes.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_NPY_H
#define MOEC_RUNTIME_NPY_H

#include "moec/Runtime/TensorView.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace moec {

/// The descr writeNpy() stores, e.g. "<f4"; "<u2" for BF16. NumPy has no
/// bfloat16; arrays of it arrive as raw 2-byte values with descr '<u2', '<V2'
/// or '|V2' (e.g. from ml_dtypes), all read as BF16.
llvm::StringRef npyDescr(DType dtype);

struct NpyArray {
  DType dtype = DType::F32;
  /// Empty for a scalar (one element); a 0 anywhere gives zero elements.
  std::vector<int64_t> shape;
  /// numElements() * byteSize(dtype) bytes, C order, little endian.
  std::vector<char> data;

  size_t numElements() const;
};

/// Reads a whole .npy file. The data must be exactly as long as the shape
/// says: trailing bytes are an error, since np.save never writes any and they
/// usually mean the header's shape is wrong.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// readNpy() on bytes in memory; \p nameForErrors starts every error message.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes,
                                  llvm::StringRef nameForErrors);

/// The .npy encoding of \p array: version 1.0, or 2.0 when the header needs
/// more than 65535 bytes, with the data starting at a multiple of 64 bytes as
/// np.save does. Fails if data's size does not match the shape.
llvm::Expected<std::string> serializeNpy(const NpyArray &array);

/// Writes serializeNpy(array) to \p path.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

} // namespace moec

#endif // MOEC_RUNTIME_NPY_H
