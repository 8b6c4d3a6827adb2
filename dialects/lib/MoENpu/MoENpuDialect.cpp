//===- MoENpuDialect.cpp - moe_npu dialect registration ---------*- C++ -*-===//

#include "moec/Dialect/MoENpu/MoENpuDialect.h"

#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::moe_npu;

#include "moec/Dialect/MoENpu/MoENpuDialect.cpp.inc"
#include "moec/Dialect/MoENpu/MoENpuEnums.cpp.inc"
#include "moec/Dialect/MoENpu/MoENpuInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "moec/Dialect/MoENpu/MoENpuAttrs.cpp.inc"

void MoENpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "moec/Dialect/MoENpu/MoENpuOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "moec/Dialect/MoENpu/MoENpuAttrs.cpp.inc"
      >();
}

std::optional<MemorySpace> mlir::moe_npu::getMemorySpace(MemRefType type) {
  if (auto attr = llvm::dyn_cast_or_null<MemorySpaceAttr>(type.getMemorySpace()))
    return attr.getValue();
  return std::nullopt;
}

StringRef mlir::moe_npu::getLevelName(MemorySpace space) {
  switch (space) {
  case MemorySpace::gm:
    return "GM";
  case MemorySpace::l1:
    return "L1";
  case MemorySpace::l0a:
    return "L0A";
  case MemorySpace::l0b:
    return "L0B";
  case MemorySpace::l0c:
    return "L0C";
  case MemorySpace::ub:
    return "UB";
  }
  llvm_unreachable("unknown memory space");
}
