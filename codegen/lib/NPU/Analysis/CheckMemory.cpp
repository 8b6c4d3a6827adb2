//===- CheckMemory.cpp - capacity, alignment and overlap of local buffers -===//
//
// Allocs live for their whole kernel region, so every alloc of a region
// counts against its memory at once (all slots: a double buffer twice).
//
//===----------------------------------------------------------------------===//

#include "PlanBuffers.h"
#include "PlanChecks.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

/// An alloc with its byte range in its memory.
struct Placed {
  AllocOp alloc;
  int64_t begin, end;
};

std::string rangeText(const Placed &p) {
  return "[" + std::to_string(p.begin) + ", " + std::to_string(p.end) + ")";
}

LogicalResult checkAlignment(const RegionScope &scope, const MemoryLevel &level,
                             ArrayRef<Placed> allocs) {
  bool ok = true;
  int64_t align = level.alignmentBytes;
  for (const Placed &p : allocs) {
    AllocOp alloc = p.alloc;
    if (p.begin % align != 0) {
      alloc.emitError() << "offset " << p.begin << " of '"
                        << alloc.getBufferName() << "' in " << level.name
                        << " is not a multiple of the " << align
                        << "-byte alignment of target '" << scope.target.name
                        << "'";
      ok = false;
    }
    int64_t slot = *slotBytes(alloc);
    if (slot % align != 0) {
      alloc.emitError() << "a slot of '" << alloc.getBufferName() << "' ("
                        << alloc.getRows() << "x" << alloc.getCols() << "x"
                        << elementTypeName(
                               alloc.getResult().getType().getElementType())
                        << ") is " << slot << " bytes, not a multiple of the "
                        << align << "-byte alignment of " << level.name
                        << " in target '" << scope.target.name << "'";
      ok = false;
    }
  }
  return success(ok);
}

LogicalResult checkOverlaps(const RegionScope &scope, const MemoryLevel &level,
                            ArrayRef<Placed> allocs) {
  bool ok = true;
  for (auto [i, later] : llvm::enumerate(allocs))
    for (const Placed &earlier : allocs.take_front(i)) {
      if (later.begin >= earlier.end || earlier.begin >= later.end)
        continue;
      AllocOp laterOp = later.alloc, earlierOp = earlier.alloc;
      InFlightDiagnostic diag = laterOp.emitError()
                                << "'" << laterOp.getBufferName() << "' "
                                << rangeText(later) << " overlaps '"
                                << earlierOp.getBufferName() << "' "
                                << rangeText(earlier) << " in " << level.name
                                << " of " << scope.label();
      diag.attachNote(earlierOp.getLoc())
          << "'" << earlierOp.getBufferName() << "' is allocated here";
      ok = false;
    }
  return success(ok);
}

LogicalResult checkCapacity(const RegionScope &scope, const MemoryLevel &level,
                            ArrayRef<Placed> allocs) {
  int64_t capacity = level.capacityBytes;
  int64_t total = 0;
  for (const Placed &p : allocs)
    total += p.end - p.begin;
  if (total > capacity) {
    SmallVector<std::string> items;
    for (const Placed &p : allocs)
      items.push_back(describeAlloc(p.alloc) + " = " +
                      std::to_string(p.end - p.begin));
    KernelOp kernel = scope.kernel;
    InFlightDiagnostic diag = kernel.emitError()
                              << "'" << level.name << "' overflows by "
                              << total - capacity << " bytes (" << total
                              << " of " << capacity << ") in " << scope.label()
                              << ": " << llvm::join(items, ", ");
    std::string tiling = kernelTiling(kernel);
    if (!tiling.empty())
      diag << "; tiling " << tiling;
    return failure();
  }
  // The buffers fit in total but one may still be placed past the end.
  bool ok = true;
  for (const Placed &p : allocs)
    if (p.end > capacity) {
      AllocOp alloc = p.alloc;
      alloc.emitError() << "'" << alloc.getBufferName() << "' " << rangeText(p)
                        << " ends past the " << capacity << " bytes of '"
                        << level.name << "' in " << scope.label();
      ok = false;
    }
  return success(ok);
}

} // namespace

LogicalResult checkMemory(const RegionScope &scope) {
  bool ok = true;
  llvm::MapVector<MemorySpace, SmallVector<Placed>> bySpace;
  for (AllocOp alloc : regionAllocs(scope.region)) {
    std::optional<int64_t> bytes = allocBytes(alloc);
    if (!bytes) {
      alloc.emitError() << "'" << alloc.getBufferName() << "' has element type "
                        << elementTypeName(
                               alloc.getResult().getType().getElementType())
                        << ", which has no size in bytes";
      ok = false;
      continue;
    }
    int64_t offset = alloc.getOffset();
    bySpace[alloc.getSpace()].push_back({alloc, offset, offset + *bytes});
  }
  for (auto &[space, allocs] : bySpace) {
    StringRef name = getLevelName(space);
    const MemoryLevel *level = scope.target.level(name);
    if (!level || level->capacityBytes == 0) {
      AllocOp first = allocs.front().alloc;
      first.emitError() << scope.label() << " allocates in " << name
                        << ", but target '" << scope.target.name << "' "
                        << (level ? "gives no capacity for it"
                                  : "has no such memory");
      ok = false;
      continue;
    }
    ok &= succeeded(checkAlignment(scope, *level, allocs));
    ok &= succeeded(checkOverlaps(scope, *level, allocs));
    ok &= succeeded(checkCapacity(scope, *level, allocs));
  }
  return success(ok);
}

} // namespace moec::npu
