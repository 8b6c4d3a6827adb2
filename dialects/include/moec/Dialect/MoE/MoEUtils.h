//===- MoEUtils.h - IR building helpers shared by moe rewrites --*- C++ -*-===//

#ifndef MOEC_DIALECT_MOE_MOEUTILS_H
#define MOEC_DIALECT_MOE_MOEUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::moe {

/// `lhs[M,K] @ rhs[K,N]` as `linalg.matmul` accumulating in f32 (f64 for f64
/// operands), then rounded to `resultElementType` (an `arith.truncf` when
/// that is narrower than the accumulator).
/// M may be dynamic; K and N come from `rhs`.
Value createAccumulatingMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                               Type resultElementType);

/// `tensor.empty` of `type`, taking every dynamic size from the same
/// dimension of `shapeSource`.
Value createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                      Value shapeSource);

} // namespace mlir::moe

#endif // MOEC_DIALECT_MOE_MOEUTILS_H
