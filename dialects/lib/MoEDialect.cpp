//===- MoEDialect.cpp - moe dialect registration ----------------*- C++ -*-===//

#include "moec/Dialect/MoE/MoEDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Dialect/MoE/MoEOps.h"

using namespace mlir;
using namespace mlir::moe;

#include "moec/Dialect/MoE/MoEDialect.cpp.inc"

void MoEDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "moec/Dialect/MoE/MoEOps.cpp.inc"
      >();
  registerAttributes();
}
