//===- TargetAttrConversion.cpp - TargetDesc <-> #moe.target --------------===//

#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace moec;

std::string moec::elementTypeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

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
  SmallVector<Attribute> features;
  for (const std::string &feature : target.features)
    features.push_back(b.getStringAttr(feature));
  return moe::TargetAttr::get(
      context, target.name, target.kind, APFloat(target.clockGHz),
      target.matrixCores, target.vectorCores, target.vector.widthBytes,
      target.vector.blockBytes, target.vector.registers,
      features.empty() ? ArrayAttr() : b.getArrayAttr(features),
      b.getArrayAttr(matrix), b.getArrayAttr(memory), b.getArrayAttr(copies),
      b.getArrayAttr(pipes), target.eventIds, target.crossCoreEventIds);
}

TargetDesc moec::fromTargetAttr(moe::TargetAttr attr) {
  TargetDesc t;
  t.name = attr.getName().str();
  t.kind = attr.getKind().str();
  t.clockGHz = attr.getClockGhz().convertToDouble();
  t.matrixCores = attr.getCubeCores();
  t.vectorCores = attr.getVectorCores();
  t.vector = {static_cast<int64_t>(attr.getVectorWidth()),
              static_cast<int64_t>(attr.getVectorBlock()),
              static_cast<unsigned>(attr.getVectorRegisters())};
  if (ArrayAttr features = attr.getFeatures())
    for (Attribute feature : features)
      t.features.push_back(cast<StringAttr>(feature).getValue().str());
  for (Attribute element : attr.getMatrix()) {
    auto mode = cast<moe::MatrixModeAttr>(element);
    t.matrixModes.push_back({elementTypeName(mode.getElementType()),
                             mode.getM0(), mode.getK0(), mode.getN0(),
                             mode.getMacs()});
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

/// The module's target is not of the kind `need` ("planning needs ...")
/// asks for.
static llvm::Error wrongKind(const TargetDesc &target, llvm::StringRef need,
                             llvm::StringRef kind) {
  return llvm::createStringError(llvm::Twine("'") + kTargetAttrName + "' is '" +
                                 target.name + "', a " + target.kind +
                                 " target; " + need + " kind \"" + kind + "\"");
}

llvm::Expected<TargetDesc> moec::npuTargetOf(Operation *module) {
  auto attr =
      dyn_cast_or_null<moe::TargetAttr>(module->getAttr(kTargetAttrName));
  if (!attr)
    return llvm::createStringError(
        llvm::Twine("planning needs an NPU target: the module has no '") +
        kTargetAttrName +
        "' #moe.target (set one with --moe-set-target, moe-opt --moe-target "
        "or the pipeline's target option, e.g. ascend-910b)");
  TargetDesc target = fromTargetAttr(attr);
  if (target.kind != "npu")
    return wrongKind(target, "planning needs", "npu");
  return target;
}

llvm::Expected<CPUTargetDesc> moec::cpuTargetOf(Operation *module,
                                                llvm::StringRef fallbackSpec) {
  Attribute raw = module->getAttr(kTargetAttrName);
  if (!raw)
    return resolveCPUTarget(fallbackSpec);
  auto attr = dyn_cast<moe::TargetAttr>(raw);
  if (!attr)
    return llvm::createStringError(llvm::Twine("'") + kTargetAttrName +
                                   "' must be a #moe.target");
  TargetDesc target = fromTargetAttr(attr);
  if (target.kind != "cpu")
    return wrongKind(target, "the CPU kernels need", "cpu");
  CPUTargetDesc cpu;
  cpu.name = target.name;
  cpu.vectorBits = static_cast<unsigned>(target.vector.widthBytes * 8);
  cpu.numVectorRegisters = target.vector.registers;
  cpu.enableFeatures(target.features);
  cpu.numCores = target.vectorCores;
  for (auto [levelName, bytes] :
       {std::pair{"L1d", &cpu.l1dBytes}, std::pair{"L2", &cpu.l2Bytes},
        std::pair{"L3", &cpu.l3Bytes}}) {
    const MemoryLevel *level = target.level(levelName);
    if (!level || level->capacityBytes == 0)
      return llvm::createStringError(
          llvm::Twine("'") + kTargetAttrName + "' ('" + target.name +
          "') needs memory level '" + levelName + "' with its capacity");
    *bytes = level->capacityBytes;
  }
  if (!llvm::is_contained({128u, 256u, 512u}, cpu.vectorBits) ||
      cpu.numVectorRegisters < 8)
    return llvm::createStringError(
        llvm::Twine("'") + kTargetAttrName + "' ('" + target.name +
        "') needs vector_width 16, 32 or 64 and vector_registers >= 8, got " +
        llvm::Twine(target.vector.widthBytes) + " and " +
        llvm::Twine(target.vector.registers));
  return cpu;
}
