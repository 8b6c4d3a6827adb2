//===- CombineKernel.h - vectorised deterministic combine -------*- C++ -*-===//
//
// `output[t] = sum_j weights[t, j] * expertOut[inv[t*k + j]]` in slot order
// and f32, one token per parallel iteration and `lanes` columns at a time:
// the moe.combine contract (docs/cpu-numerics.md) with no atomics.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CODEGEN_KERNELS_COMBINEKERNEL_H
#define MOEC_CODEGEN_KERNELS_COMBINEKERNEL_H

#include "mlir/IR/Builders.h"

namespace moec::cpu {

struct Combine {
  mlir::Value expertOut; // [R, H]
  mlir::Value perm;      // [R] i32
  mlir::Value weights;   // [T, k]
  mlir::Value output;    // [T, H]
  int64_t lanes = 16;
};

void buildCombine(mlir::ImplicitLocOpBuilder &b, const Combine &combine);

} // namespace moec::cpu

#endif // MOEC_CODEGEN_KERNELS_COMBINEKERNEL_H
