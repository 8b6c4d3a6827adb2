//===- CostModel.h - time estimate of a moe_npu plan ------------*- C++ -*-===//
//
// Times block 0 of every kernel of a plan on the module's NPU target: the
// plan interpreter runs the control flow, and each instruction occupies
// its pipe for a duration computed from the target's bandwidths, matrix
// rate, vector width and clock; set/wait flags and cross-core syncs hold
// the waiting pipe until the signalling pipe has reached the signal. The
// formulas, defaults and what the model ignores are in
// docs/npu-cost-model.md.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_COSTMODEL_H
#define MOEC_NPU_COSTMODEL_H

#include "moec/Dialect/MoENpu/MoENpuOps.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace moec::npu {

/// Cost-model inputs no target description holds; all are assumptions
/// (docs/npu-cost-model.md gives the reasoning).
struct CostParams {
  /// Cycles each GM burst costs its MTE2/MTE3/FIX pipe on top of its bytes:
  /// one burst per load, store or fixpipe, one per row of a gathered load.
  double burstCycles = 32;
  /// Cycles of one load_scalar: a round trip of the scalar unit to GM.
  double loadScalarCycles = 100;
  /// Scalar cycles dispatch_metadata spends per (token, slot) pair.
  double metadataCyclesPerPair = 8;
};

/// The pipes, indexed by mlir::moe_npu::Pipe's values.
constexpr unsigned kNumPipes = 7;
/// The order the report lists them in: data in, cube, vector, data out.
constexpr std::array<mlir::moe_npu::Pipe, kNumPipes> kReportPipeOrder = {
    mlir::moe_npu::Pipe::mte2, mlir::moe_npu::Pipe::mte1,
    mlir::moe_npu::Pipe::m,    mlir::moe_npu::Pipe::v,
    mlir::moe_npu::Pipe::fix,  mlir::moe_npu::Pipe::mte3,
    mlir::moe_npu::Pipe::s};

/// The local buffers of one memory on one kind of core of a kernel.
struct MemoryUse {
  std::string level; ///< "L1", "UB", ...
  bool cube = true;  ///< the cube region's buffers, else the vector region's
  int64_t bytes = 0;
  int64_t capacity = 0;
};

/// How busy one pipe was: its busiest core of block 0.
struct PipeBusy {
  double us = 0;
  bool onCube = true;
};

struct KernelEstimate {
  std::string name;
  int64_t grid = 0, subblocks = 0;
  /// The kernel's `moe_npu.tiling` attribute as text; "" when it has none.
  std::string tiling;
  std::vector<MemoryUse> memory;
  /// Indexed by mlir::moe_npu::Pipe.
  std::array<PipeBusy, kNumPipes> busy;
  /// When the last pipe of block 0 finishes, the pipes overlapping as the
  /// flags allow.
  double estimateUs = 0;
  /// The pipe with the largest busy time (the unit to speed up first);
  /// meaningless when the kernel issues nothing (`estimateUs` 0).
  mlir::moe_npu::Pipe bound = mlir::moe_npu::Pipe::s;
  /// Cube FLOPs (2 m n k per mmad) and GM bytes read and written, counted
  /// over block 0 and multiplied by the grid: the work the estimate is for.
  double flops = 0, gmBytes = 0;
  /// max(compute, memory): FLOPs over the chip's cube peak for their
  /// operand type, GM bytes over the chip's GM bandwidth.
  double computeUs = 0, memoryUs = 0;
  double rooflineUs() const { return std::max(computeUs, memoryUs); }
};

struct PlanEstimate {
  std::string function;
  std::string target;
  int64_t tokens = 0;
  std::vector<KernelEstimate> kernels;
  /// Kernels run one after the other, so times and work add up.
  double totalUs() const;
  double totalFlops() const;
  double totalGmBytes() const;
  double totalRooflineUs() const;
};

/// Estimates `plan` (a func.func of moe_npu kernels) on `target` with
/// `tokens` for every dynamic dimension of its arguments. Errors name what
/// the plan or the target lacks (an instruction the interpreter rejects, a
/// bandwidth the target does not give).
llvm::Expected<PlanEstimate> estimatePlan(mlir::func::FuncOp plan,
                                          const TargetDesc &target,
                                          int64_t tokens,
                                          const CostParams &params = {});

/// The report --moe-plan-report prints (format in docs/npu-cost-model.md).
void printPlanEstimate(const PlanEstimate &estimate, llvm::raw_ostream &os);

} // namespace moec::npu

#endif // MOEC_NPU_COSTMODEL_H
