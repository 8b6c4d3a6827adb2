//===- PlanBuffers.cpp - local buffers of a plan's kernel regions ---------===//

#include "PlanBuffers.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {

/// The attribute the planner (or a test) pins a kernel's tiles with.
constexpr llvm::StringLiteral kTilingAttrName = "moe_npu.tiling";

std::optional<int64_t> elementBytes(Type type) {
  if (!type.isIntOrFloat() || type.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getIntOrFloatBitWidth() / 8;
}

std::optional<int64_t> slotBytes(AllocOp alloc) {
  std::optional<int64_t> bytes =
      elementBytes(alloc.getResult().getType().getElementType());
  if (!bytes)
    return std::nullopt;
  return *bytes * alloc.getRows() * alloc.getCols();
}

std::optional<int64_t> allocBytes(AllocOp alloc) {
  std::optional<int64_t> slot = slotBytes(alloc);
  if (!slot)
    return std::nullopt;
  return *slot * alloc.getSlots();
}

SmallVector<AllocOp> regionAllocs(Region &region) {
  SmallVector<AllocOp> allocs;
  region.walk([&](AllocOp alloc) { allocs.push_back(alloc); });
  return allocs;
}

StringRef coreKindName(bool cube) { return cube ? "cube core" : "vector core"; }

std::string regionLabel(KernelOp kernel, bool cube) {
  return ("kernel '" + kernel.getKernelName() + "' (" + coreKindName(cube) +
          ")")
      .str();
}

std::string describeAlloc(AllocOp alloc) {
  std::string text = alloc.getBufferName().str() + " ";
  llvm::raw_string_ostream os(text);
  MemRefType type = alloc.getResult().getType();
  for (int64_t dim : type.getShape())
    os << dim << "x";
  type.getElementType().print(os);
  return text;
}

std::string kernelTiling(KernelOp kernel) {
  Attribute tiling = kernel->getAttr(kTilingAttrName);
  if (!tiling)
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  tiling.print(os);
  return text;
}

} // namespace moec::npu
