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
  if (auto attr =
          llvm::dyn_cast_or_null<MemorySpaceAttr>(type.getMemorySpace()))
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

LogicalResult
GemmTilingAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t bm,
                       int64_t bn, int64_t bk) {
  if (bm <= 0 || bn <= 0 || bk <= 0)
    return emitError() << "gemm tile sizes must be positive, got bm = " << bm
                       << ", bn = " << bn << ", bk = " << bk;
  return success();
}

LogicalResult
VectorTilingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0)
    return emitError() << "vector tile sizes must be positive, got rows = "
                       << rows << ", cols = " << cols;
  return success();
}
