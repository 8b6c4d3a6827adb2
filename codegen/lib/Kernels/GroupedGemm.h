//===- GroupedGemm.h - register-blocked grouped GEMM on the CPU -*- C++ -*-===//
//
// `output[i] = epilogue(input[row(i)] @ W[e])` for the rows `i` of each
// expert's group, on packed weights (WeightPacking.h). Work is split into
// items (expert, column panel, block of `mt` rows) that all cost about the
// same, whatever the token counts per expert, and run as one `scf.parallel`;
// each item walks K in blocks of `kc` and, per block, its rows in register
// tiles of `mr` rows by `nv` vectors per weight, so the block of the panel
// is read from memory once and from L2 by the other tiles; f32 partial sums
// wait in a per-worker scratch between blocks.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CODEGEN_KERNELS_GROUPEDGEMM_H
#define MOEC_CODEGEN_KERNELS_GROUPEDGEMM_H

#include "WeightPacking.h"

#include "moec/Target/CPUTarget.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace moec::cpu {

struct GroupedGemm {
  /// `[T, K]` buffer the rows are read from.
  mlir::Value input;
  /// Optional `[R]` i32 pair indices: row `i` reads input row
  /// `rowPairs[i] / pairsPerToken` (the dispatch gather, folded into the
  /// loads). Without it row `i` reads input row `i`.
  mlir::Value rowPairs;
  int64_t pairsPerToken = 1;
  /// Optional `[E + 1]` i32 group offsets; without them all `rows` rows form
  /// one group and the weights are dense (`E = 1`).
  mlir::Value offsets;
  /// One packed weight, or two (gate and up) for the SwiGLU epilogue.
  llvm::SmallVector<mlir::Value, 2> weights;
  /// `[R, N]` buffer; rows in no group are zeroed.
  mlir::Value output;
  mlir::Value rows;
  int64_t k = 0, n = 0;
  std::optional<double> swigluLimit;
};

/// Whether operands of `element` type multiply with AVX512_BF16 dot
/// products (weights packed in k pairs) under `tiling`.
bool usesDotProducts(const GemmTiling &tiling, mlir::Type element);
/// The layout the kernel reads `element` weights in under `tiling`.
PackedLayout packedLayout(const GemmTiling &tiling, mlir::Type element);

void buildGroupedGemm(mlir::ImplicitLocOpBuilder &b, const GroupedGemm &gemm,
                      const GemmTiling &tiling);

} // namespace moec::cpu

#endif // MOEC_CODEGEN_KERNELS_GROUPEDGEMM_H
