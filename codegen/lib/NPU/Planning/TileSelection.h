//===- TileSelection.h - cube and vector tiles from a target ----*- C++ -*-===//

#ifndef MOEC_NPU_PLANNING_TILESELECTION_H
#define MOEC_NPU_PLANNING_TILESELECTION_H

#include "moec/Target/TargetDesc.h"

#include "llvm/Support/Error.h"

#include <cstdint>

namespace moec::npu {

struct GemmProblem {
  /// Output columns and reduction depth (rows are dynamic).
  int64_t n = 0, k = 0;
  /// "f32", "f16" or "bf16": the operands' element type.
  std::string elementType;
  /// Right-hand operands sharing one left-hand tile (2 for gate and up,
  /// each with its own f32 accumulator).
  int64_t rhsOperands = 1;
  /// When non-zero, bm is fixed (the grouped GEMMs of one dispatch share
  /// their row tiles).
  int64_t fixedBm = 0;
  /// The left operand's rows are gathered one by one (the dispatch folded
  /// into the load), so each row is a GM burst of its own.
  bool gatheredLhs = false;
};

struct GemmTiles {
  int64_t bm = 0, bn = 0, bk = 0;
};

/// The fractal of `elementType` on the target, or an error naming the
/// type and the modes the target has.
llvm::Expected<MatrixMode> cubeFractal(const TargetDesc &target,
                                       llvm::StringRef elementType);

/// Bytes of one element of "f32", "f16", "bf16", "i32".
int64_t elementBytes(llvm::StringRef elementType);

/// Among the tiles whose double-buffered A and B tiles fit L0A, L0B and L1
/// and whose accumulators fit L0C, the one the cost model expects to take
/// the fewest cycles per multiply-accumulate (see --moe-npu-select-tiles).
llvm::Expected<GemmTiles> selectGemmTiles(const TargetDesc &target,
                                          const GemmProblem &problem);

/// The most rows (a power of two, at most `maxRows`, a multiple of
/// `rowMultiple`) such that `fixedBytes` plus `bytesPerRow` per row (every
/// live buffer, double buffers counted twice) fit UB; an error when not
/// even `rowMultiple` rows fit.
llvm::Expected<int64_t> selectVectorRows(const TargetDesc &target,
                                         int64_t bytesPerRow,
                                         int64_t fixedBytes,
                                         int64_t rowMultiple, int64_t maxRows,
                                         llvm::StringRef what);

/// `value` rounded up to a multiple of `multiple`.
inline int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

} // namespace moec::npu

#endif // MOEC_NPU_PLANNING_TILESELECTION_H
