//===- TargetAttrConversion.cpp - TargetDesc <-> #moe.target --------------===//

#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace moec;

namespace {

std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

} // namespace

moe::TargetAttr moec::toTargetAttr(MLIRContext *context,
                                   const TargetDesc &target) {
  Builder b(context);
  SmallVector<Attribute> matrix, memory, copies, pipes;
  for (const MatrixMode &mode : target.matrixModes) {
    Type element = parseType(mode.elementType, context);
    assert(element && "registry element types are MLIR type names");
    matrix.push_back(moe::MatrixModeAttr::get(
        context, element, mode.m0, mode.k0, mode.n0, mode.macsPerCycle));
  }
  for (const MemoryLevel &level : target.memory)
    memory.push_back(moe::MemoryLevelAttr::get(
        context, level.name, level.capacityBytes, level.alignmentBytes,
        APFloat(level.bandwidthGBs)));
  for (const CopyEdge &edge : target.copies)
    copies.push_back(
        moe::CopyEdgeAttr::get(context, edge.from, edge.to, edge.pipe));
  for (const std::string &pipe : target.pipes)
    pipes.push_back(b.getStringAttr(pipe));
  return moe::TargetAttr::get(
      context, target.name, target.kind, APFloat(target.clockGHz),
      target.matrixCores, target.vectorCores, target.vector.widthBytes,
      target.vector.blockBytes, b.getArrayAttr(matrix), b.getArrayAttr(memory),
      b.getArrayAttr(copies), b.getArrayAttr(pipes), target.eventIds,
      target.crossCoreEventIds);
}

TargetDesc moec::fromTargetAttr(moe::TargetAttr attr) {
  TargetDesc t;
  t.name = attr.getName().str();
  t.kind = attr.getKind().str();
  t.clockGHz = attr.getClockGhz().convertToDouble();
  t.matrixCores = attr.getCubeCores();
  t.vectorCores = attr.getVectorCores();
  t.vector = {static_cast<int64_t>(attr.getVectorWidth()),
              static_cast<int64_t>(attr.getVectorBlock())};
  for (Attribute element : attr.getMatrix()) {
    auto mode = cast<moe::MatrixModeAttr>(element);
    t.matrixModes.push_back({typeName(mode.getElementType()), mode.getM0(),
                             mode.getK0(), mode.getN0(), mode.getMacs()});
  }
  for (Attribute element : attr.getMemory()) {
    auto level = cast<moe::MemoryLevelAttr>(element);
    t.memory.push_back({level.getName().str(), level.getCapacity(),
                        level.getAlign(),
                        level.getBandwidth().convertToDouble()});
  }
  for (Attribute element : attr.getCopies()) {
    auto edge = cast<moe::CopyEdgeAttr>(element);
    t.copies.push_back(
        {edge.getFrom().str(), edge.getTo().str(), edge.getPipe().str()});
  }
  for (Attribute element : attr.getPipes())
    t.pipes.push_back(cast<StringAttr>(element).getValue().str());
  t.eventIds = attr.getEventIds();
  t.crossCoreEventIds = attr.getCrossCoreEventIds();
  return t;
}
