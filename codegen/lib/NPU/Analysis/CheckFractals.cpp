//===- CheckFractals.cpp - cube tiles against the target's fractals -------===//
//
// The cube multiplies m0 x k0 by k0 x n0 fractals of its operand type, and
// L1 holds operands as 16-row x 32-byte fractals (m0 x k0 of the type), so
// every tile the cube touches is a whole number of fractals. An L0C tile
// holds f32 results of operands of another type: its fractal is that of
// the mmads that accumulate into it, hence the walk over the mmads first.
//
//===----------------------------------------------------------------------===//

#include "PlanBuffers.h"
#include "PlanChecks.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

/// The two fractal dimensions a tile of `space` must be a multiple of, and
/// their names.
struct FractalShape {
  int64_t rows, cols;
  const char *names;
  const char *role;
};

FractalShape fractalOf(MemorySpace space, const MatrixMode &mode) {
  switch (space) {
  case MemorySpace::l0a:
    return {mode.m0, mode.k0, "m0 x k0", "an A operand"};
  case MemorySpace::l0b:
    return {mode.k0, mode.n0, "k0 x n0", "a B operand"};
  case MemorySpace::l0c:
    return {mode.m0, mode.n0, "m0 x n0", "an accumulator"};
  default:
    return {mode.m0, mode.k0, "16 rows x 32 bytes", "an L1 tile"};
  }
}

bool isCubeSpace(MemorySpace space) {
  return space == MemorySpace::l1 || space == MemorySpace::l0a ||
         space == MemorySpace::l0b || space == MemorySpace::l0c;
}

std::string modeList(const TargetDesc &target) {
  SmallVector<StringRef> names;
  for (const MatrixMode &mode : target.matrixModes)
    names.push_back(mode.elementType);
  return names.empty() ? "none" : llvm::join(names, ", ");
}

} // namespace

LogicalResult checkFractals(const RegionScope &scope) {
  // The operand type whose fractal each cube buffer must respect: A's for
  // the operands of an mmad, else the buffer's own.
  llvm::DenseMap<Value, Type> operandType;
  scope.region.walk([&](MmadOp mmad) {
    Type element = mmad.getA().getType().getElementType();
    for (Value buffer : {mmad.getA(), mmad.getB(), mmad.getC()})
      operandType.try_emplace(buffer, element);
  });

  bool ok = true;
  for (AllocOp alloc : regionAllocs(scope.region)) {
    if (!isCubeSpace(alloc.getSpace()))
      continue;
    Value buffer = alloc.getResult();
    Type element = operandType.lookup(buffer);
    if (!element)
      element = alloc.getResult().getType().getElementType();
    std::string elementName = elementTypeName(element);
    const MatrixMode *mode = scope.target.matrixMode(elementName);
    if (!mode) {
      alloc.emitError() << "cube buffer '" << alloc.getBufferName()
                        << "' holds " << elementName
                        << " operands, which have no matrix mode in target '"
                        << scope.target.name
                        << "' (modes: " << modeList(scope.target) << ")";
      ok = false;
      continue;
    }
    FractalShape fractal = fractalOf(alloc.getSpace(), *mode);
    if (alloc.getRows() % fractal.rows == 0 &&
        alloc.getCols() % fractal.cols == 0)
      continue;
    alloc.emitError() << getLevelName(alloc.getSpace()) << " tile '"
                      << alloc.getBufferName() << "' " << alloc.getRows() << "x"
                      << alloc.getCols() << " (" << fractal.role << " of "
                      << elementName << ") is not a multiple of the "
                      << fractal.rows << "x" << fractal.cols << " fractal ("
                      << fractal.names << ") of target '" << scope.target.name
                      << "'";
    ok = false;
  }
  return success(ok);
}

} // namespace moec::npu
