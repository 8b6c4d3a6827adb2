//===- MoENpuOps.cpp - moe_npu plan operations ------------------*- C++ -*-===//
//
// Target-independent checks: memory spaces, ranks, tile shapes and element
// types. Capacities, alignment, fractal multiples and copy edges depend on
// the target and are checked by --moe-npu-verify-plan.
//
//===----------------------------------------------------------------------===//

#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace {

MemRefType memrefOf(Value value) {
  return llvm::cast<MemRefType>(value.getType());
}

/// Checks that `value` lives in one of `spaces`.
LogicalResult checkSpace(Operation *op, StringRef role, Value value,
                         ArrayRef<MemorySpace> spaces) {
  std::optional<MemorySpace> space = getMemorySpace(memrefOf(value));
  if (space && llvm::is_contained(spaces, *space))
    return success();
  std::string expected;
  llvm::raw_string_ostream os(expected);
  llvm::interleave(
      spaces, os, [&](MemorySpace s) { os << stringifyMemorySpace(s); },
      " or ");
  return op->emitOpError() << role << " must be in " << expected
                           << " memory, got " << value.getType();
}

/// A local tile buffer: [slots, rows, cols] with a static shape.
LogicalResult checkTileBuffer(Operation *op, StringRef role, Value value) {
  MemRefType type = memrefOf(value);
  if (type.getRank() != 3 || !type.hasStaticShape())
    return op->emitOpError()
           << role << " must be a static [slots, rows, cols] buffer, got "
           << type;
  return success();
}

/// Rows and columns of one slot of a tile buffer.
std::pair<int64_t, int64_t> tileShape(Value value) {
  MemRefType type = memrefOf(value);
  return {type.getDimSize(1), type.getDimSize(2)};
}

LogicalResult checkSameTile(Operation *op, StringRef lhsRole, Value lhs,
                            StringRef rhsRole, Value rhs) {
  if (tileShape(lhs) == tileShape(rhs))
    return success();
  auto [lr, lc] = tileShape(lhs);
  auto [rr, rc] = tileShape(rhs);
  return op->emitOpError() << lhsRole << " tile " << lr << "x" << lc << " and "
                           << rhsRole << " tile " << rr << "x" << rc
                           << " differ";
}

LogicalResult checkSameElement(Operation *op, StringRef lhsRole, Value lhs,
                               StringRef rhsRole, Value rhs) {
  Type l = memrefOf(lhs).getElementType(), r = memrefOf(rhs).getElementType();
  if (l == r)
    return success();
  return op->emitOpError() << lhsRole << " element type " << l << " and "
                           << rhsRole << " element type " << r << " differ";
}

/// GM operands are addressed with one index per dimension; the last two
/// are row and column.
LogicalResult checkGlobalAccess(Operation *op, StringRef role, Value value,
                                ValueRange indices) {
  MemRefType type = memrefOf(value);
  if (type.getRank() < 1 || type.getRank() > 3)
    return op->emitOpError() << role << " must have rank 1 to 3, got " << type;
  if (static_cast<int64_t>(indices.size()) != type.getRank())
    return op->emitOpError()
           << role << " of rank " << type.getRank() << " needs "
           << type.getRank() << " indices, got " << indices.size();
  return success();
}

LogicalResult checkElement(Operation *op, StringRef role, Value value,
                           llvm::function_ref<bool(Type)> accepts,
                           StringRef expected) {
  Type element = memrefOf(value).getElementType();
  if (accepts(element))
    return success();
  return op->emitOpError() << role << " must have " << expected
                           << " elements, got " << element;
}

bool isF32(Type t) { return t.isF32(); }
bool isI32(Type t) { return t.isInteger(32); }
bool isInteger(Type t) { return t.isInteger(32) || t.isInteger(64); }
bool isCubeOperand(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

} // namespace

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

