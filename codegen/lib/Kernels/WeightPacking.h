//===- WeightPacking.h - expert weights in register-tile order --*- C++ -*-===//
//
// A weight `[E, K, N]` (or a dense `[K, N]`, as `E = 1`) is packed into
// panels of `NR` columns, `[E, N/NR, K, NR]`: the register tile of the GEMM
// then streams one contiguous panel instead of `K` rows `N` elements apart
// (which, for N a multiple of 1024, all fall into the same L1 sets). For
// AVX512_BF16 dot products, consecutive k are interleaved in pairs,
// `[E, N/NR, K/2, 2*NR]`, the operand order `vdpbf16ps` wants.
//
// Packing is a private function per shape, called on the weight operand, so
// that --moe-cpu-split-weight-packing can move the calls into a separate
// entry point run once at load time.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CODEGEN_KERNELS_WEIGHTPACKING_H
#define MOEC_CODEGEN_KERNELS_WEIGHTPACKING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace moec::cpu {

struct PackedLayout {
  int64_t panelColumns = 0;
  /// k interleaved in pairs, for bf16 dot products.
  bool pairs = false;
};

/// Set on every generated packing function.
constexpr llvm::StringLiteral kWeightPackAttrName = "moe.weight_pack";
/// --moe-cpu-split-weight-packing: on `@f__prepack` and `@f__packed`, the
/// function they come from; on a weight argument of `@f__prepack`, its
/// index among `@f`'s arguments.
constexpr llvm::StringLiteral kPrepackOfAttrName = "moe.prepack_of";
constexpr llvm::StringLiteral kPackedOfAttrName = "moe.packed_of";
constexpr llvm::StringLiteral kWeightOfAttrName = "moe.weight_of";

/// Whether `weightType` (`[E, K, N]` or `[K, N]`, static) can be packed.
bool canPack(mlir::RankedTensorType weightType, PackedLayout layout);
mlir::RankedTensorType packedType(mlir::RankedTensorType weightType,
                                  PackedLayout layout);
/// `weight` packed, by a call to the packing function of its shape (created
/// in `module` on first use).
mlir::Value packWeight(mlir::ImplicitLocOpBuilder &b, mlir::ModuleOp module,
                       mlir::Value weight, PackedLayout layout);

} // namespace moec::cpu

#endif // MOEC_CODEGEN_KERNELS_WEIGHTPACKING_H
