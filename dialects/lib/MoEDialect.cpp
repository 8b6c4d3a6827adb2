//===- MoEDialect.cpp - moe dialect registration ----------------*- C++ -*-===//

#include "moec/Dialect/MoE/MoEDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/InliningUtils.h"
#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Dialect/MoE/MoEOps.h"

using namespace mlir;
using namespace mlir::moe;

#include "moec/Dialect/MoE/MoEDialect.cpp.inc"

namespace {

/// Every moe op is pure and refers to nothing outside its operands, so it
/// can be inlined anywhere (a training step inlines the gradient of its
/// loss).
struct MoEInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;

  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};

} // namespace

void MoEDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "moec/Dialect/MoE/MoEOps.cpp.inc"
      >();
  registerAttributes();
  addInterfaces<MoEInlinerInterface>();
}