LogicalResult KernelOp::verifyRegions() {
  if (!hasCube() && !hasVector())
    return emitOpError("needs a cube region, a vector region or both");
  auto checkArgs = [&](Region &region, StringRef name,
                       unsigned count) -> LogicalResult {
    if (region.empty())
      return success();
    if (!region.hasOneBlock())
      return emitOpError() << "'" << name << "' region must have one block";
    Block &block = region.front();
    if (block.getNumArguments() != count ||
        llvm::any_of(block.getArgumentTypes(),
                     [](Type t) { return !t.isIndex(); }))
      return emitOpError() << "'" << name << "' region takes " << count
                           << " index argument(s)"
                           << (count == 1 ? " (block id)"
                                          : " (block id, vector core id)");
    return success();
  };
  return success(succeeded(checkArgs(getCube(), "cube", 1)) &&
                 succeeded(checkArgs(getVector(), "vector", 2)));
}

LogicalResult WorkspaceOp::verify() {
  MemRefType type = getResult().getType();
  if (failed(checkSpace(*this, "a workspace", getResult(), {MemorySpace::gm})))
    return failure();
  if (type.getNumDynamicDims() != getDynamicSizes().size())
    return emitOpError() << type << " has " << type.getNumDynamicDims()
                         << " dynamic dimension(s) but "
                         << getDynamicSizes().size() << " size(s) are given";
  return success();
}

LogicalResult AllocOp::verify() {
  if (failed(checkTileBuffer(*this, "a local buffer", getResult())) ||
      failed(checkSpace(*this, "a local buffer", getResult(),
                        {MemorySpace::l1, MemorySpace::l0a, MemorySpace::l0b,
                         MemorySpace::l0c, MemorySpace::ub})))
    return failure();
  if (!(*this)->getParentOfType<KernelOp>())
    return emitOpError("must be inside a moe_npu.kernel");
  return success();
}

