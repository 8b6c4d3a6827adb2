//===- CostModelTimeline.h - pipes as time cursors --------------*- C++ -*-===//
//
// The cost model's InstructionHandler. Each pipe of each core has a time
// cursor: an instruction starts when its pipe is free and the scalar unit
// has issued it, and holds the pipe for its duration; a signal records the
// signalling pipe's cursor under its token, and the wait that consumes it
// moves the waiting pipe's cursor up to that time. Private to
// MoECNpuAnalysis.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_LIB_NPU_ANALYSIS_COSTMODELTIMELINE_H
#define MOEC_LIB_NPU_ANALYSIS_COSTMODELTIMELINE_H

#include "CostModelInstructions.h"
#include "CostModelMemory.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <map>

namespace moec::npu {

/// Block 0 of one kernel, timed.
struct KernelTiming {
  std::array<PipeBusy, kNumPipes> busy; ///< in µs
  double finishUs = 0;
  /// Cube FLOPs by operand type ("bf16") and GM bytes of the timed cores.
  llvm::StringMap<double> flops;
  double gmBytes = 0;
};

class TimingHandler final : public InstructionHandler {
public:
  TimingHandler(const TargetDesc &target, const CostParams &params)
      : target(target), params(params) {}

  llvm::Error createBuffer(const BufferInfo &info) override;
  llvm::Error beginKernel(mlir::moe_npu::KernelOp kernel) override;
  llvm::Error endKernel(mlir::moe_npu::KernelOp kernel) override;
  llvm::Error instruction(mlir::Operation *op, const CoreRef &core,
                          const OperandValues &operands) override;
  llvm::Expected<int64_t> loadScalar(mlir::moe_npu::LoadScalarOp op,
                                     const CoreRef &core,
                                     const OperandValues &operands) override;
  llvm::Error signal(mlir::Operation *op, const CoreRef &core,
                     uint64_t token) override;
  llvm::Error await(mlir::Operation *op, const CoreRef &core,
                    uint64_t token) override;

  /// One per kernel run, in launch order.
  llvm::ArrayRef<KernelTiming> kernels() const { return timings; }

private:
  /// Time cursors and busy time of one core's pipes, in ns.
  struct CoreClock {
    std::array<double, kNumPipes> cursor{}, busy{};
  };

  CoreClock &clockOf(const CoreRef &core);
  /// When `core` can start something on `pipe`: the pipe is free and the
  /// scalar unit, which issues in program order, has got there.
  double issueTime(CoreClock &clock, mlir::moe_npu::Pipe pipe) const;
  llvm::Error charge(mlir::Operation *op, const CoreRef &core,
                     const OperandValues &operands);

  const TargetDesc &target;
  const CostParams &params;
  IntegerMemory memory;
  int64_t grid = 1, subblocks = 1;
  std::map<std::pair<int64_t, int64_t>, CoreClock> cores;
  llvm::DenseMap<uint64_t, double> signalled;
  KernelTiming current;
  std::vector<KernelTiming> timings;
};

} // namespace moec::npu

#endif // MOEC_LIB_NPU_ANALYSIS_COSTMODELTIMELINE_H
