//===- MoEDialect.h - moe dialect -------------------------------*- C++ -*-===//

#ifndef MOEC_DIALECT_MOE_MOEDIALECT_H
#define MOEC_DIALECT_MOE_MOEDIALECT_H

#include "mlir/IR/Dialect.h"

#include "moec/Dialect/MoE/MoEDialect.h.inc"

#endif // MOEC_DIALECT_MOE_MOEDIALECT_H
