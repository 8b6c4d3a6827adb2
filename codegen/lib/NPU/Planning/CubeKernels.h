//===- CubeKernels.h - GEMM kernels of the plan -----------------*- C++ -*-===//

#ifndef MOEC_NPU_PLANNING_CUBEKERNELS_H
#define MOEC_NPU_PLANNING_CUBEKERNELS_H

#include "CoreBuilder.h"
#include "TileSelection.h"

#include <optional>

namespace moec::npu {

/// The rows one GEMM tile covers: which expert's weights, first row, count.
struct RowTile {
  mlir::Value expert; ///< null for a dense GEMM
  mlir::Value begin, count;
};

/// How a GEMM's rows are cut into tiles: `bm` rows at a time over a dense
/// operand, or the entries of the dispatch's tile table (grouped GEMMs),
/// whose number depends on shapes only.
struct RowTiling {
  int64_t bm = 0;
  /// Dense: the row count. Grouped: the table `[n, 3]` and its length.
  mlir::Value rows, table, tableLength;

  bool isGrouped() const { return static_cast<bool>(table); }
  mlir::Value numTiles(IndexBuilder &ib) const;
  RowTile at(IndexBuilder &ib, mlir::Value tile) const;
};

/// A GEMM's left operand: rows of `buffer`, or with `tokens`, rows of
/// `buffer` gathered through the token list (the dispatch folded in).
struct LhsOperand {
  mlir::Value buffer, tokens;
};

struct GemmSpec {
  std::string name;
  GemmTiles tiles;
  mlir::Attribute tilingAttr;
  RowTiling rows;
  LhsOperand lhs;
  int64_t n = 0, k = 0;
};

/// One cube kernel: `out[rows] = lhs[rows] x weight` tile by tile.
void emitGemmKernel(mlir::OpBuilder &b, mlir::Location loc,
                    const TargetDesc &target, const GemmSpec &gemm,
                    mlir::Value weight, mlir::Value out);

/// One mixed kernel: the cube computes the gate and up tiles and hands them
/// to the vector cores through a double-buffered GM workspace; the vector
/// cores write `h = swiglu(gate, up)` (in chunks of `vectorRows` rows).
void emitGateUpKernel(mlir::OpBuilder &b, mlir::Location loc,
                      const TargetDesc &target, const GemmSpec &gemm,
                      mlir::Value gateWeight, mlir::Value upWeight,
                      mlir::Value handoff, mlir::Value h, int64_t vectorRows,
                      mlir::Attribute vectorTiling,
                      std::optional<double> limit);

/// The GM workspace `emitGateUpKernel` hands tiles over in:
/// `[grid * 2 slots * 2 (gate, up) * bm, bn]`.
llvm::SmallVector<int64_t> gateUpHandoffShape(const TargetDesc &target,
                                              const GemmTiles &tiles);

/// Blocks of a kernel on `target`, and vector cores per block.
int64_t gridOf(const TargetDesc &target);
int64_t subblocksOf(const TargetDesc &target);

} // namespace moec::npu

#endif // MOEC_NPU_PLANNING_CUBEKERNELS_H
