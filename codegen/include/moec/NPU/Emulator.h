//===- Emulator.h - run a moe_npu plan on the CPU ---------------*- C++ -*-===//
//
// Executes a kernel plan the way an Ascend-like chip would: every core of
// every block, fractal (NZ) layouts in the cube's buffers, f32 arithmetic
// rounded to the element types, and flags as counters. By default it also
// checks that the plan's flags order every access to shared data (a read
// after the write it needs, a write after the reads and writes before it),
// so a plan missing a sync fails here with the access and the two
// instructions named. docs/npu-plan.md, "Emulator".
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_H
#define MOEC_NPU_EMULATOR_H

#include "moec/Runtime/TensorView.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace moec::npu {

struct EmulatorOptions {
  /// Check with vector clocks that flags order every access to data another
  /// pipe or core wrote or read; the first violation is the error.
  bool checkOrdering = true;
};

/// Runs `plan` (a function of moe_npu ops; see moec/Pipelines/NPUPipeline.h
/// for the convention) on `args`, the caller's buffers for its arguments
/// in order: the inputs, then the out-parameters. Each must match its
/// argument's element type (f32, f16, bf16, i32 or i64), rank and static
/// sizes; dynamic sizes are taken from the views (any strides). The
/// arguments the plan writes are copied back into the views, and only when
/// it succeeds. Workspaces and local buffers start zeroed. The plan is only
/// read, so several emulations of one plan may run at once.
llvm::Error emulatePlan(mlir::func::FuncOp plan,
                        llvm::ArrayRef<TensorView> args,
                        const EmulatorOptions &options = {});

} // namespace moec::npu

#endif // MOEC_NPU_EMULATOR_H
