//===- LayerPatterns.h - the op groups the NPU plan fuses -------*- C++ -*-===//
//
// Tile selection and planning must agree on which ops become one kernel,
// so both ask here.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_PLANNING_LAYERPATTERNS_H
#define MOEC_NPU_PLANNING_LAYERPATTERNS_H

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace moec::npu {

/// `swiglu(gate GEMM, up GEMM)` over the same left-hand operand: both
/// grouped (same offsets) or both dense. Planned as one mixed kernel.
struct GateUpPattern {
  mlir::moe::SwigluOp swiglu;
  mlir::Operation *gate = nullptr, *up = nullptr;
  bool grouped = false;
};

/// The pattern rooted at `swiglu`, if it matches; the GEMMs must have no
/// other users.
std::optional<GateUpPattern> matchGateUp(mlir::moe::SwigluOp swiglu);

/// The linalg.add that adds `combine`'s result to another tensor (the
/// shared experts' output), when it is the combine's only user.
mlir::linalg::AddOp matchCombineAdd(mlir::moe::CombineOp combine);

/// Whether `op` is a dense GEMM the planner takes: linalg.matmul of 2-D
/// operands whose init is a fill of zero.
bool isZeroInitMatmul(mlir::linalg::MatmulOp op);

/// The left (rows) and right (weight) operands of a linalg.matmul or a
/// moe.grouped_matmul.
mlir::Value gemmLhs(mlir::Operation *gemm);
mlir::Value gemmRhs(mlir::Operation *gemm);

/// Whether `gemm` is a grouped GEMM over the rows moe.dispatch gathers,
/// which the plan reads from `x` through the token list, row by row.
bool readsDispatchedRows(mlir::Operation *gemm);

/// The module's NPU target, or failure after an error at the module.
mlir::FailureOr<TargetDesc> planningTarget(mlir::ModuleOp module);

} // namespace moec::npu

#endif // MOEC_NPU_PLANNING_LAYERPATTERNS_H
