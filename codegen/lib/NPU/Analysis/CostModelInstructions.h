//===- CostModelInstructions.h - what one instruction costs -----*- C++ -*-===//
//
// The duration of one instruction on its pipe, and the work it does (cube
// FLOPs, GM bytes), from its evaluated operands and the target. Formulas
// in docs/npu-cost-model.md. Private to MoECNpuAnalysis.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_LIB_NPU_ANALYSIS_COSTMODELINSTRUCTIONS_H
#define MOEC_LIB_NPU_ANALYSIS_COSTMODELINSTRUCTIONS_H

#include "CostModelMemory.h"

#include "moec/NPU/CostModel.h"
#include "moec/NPU/PlanInterpreter.h"

#include <string>

namespace moec::npu {

struct InstructionCost {
  double ns = 0;
  /// 2 m n k of an mmad, with its operand type ("bf16"); 0 otherwise.
  double flops = 0;
  std::string flopsType;
  /// Bytes read from or written to GM.
  double gmBytes = 0;
};

/// What costs depend on beyond the instruction: the target, the cost
/// parameters, the integers gathers read, and the kernel's shape (how many
/// cores share GM).
struct CostContext {
  const TargetDesc &target;
  const CostParams &params;
  const IntegerMemory &memory;
  int64_t grid = 1, subblocks = 1;
};

/// Any instruction the interpreter hands to InstructionHandler::instruction
/// or loadScalar.
llvm::Expected<InstructionCost> instructionCost(mlir::Operation *op,
                                                const CoreRef &core,
                                                const OperandValues &operands,
                                                const CostContext &context);

/// Vector repeats (instructions x 256-byte repeats of the vector width) of
/// one vswiglu, vroute or vaxpy; per-op counts in docs/npu-cost-model.md.
int64_t vectorRepeats(mlir::Operation *op, int64_t widthBytes);

/// "moe_npu.load at f.mlir:3:5 on AIC 0: <message>".
llvm::Error instructionError(mlir::Operation *op, const CoreRef &core,
                             const llvm::Twine &message);

} // namespace moec::npu

#endif // MOEC_LIB_NPU_ANALYSIS_COSTMODELINSTRUCTIONS_H
