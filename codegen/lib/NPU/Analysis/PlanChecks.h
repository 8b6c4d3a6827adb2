//===- PlanChecks.h - the checks of --moe-npu-verify-plan -------*- C++ -*-===//
//
// One function per kind of check, each over one region (cube or vector) of
// one kernel. Each reports every problem it finds as an error on the op at
// fault and returns failure if there was any, so that one run of the
// verifier lists all of a plan's problems. Private to MoECNpuAnalysis.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_LIB_NPU_ANALYSIS_PLANCHECKS_H
#define MOEC_LIB_NPU_ANALYSIS_PLANCHECKS_H

#include "moec/Dialect/MoENpu/MoENpuOps.h"
#include "moec/Target/TargetDesc.h"

#include <string>

namespace moec::npu {

/// One kernel region under check.
struct RegionScope {
  mlir::moe_npu::KernelOp kernel;
  mlir::Region &region;
  bool cube;
  const TargetDesc &target;

  /// "kernel 'gemm' (cube core)".
  std::string label() const;
};

/// Sum of the allocs of each memory space against the level's capacity;
/// offsets and slot sizes against its alignment; overlapping allocs.
mlir::LogicalResult checkMemory(const RegionScope &scope);

/// Tiles of cube operands (L1, L0A, L0B, L0C) against the fractal of the
/// matrix mode of their element type.
mlir::LogicalResult checkFractals(const RegionScope &scope);

/// Every load, copy, fixpipe and store runs on a copy edge of the target,
/// on the edge's pipe.
mlir::LogicalResult checkCopyEdges(const RegionScope &scope);

/// Event ids of set/wait flags and cross-core flag ids stay below the
/// target's budgets for every value they can take.
mlir::LogicalResult checkEventIds(const RegionScope &scope);

/// The kernel's grid and subblocks fit the target's cores.
mlir::LogicalResult checkGrid(mlir::moe_npu::KernelOp kernel,
                              const TargetDesc &target);

} // namespace moec::npu

#endif // MOEC_LIB_NPU_ANALYSIS_PLANCHECKS_H
