//===- MoETargetAttrs.cpp - verifiers of the target attributes ------------===//

#include "moec/Dialect/MoE/MoEAttrs.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::moe;

namespace {

bool isNonNegative(const APFloat &value) {
  double number = value.convertToDouble();
  return std::isfinite(number) && number >= 0.0;
}

/// Every element of `array` is an `AttrT`; else an error naming `what`.
template <typename AttrT>
LogicalResult checkElements(function_ref<InFlightDiagnostic()> emitError,
                            ArrayAttr array, StringRef what,
                            StringRef expected) {
  for (auto [index, element] : llvm::enumerate(array))
    if (!isa<AttrT>(element))
      return emitError() << "target " << what << "[" << index << "] must be "
                         << expected << ", got " << element;
  return success();
}

} // namespace

LogicalResult
MemoryLevelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        StringRef name, uint64_t capacity, uint64_t align,
                        APFloat bandwidth) {
  if (name.empty())
    return emitError() << "memory level needs a name";
  if (!llvm::isPowerOf2_64(align))
    return emitError() << "memory level '" << name
                       << "': align must be a power of two, got " << align;
  if (!isNonNegative(bandwidth))
    return emitError() << "memory level '" << name
                       << "': bandwidth must be finite and non-negative, got "
                       << bandwidth.convertToDouble();
  return success();
}

LogicalResult
MatrixModeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       Type elementType, int64_t m0, int64_t k0, int64_t n0,
                       int64_t macs) {
  if (!elementType.isIntOrFloat())
    return emitError() << "matrix mode element type must be an integer or "
                          "float type, got "
                       << elementType;
  for (auto [label, value] :
       {std::pair{"m0", m0}, {"k0", k0}, {"n0", n0}, {"macs", macs}})
    if (value < 1)
      return emitError() << "matrix mode " << elementType << ": " << label
                         << " must be at least 1, got " << value;
  return success();
}

LogicalResult TargetAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef name,
    StringRef kind, APFloat clockGhz, uint64_t cubeCores, uint64_t vectorCores,
    uint64_t vectorWidth, uint64_t vectorBlock, uint64_t vectorRegisters,
    ArrayAttr features, ArrayAttr matrix, ArrayAttr memory, ArrayAttr copies,
    ArrayAttr pipes, uint64_t eventIds, uint64_t crossCoreEventIds) {
  if (kind != "cpu" && kind != "npu")
    return emitError() << "target '" << name
                       << "': kind must be \"cpu\" or \"npu\", got \"" << kind
                       << "\"";
  if (!isNonNegative(clockGhz))
    return emitError() << "target '" << name
                       << "': clock_ghz must be finite and non-negative";
  if (vectorCores == 0)
    return emitError() << "target '" << name
                       << "': vector_cores must be at least 1";
  if (vectorBlock == 0 || vectorWidth == 0 || vectorWidth % vectorBlock != 0)
    return emitError() << "target '" << name << "': vector_width ("
                       << vectorWidth
                       << ") must be a positive multiple of vector_block ("
                       << vectorBlock << ")";
  if (failed(checkElements<MatrixModeAttr>(emitError, matrix, "matrix",
                                           "a #moe.matrix")) ||
      failed(checkElements<MemoryLevelAttr>(emitError, memory, "memory",
                                            "a #moe.memory")) ||
      failed(checkElements<CopyEdgeAttr>(emitError, copies, "copies",
                                         "a #moe.copy")) ||
      failed(checkElements<StringAttr>(emitError, pipes, "pipes", "a string")))
    return failure();
  if (!matrix.empty() && cubeCores == 0)
    return emitError() << "target '" << name
                       << "': matrix modes need cube_cores >= 1";

  llvm::StringSet<> levels, pipeNames;
  for (Attribute element : memory) {
    StringRef level = cast<MemoryLevelAttr>(element).getName();
    if (!levels.insert(level).second)
      return emitError() << "target '" << name << "': memory level '" << level
                         << "' appears twice";
  }
  for (Attribute element : pipes)
    pipeNames.insert(cast<StringAttr>(element).getValue());
  for (Attribute element : copies) {
    auto copy = cast<CopyEdgeAttr>(element);
    for (StringRef level : {copy.getFrom(), copy.getTo()})
      if (!levels.contains(level))
        return emitError() << "target '" << name << "': copy " << copy.getFrom()
                           << " -> " << copy.getTo() << " names memory level '"
                           << level << "', which the target does not have";
    if (!pipeNames.contains(copy.getPipe()))
      return emitError() << "target '" << name << "': copy " << copy.getFrom()
                         << " -> " << copy.getTo() << " runs on pipe '"
                         << copy.getPipe() << "', which is not in pipes";
  }
  return success();
}
