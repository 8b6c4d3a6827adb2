//===- KernelBuilders.h - memref-level builders for CPU kernels -*- C++ -*-===//
//
// The CPU kernels are written as explicit loops over buffers inside tensor
// functions: inputs are read through `bufferization.to_buffer read_only`,
// outputs are fresh allocations handed back with `to_tensor restrict
// writable`, so one-shot bufferisation treats each kernel as an opaque op
// that reads its operands and produces a new tensor.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CODEGEN_KERNELS_KERNELBUILDERS_H
#define MOEC_CODEGEN_KERNELS_KERNELBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace moec::cpu {

/// An identity-layout, read-only buffer view of `tensor`.
mlir::Value readBuffer(mlir::ImplicitLocOpBuilder &b, mlir::Value tensor);
/// A new identity-layout buffer of `type`'s shape; `dynamicSizes` gives its
/// dynamic dimensions in order.
mlir::Value allocBuffer(mlir::ImplicitLocOpBuilder &b,
                        mlir::RankedTensorType type,
                        mlir::ValueRange dynamicSizes);
/// The tensor a kernel hands back: `buffer` with no other alias.
mlir::Value bufferAsTensor(mlir::ImplicitLocOpBuilder &b, mlir::Value buffer);

/// `vector<lanes x f32>`.
mlir::VectorType f32Vector(mlir::MLIRContext *context, int64_t lanes);
/// A scalar of `buffer` at `indices`, extended to f32.
mlir::Value loadF32(mlir::ImplicitLocOpBuilder &b, mlir::Value buffer,
                    mlir::ValueRange indices);
/// `lanes` contiguous elements of `buffer` from `indices`, extended to f32.
mlir::Value loadF32Vector(mlir::ImplicitLocOpBuilder &b, mlir::Value buffer,
                          mlir::ValueRange indices, int64_t lanes);
/// Rounds the f32 `vector` to `buffer`'s element type and stores it.
void storeF32Vector(mlir::ImplicitLocOpBuilder &b, mlir::Value vector,
                    mlir::Value buffer, mlir::ValueRange indices);
/// Zeroes rows `[from, from + count)` of the 2-D `buffer`.
void zeroRows(mlir::ImplicitLocOpBuilder &b, mlir::Value buffer,
              mlir::Value from, mlir::Value count);

} // namespace moec::cpu

#endif // MOEC_CODEGEN_KERNELS_KERNELBUILDERS_H
