//===- MoENpuOps.h - moe_npu plan operations --------------------*- C++ -*-===//

#ifndef MOEC_DIALECT_MOENPU_MOENPUOPS_H
#define MOEC_DIALECT_MOENPU_MOENPUOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Dialect/MoENpu/MoENpuDialect.h"

#include "moec/Dialect/MoENpu/MoENpuEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "moec/Dialect/MoENpu/MoENpuAttrs.h.inc"

#include "moec/Dialect/MoENpu/MoENpuInterfaces.h.inc"

#define GET_OP_CLASSES
#include "moec/Dialect/MoENpu/MoENpuOps.h.inc"

namespace mlir::moe_npu {

/// The plan memory space of a memref type, if it has one.
std::optional<MemorySpace> getMemorySpace(MemRefType type);

/// "GM", "L1", "L0A", "L0B", "L0C", "UB": the names `moe.target` uses.
llvm::StringRef getLevelName(MemorySpace space);

} // namespace mlir::moe_npu

#endif // MOEC_DIALECT_MOENPU_MOENPUOPS_H
