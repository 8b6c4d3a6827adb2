//===- WeightGradKernel.h - deterministic grouped weight gradient -*- C++ -*-=//
//
// `output[e] = input[lo_e : hi_e]^T @ dy[lo_e : hi_e]` for every expert `e`
// (moe.grouped_matmul_wgrad), in f32 whatever the element type.
//
// Work items are (expert, column panel of `nv` vectors, block of `kt` rows
// of K). An item walks its K block in register tiles of `mr` rows of K by
// `nv` vectors of N; each tile sums the outer products of its expert's rows,
// one row at a time in ascending order: `input[r, k0 .. k0+mr]` broadcast
// times `nv` vectors of `dy[r, n0 ..]`. Every output element is thus one
// fixed-order sum computed by one item, so the result is bit-identical for
// any thread count.
//
// For f32 outputs the item takes the group's rows in blocks of `rb`: it
// copies the block's rows of the dy panel into its worker's scratch (in
// place, rows `4N` bytes apart fall into a few L1 sets and evict each
// other), then runs every tile over them; partial sums wait, exactly, in the
// output between blocks. Other outputs take all rows in one pass, reading dy
// in place.
//
// Items cost their expert's row count, which varies, so they are not shared
// out evenly by count: up to 64 workers (one `scf.parallel`) each take the
// items whose cost range starts in their equal share of the total cost.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CODEGEN_KERNELS_WEIGHTGRADKERNEL_H
#define MOEC_CODEGEN_KERNELS_WEIGHTGRADKERNEL_H

#include "moec/Target/CPUTarget.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace moec::cpu {

struct WeightGradTiling {
  /// f32 lanes per vector register.
  int64_t lanes = 16;
  /// Rows of K per register tile.
  int64_t mr = 6;
  /// Vectors of N per register tile (a column panel is nv * lanes wide).
  int64_t nv = 4;
  /// Rows of K per work item, a multiple of mr.
  int64_t kt = 6;
  /// Rows of the group per pass of an item's register tiles (partial sums
  /// wait in the output between passes); 0 for one pass over all rows.
  int64_t rb = 0;
};

/// The tiling for `experts` x `[k, n]` gradients on `target`, or
/// std::nullopt when the kernel does not cover the shape (n not a multiple
/// of the vector width, an empty dimension). The register tile follows the
/// GEMM's rule (selectGemmTiling): mr x nv accumulators, nv loaded vectors
/// and one broadcast in the registers but one; mr = 6 and nv the largest
/// power of two that fits (6 x 4 with 32 registers, 6 x 2 with 16), at most
/// n / lanes. kt is the whole of K unless that leaves fewer than about 256
/// items, which the workers could not share out evenly. rb is the number
/// of dy panel rows that fill half of L1d, a multiple of 8 in [8, 512]; the
/// emitter uses it only for f32 outputs, which hold the exact partial sums.
std::optional<WeightGradTiling>
selectWeightGradTiling(const CPUTargetDesc &target, int64_t experts, int64_t k,
                       int64_t n);

struct WeightGrad {
  /// `[R, K]` and `[R, N]` buffers, K and N static.
  mlir::Value input, dy;
  /// `[E + 1]` i32 or i64 group offsets.
  mlir::Value offsets;
  /// `[E, K, N]` static buffer, every element written.
  mlir::Value output;
  /// Rows of input and dy that may be read (index).
  mlir::Value rows;
};

void buildWeightGrad(mlir::ImplicitLocOpBuilder &b, const WeightGrad &grad,
                     const WeightGradTiling &tiling);

} // namespace moec::cpu

#endif // MOEC_CODEGEN_KERNELS_WEIGHTGRADKERNEL_H
