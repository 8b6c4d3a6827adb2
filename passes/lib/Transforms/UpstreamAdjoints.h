//===- UpstreamAdjoints.h - adjoints of the upstream ops moe uses -*- C++
//-*-===//
//
// Private to --moe-grad: the vector-Jacobian products of the upstream ops
// that --moe-decompose-layer emits around the moe ops (linalg.matmul with a
// zero-filled accumulator, linalg.add, linalg.fill, tensor.cast,
// arith.truncf/extf on tensors), which cannot carry moe's
// GradientOpInterface.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TRANSFORMS_UPSTREAMADJOINTS_H
#define MOEC_TRANSFORMS_UPSTREAMADJOINTS_H

#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"

namespace mlir::moe {

/// Like GradientOpInterface::emitAdjoint for `op`: one cotangent per
/// operand, null where there is none. Fails with an error naming the op when
/// there is no rule for it.
FailureOr<SmallVector<Value>> emitUpstreamAdjoint(OpBuilder &b, Operation *op,
                                                  ValueRange resultCotangents);

} // namespace mlir::moe

#endif // MOEC_TRANSFORMS_UPSTREAMADJOINTS_H
