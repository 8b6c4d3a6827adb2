//===- CoreBuilder.cpp - emit the program of one plan core ----------------===//

#include "CoreBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace moec;
using namespace moec::npu;
namespace npu_ir = mlir::moe_npu;

MemRefType moec::npu::planBufferType(ArrayRef<int64_t> shape, Type element,
                                     MemorySpace space) {
  return MemRefType::get(
      shape, element, MemRefLayoutAttrInterface(),
      npu_ir::MemorySpaceAttr::get(element.getContext(), space));
}

Type moec::npu::elementOf(Value shaped) {
  return cast<ShapedType>(shaped.getType()).getElementType();
}

int64_t moec::npu::dimOf(Value shaped, unsigned dim) {
  return cast<ShapedType>(shaped.getType()).getDimSize(dim);
}

npu_ir::KernelOp moec::npu::createKernel(OpBuilder &b, Location loc,
                                         StringRef name, int64_t grid,
                                         int64_t subblocks, bool cube,
                                         bool vector) {
  auto kernel = npu_ir::KernelOp::create(b, loc, b.getStringAttr(name),
                                         b.getI64IntegerAttr(grid),
                                         b.getI64IntegerAttr(subblocks));
  Type index = b.getIndexType();
  if (cube)
    kernel.getCube().emplaceBlock().addArgument(index, loc);
  if (vector)
    kernel.getVector().emplaceBlock().addArguments({index, index}, {loc, loc});
  return kernel;
}

Value IndexBuilder::c(int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}
Value IndexBuilder::boolean(bool value) {
  return arith::ConstantIntOp::create(b, loc, value, 1);
}
Value IndexBuilder::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value IndexBuilder::sub(Value x, Value y) {
  return arith::SubIOp::create(b, loc, x, y);
}
Value IndexBuilder::mul(Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value IndexBuilder::div(Value x, Value y) {
  return arith::DivUIOp::create(b, loc, x, y);
}
Value IndexBuilder::ceilDiv(Value x, Value y) {
  return arith::CeilDivUIOp::create(b, loc, x, y);
}
Value IndexBuilder::rem(Value x, Value y) {
  return arith::RemUIOp::create(b, loc, x, y);
}
Value IndexBuilder::min(Value x, Value y) {
  return arith::MinSIOp::create(b, loc, x, y);
}
Value IndexBuilder::max(Value x, Value y) {
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value IndexBuilder::eq(Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
}
Value IndexBuilder::andI(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}
Value IndexBuilder::gtZero(Value x) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, c(0));
}
Value IndexBuilder::clamp(Value x, Value hi) { return min(max(x, c(0)), hi); }
Value IndexBuilder::dim(Value memref, int64_t index) {
  return memref::DimOp::create(b, loc, memref, index);
}

void IndexBuilder::loop(Value lb, Value ub, Value step,
                        llvm::function_ref<void(Value)> body) {
  auto loop = scf::ForOp::create(b, loc, lb, ub, step);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVar());
}

void IndexBuilder::when(Value cond, llvm::function_ref<void()> body) {
  auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  body();
}

Value CoreBuilder::alloc(StringRef name, MemorySpace space, int64_t slots,
                         int64_t rows, int64_t cols, Type element) {
  const MemoryLevel *level = target.level(npu_ir::getLevelName(space));
  int64_t align = level ? std::max<int64_t>(1, level->alignmentBytes) : 1;
  int64_t &next = nextOffset[space];
  int64_t offset = (next + align - 1) / align * align;
  auto type = planBufferType({slots, rows, cols}, element, space);
  next = offset + type.getNumElements() * element.getIntOrFloatBitWidth() / 8;
  return npu_ir::AllocOp::create(b, loc, type, b.getStringAttr(name),
                                 b.getI64IntegerAttr(offset));
}

void CoreBuilder::setFlag(Pipe src, Pipe dst, Value id) {
  npu_ir::SetFlagOp::create(b, loc, src, dst, id);
}
void CoreBuilder::waitFlag(Pipe src, Pipe dst, Value id) {
  npu_ir::WaitFlagOp::create(b, loc, src, dst, id);
}
void CoreBuilder::order(Pipe src, Pipe dst, Value id) {
  setFlag(src, dst, id);
  waitFlag(src, dst, id);
}
void CoreBuilder::blockSet(Pipe pipe, Value flag) {
  npu_ir::SyncBlockSetOp::create(b, loc, pipe, flag);
}
void CoreBuilder::blockWait(Pipe pipe, Value flag) {
  npu_ir::SyncBlockWaitOp::create(b, loc, pipe, flag);
}
void CoreBuilder::blockSet(Pipe pipe, int64_t flag) { blockSet(pipe, c(flag)); }
void CoreBuilder::blockWait(Pipe pipe, int64_t flag) {
  blockWait(pipe, c(flag));
}

void CoreBuilder::armSlots(Pipe src, Pipe dst) {
  setFlag(src, dst, 0);
  setFlag(src, dst, 1);
}
void CoreBuilder::drainSlots(Pipe src, Pipe dst) {
  waitFlag(src, dst, 0);
  waitFlag(src, dst, 1);
}

void CoreBuilder::vectorStep(Value slot, llvm::function_ref<void()> loads,
                             llvm::function_ref<void()> compute,
                             llvm::function_ref<void()> stores) {
  // The input slot is free once V has read it, the output slot once MTE3
  // has stored it; both are signalled two steps earlier (or armed).
  waitFlag(Pipe::v, Pipe::mte2, slot);
  loads();
  order(Pipe::mte2, Pipe::v, slot);
  waitFlag(Pipe::mte3, Pipe::v, slot);
  compute();
  setFlag(Pipe::v, Pipe::mte2, slot);
  order(Pipe::v, Pipe::mte3, slot);
  stores();
  setFlag(Pipe::mte3, Pipe::v, slot);
}

void CoreBuilder::armVectorSteps() {
  armSlots(Pipe::v, Pipe::mte2);
  armSlots(Pipe::mte3, Pipe::v);
}

void CoreBuilder::drainVectorSteps() {
  drainSlots(Pipe::v, Pipe::mte2);
  drainSlots(Pipe::mte3, Pipe::v);
}
