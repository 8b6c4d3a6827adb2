//===- CheckCopyEdges.cpp - data movement on the target's copy edges ------===//
//
// The dialect admits every copy some Ascend-like chip has; which of them a
// given chip has, and on which pipe, is the target's `copies` list (910B
// has no UB -> L1 and no L0C -> UB, the 950 has both).
//
//===----------------------------------------------------------------------===//

#include "PlanChecks.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

/// The source and destination buffers of a data-movement instruction.
std::optional<std::pair<Value, Value>> endpoints(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<std::pair<Value, Value>>>(
             op)
      .Case<LoadOp, CopyOp, FixpipeOp, StoreOp>([](auto move) {
        return std::make_pair(move.getSrc(), move.getDst());
      })
      .Default([](Operation *) { return std::nullopt; });
}

std::string edgeList(const TargetDesc &target) {
  SmallVector<std::string> edges;
  for (const CopyEdge &edge : target.copies)
    edges.push_back(edge.from + "->" + edge.to + " on " + edge.pipe);
  return edges.empty() ? "none" : llvm::join(edges, ", ");
}

} // namespace

LogicalResult checkCopyEdges(const RegionScope &scope) {
  bool ok = true;
  scope.region.walk([&](Operation *op) {
    std::optional<std::pair<Value, Value>> ends = endpoints(op);
    if (!ends)
      return;
    std::optional<MemorySpace> from =
        getMemorySpace(cast<MemRefType>(ends->first.getType()));
    std::optional<MemorySpace> to =
        getMemorySpace(cast<MemRefType>(ends->second.getType()));
    if (!from || !to)
      return; // The op verifier rejects buffers without a plan space.
    StringRef fromName = getLevelName(*from), toName = getLevelName(*to);
    std::optional<std::string> pipe = scope.target.copyPipe(fromName, toName);
    if (!pipe) {
      op->emitError() << "copy " << fromName << " -> " << toName
                      << " is not an edge of target '" << scope.target.name
                      << "' (edges: " << edgeList(scope.target) << ")";
      ok = false;
      return;
    }
    std::string issued =
        StringRef(stringifyPipe(cast<PipeOpInterface>(op).getPipe())).upper();
    if (!StringRef(*pipe).equals_insensitive(issued)) {
      op->emitError() << "copy " << fromName << " -> " << toName << " runs on "
                      << *pipe << " in target '" << scope.target.name
                      << "', but " << op->getName() << " issues on " << issued;
      ok = false;
    }
  });
  return success(ok);
}

} // namespace moec::npu