int64_t AllocOp::getSizeInBytes() {
  MemRefType type = getResult().getType();
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

MemorySpace AllocOp::getSpace() {
  return *getMemorySpace(getResult().getType());
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult LoadOp::verify() {
  if (failed(checkSpace(*this, "source", getSrc(), {MemorySpace::gm})) ||
      failed(checkGlobalAccess(*this, "source", getSrc(), getIndices())) ||
      failed(checkSpace(*this, "destination", getDst(),
                        {MemorySpace::l1, MemorySpace::ub})) ||
      failed(checkTileBuffer(*this, "destination", getDst())) ||
      failed(
          checkSameElement(*this, "source", getSrc(), "destination", getDst())))
    return failure();
  if (!getGather())
    return success();
  if (!getPosition() || !getStride())
    return emitOpError("a gather needs a position and a stride");
  MemRefType gather = memrefOf(getGather());
  if (gather.getRank() != 1 || !isInteger(gather.getElementType()) ||
      failed(
          checkSpace(*this, "the gather list", getGather(), {MemorySpace::gm})))
    return emitOpError() << "the gather list must be a 1-D i32 or i64 GM "
                            "buffer, got "
                         << gather;
  if (memrefOf(getSrc()).getRank() < 2)
    return emitOpError("a gather needs a source with rows (rank 2 or 3)");
  return success();
}

Pipe LoadOp::getPipe() { return Pipe::mte2; }

LogicalResult CopyOp::verify() {
  if (failed(checkSpace(*this, "source", getSrc(), {MemorySpace::l1})) ||
      failed(checkSpace(*this, "destination", getDst(),
                        {MemorySpace::l0a, MemorySpace::l0b})) ||
      failed(checkTileBuffer(*this, "source", getSrc())) ||
      failed(checkTileBuffer(*this, "destination", getDst())) ||
      failed(checkSameTile(*this, "source", getSrc(), "destination", getDst())))
    return failure();
  return checkSameElement(*this, "source", getSrc(), "destination", getDst());
}

Pipe CopyOp::getPipe() { return Pipe::mte1; }

LogicalResult MmadOp::verify() {
  if (failed(checkSpace(*this, "A", getA(), {MemorySpace::l0a})) ||
      failed(checkSpace(*this, "B", getB(), {MemorySpace::l0b})) ||
      failed(checkSpace(*this, "C", getC(), {MemorySpace::l0c})) ||
      failed(checkTileBuffer(*this, "A", getA())) ||
      failed(checkTileBuffer(*this, "B", getB())) ||
      failed(checkTileBuffer(*this, "C", getC())) ||
      failed(checkElement(*this, "A", getA(), isCubeOperand,
                          "f32, f16 or bf16")) ||
      failed(checkSameElement(*this, "A", getA(), "B", getB())) ||
      failed(checkElement(*this, "C", getC(), isF32, "f32")))
    return failure();
  auto [m, k] = tileShape(getA());
  auto [kb, n] = tileShape(getB());
  auto [mc, nc] = tileShape(getC());
  if (k != kb || m != mc || n != nc)
    return emitOpError() << "tiles A " << m << "x" << k << ", B " << kb << "x"
                         << n << " and C " << mc << "x" << nc
                         << " do not form [m, k] x [k, n] -> [m, n]";
  return success();
}

Pipe MmadOp::getPipe() { return Pipe::m; }

LogicalResult FixpipeOp::verify() {
  if (failed(checkSpace(*this, "source", getSrc(), {MemorySpace::l0c})) ||
      failed(checkTileBuffer(*this, "source", getSrc())) ||
      failed(checkSpace(*this, "destination", getDst(), {MemorySpace::gm})) ||
      failed(checkGlobalAccess(*this, "destination", getDst(), getIndices())))
    return failure();
  return checkElement(*this, "destination", getDst(), isCubeOperand,
                      "f32, f16 or bf16");
}

Pipe FixpipeOp::getPipe() { return Pipe::fix; }

LogicalResult StoreOp::verify() {
  if (failed(checkSpace(*this, "source", getSrc(), {MemorySpace::ub})) ||
      failed(checkTileBuffer(*this, "source", getSrc())) ||
      failed(checkSpace(*this, "destination", getDst(), {MemorySpace::gm})) ||
      failed(checkGlobalAccess(*this, "destination", getDst(), getIndices())))
    return failure();
  return checkSameElement(*this, "source", getSrc(), "destination", getDst());
}

Pipe StoreOp::getPipe() { return Pipe::mte3; }

//===----------------------------------------------------------------------===//
// Vector unit
//===----------------------------------------------------------------------===//

namespace {
LogicalResult checkUBTiles(Operation *op,
                           ArrayRef<std::pair<StringRef, Value>> operands) {
  for (auto [role, value] : operands)
    if (failed(checkSpace(op, role, value, {MemorySpace::ub})) ||
        failed(checkTileBuffer(op, role, value)))
      return failure();
  return success();
}
} // namespace

LogicalResult VSwigluOp::verify() {
  if (failed(checkUBTiles(
          *this,
          {{"gate", getGate()}, {"up", getUp()}, {"result", getResult()}})) ||
      failed(checkSameTile(*this, "gate", getGate(), "up", getUp())) ||
      failed(checkSameTile(*this, "gate", getGate(), "result", getResult())))
    return failure();
  return success();
}

Pipe VSwigluOp::getPipe() { return Pipe::v; }

LogicalResult VRouteOp::verify() {
  if (failed(checkUBTiles(*this, {{"logits", getLogits()},
                                  {"weights", getWeights()},
                                  {"ids", getIds()}})) ||
      failed(checkElement(*this, "logits", getLogits(), isF32, "f32")) ||
      failed(checkElement(*this, "weights", getWeights(), isF32, "f32")) ||
      failed(checkElement(*this, "ids", getIds(), isI32, "i32")) ||
      failed(checkSameTile(*this, "weights", getWeights(), "ids", getIds())))
    return failure();
  auto [rows, experts] = tileShape(getLogits());
  auto [outRows, k] = tileShape(getWeights());
  if (outRows != rows)
    return emitOpError() << "logits have " << rows << " rows per tile but "
                         << "weights and ids " << outRows;
  if (k != static_cast<int64_t>(getRouting().getK()))
    return emitOpError() << "weights and ids have " << k
                         << " columns but the routing picks k = "
                         << getRouting().getK();
  if (static_cast<int64_t>(getRouting().getK()) > experts)
    return emitOpError() << "the routing picks k = " << getRouting().getK()
                         << " of " << experts << " experts";
  if (Value bias = getBias()) {
    if (!getBiasSlot())
      return emitOpError("a bias needs a slot");
    if (failed(checkUBTiles(*this, {{"bias", bias}})) ||
        failed(checkElement(*this, "bias", bias, isF32, "f32")))
      return failure();
    if (tileShape(bias) !=
        std::make_pair<int64_t, int64_t>(1, int64_t(experts)))
      return emitOpError() << "the bias tile must be 1x" << experts;
  }
  return success();
}

Pipe VRouteOp::getPipe() { return Pipe::v; }

LogicalResult VAxpyOp::verify() {
  if (failed(checkUBTiles(
          *this,
          {{"x", getX()}, {"weights", getWeights()}, {"acc", getAcc()}})) ||
      failed(checkSameTile(*this, "x", getX(), "acc", getAcc())) ||
      failed(checkElement(*this, "acc", getAcc(), isF32, "f32")) ||
      failed(checkElement(*this, "weights", getWeights(), isF32, "f32")))
    return failure();
  if (tileShape(getWeights()).first != tileShape(getX()).first)
    return emitOpError() << "weights have " << tileShape(getWeights()).first
                         << " rows per tile but x has "
                         << tileShape(getX()).first;
  return success();
}

Pipe VAxpyOp::getPipe() { return Pipe::v; }

LogicalResult VCastOp::verify() {
  if (failed(checkUBTiles(*this,
                          {{"source", getSrc()}, {"destination", getDst()}})) ||
      failed(
          checkSameTile(*this, "source", getSrc(), "destination", getDst())) ||
      failed(checkElement(*this, "source", getSrc(), isCubeOperand,
                          "f32, f16 or bf16")) ||
      failed(checkElement(*this, "destination", getDst(), isCubeOperand,
                          "f32, f16 or bf16")))
    return failure();
  return success();
}

Pipe VCastOp::getPipe() { return Pipe::v; }

//===----------------------------------------------------------------------===//
// Scalar unit
//===----------------------------------------------------------------------===//

LogicalResult LoadScalarOp::verify() {
  if (failed(checkSpace(*this, "source", getSrc(), {MemorySpace::gm})) ||
      failed(checkElement(*this, "source", getSrc(), isInteger, "i32 or i64")))
    return failure();
  if (static_cast<int64_t>(getIndices().size()) != memrefOf(getSrc()).getRank())
    return emitOpError() << "needs " << memrefOf(getSrc()).getRank()
                         << " indices, got " << getIndices().size();
  return success();
}

Pipe LoadScalarOp::getPipe() { return Pipe::s; }

LogicalResult DispatchMetadataOp::verify() {
  for (auto [role, value] : {std::pair<StringRef, Value>{"ids", getIds()},
                             {"tokens", getTokens()},
                             {"rows", getRows()},
                             {"tiles", getTiles()}})
    if (failed(checkSpace(*this, role, value, {MemorySpace::gm})) ||
        failed(checkElement(*this, role, value, isI32, "i32")))
      return failure();
  if (memrefOf(getIds()).getRank() != 2)
    return emitOpError("ids must be [tokens, k]");
  if (memrefOf(getTokens()).getRank() != 1 ||
      memrefOf(getRows()).getRank() != 1)
    return emitOpError("tokens and rows must be 1-D");
  MemRefType tiles = memrefOf(getTiles());
  if (tiles.getRank() != 2 || tiles.getDimSize(1) != 3)
    return emitOpError() << "tiles must be [n, 3] (expert, first row, row "
                            "count), got "
                         << tiles;
  return success();
}

Pipe DispatchMetadataOp::getPipe() { return Pipe::s; }

//===----------------------------------------------------------------------===//
// Synchronisation
//===----------------------------------------------------------------------===//

namespace {
LogicalResult checkFlagPipes(Operation *op, Pipe src, Pipe dst) {
  if (src == dst)
    return op->emitOpError()
           << "flags order two different pipes; pipe " << stringifyPipe(src)
           << " is already in order with itself";
  return success();
}
} // namespace

LogicalResult SetFlagOp::verify() {
  return checkFlagPipes(*this, getSrc(), getDst());
}
Pipe SetFlagOp::getPipe() { return getSrc(); }

LogicalResult WaitFlagOp::verify() {
  return checkFlagPipes(*this, getSrc(), getDst());
}
Pipe WaitFlagOp::getPipe() { return getDst(); }

Pipe SyncBlockSetOp::getPipe() { return getOnPipe(); }
Pipe SyncBlockWaitOp::getPipe() { return getOnPipe(); }

#define GET_OP_CLASSES
#include "moec/Dialect/MoENpu/MoENpuOps.cpp.inc"
