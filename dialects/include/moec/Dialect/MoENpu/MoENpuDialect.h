//===- MoENpuDialect.h - moe_npu plan dialect -------------------*- C++ -*-===//

#ifndef MOEC_DIALECT_MOENPU_MOENPUDIALECT_H
#define MOEC_DIALECT_MOENPU_MOENPUDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Dialect.h"
#include "moec/Dialect/MoE/MoEDialect.h"

#include "moec/Dialect/MoENpu/MoENpuDialect.h.inc"

#endif // MOEC_DIALECT_MOENPU_MOENPUDIALECT_H
