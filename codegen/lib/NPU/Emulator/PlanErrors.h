//===- PlanErrors.h - errors that name the op, its place and core -*- C++
//-*-===//
//
// Every error of the plan interpreter and the emulator starts with the op
// (and its source position) and, where one runs it, the core.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_PLANERRORS_H
#define MOEC_NPU_EMULATOR_PLANERRORS_H

#include "moec/NPU/PlanInterpreter.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace moec::npu::detail {

llvm::Error planError(const llvm::Twine &message);
/// "moe_npu.load at plan.mlir:3:5: <message>".
llvm::Error opError(mlir::Operation *op, const llvm::Twine &message);
/// "moe_npu.load at plan.mlir:3:5 on AIV 0.1: <message>".
llvm::Error coreError(mlir::Operation *op, const CoreRef &core,
                      const llvm::Twine &message);

} // namespace moec::npu::detail

#endif // MOEC_NPU_EMULATOR_PLANERRORS_H
