//===- EmulatorMachine.cpp - buffers and checked instruction accesses -----===//

#include "EmulatorOps.h"
#include "PlanErrors.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

llvm::Error Machine::createBuffer(const BufferInfo &info) {
  // The first spare large enough lends its storage to a local buffer.
  std::unique_ptr<Buffer> spare;
  if (info.space != MemorySpace::gm) {
    int64_t size = 1;
    for (int64_t dim : info.shape)
      size *= dim;
    auto it = llvm::find_if(spares, [&](const std::unique_ptr<Buffer> &b) {
      return b->capacity() >= static_cast<size_t>(size);
    });
    if (it != spares.end()) {
      spare = std::move(*it);
      spares.erase(it);
    }
  }
  llvm::Expected<std::unique_ptr<Buffer>> buffer =
      Buffer::create(info, std::move(spare));
  if (!buffer)
    return buffer.takeError();
  buffers[info.id] = std::move(*buffer);
  return llvm::Error::success();
}

void Machine::beginKernel() { checker.beginKernel(); }

void Machine::endKernel() {
  spares.clear();
  llvm::SmallVector<BufferId> locals;
  for (auto &[id, buffer] : buffers)
    if (buffer->info().space != MemorySpace::gm)
      locals.push_back(id);
  for (BufferId id : locals) {
    spares.push_back(std::move(buffers[id]));
    buffers.erase(id);
  }
}

Instruction::Instruction(Machine &machine, Operation *op, const CoreRef &core,
                         const OperandValues &operands)
    : machine(machine), operation(op), core(core), operands(operands) {
  if (machine.checksOrdering())
    access =
        machine.ordering().issue(op, core, cast<PipeOpInterface>(op).getPipe());
}

llvm::Error Instruction::error(const llvm::Twine &message) const {
  return moec::npu::detail::coreError(operation, core, message);
}

llvm::Expected<int64_t> Instruction::slot(const Buffer &buffer,
                                          Value value) const {
  int64_t slot = index(value);
  if (slot >= 0 && slot < buffer.matrices())
    return slot;
  return error(llvm::formatv("slot {0} is outside the {1} slot(s) of {2}", slot,
                             buffer.matrices(), buffer.name()));
}

llvm::Expected<Instruction::Position>
Instruction::position(const Buffer &buffer, ValueRange indices) const {
  ArrayRef<int64_t> shape = buffer.info().shape;
  if (indices.size() != shape.size() || shape.empty())
    return error(llvm::formatv("{0} of rank {1} is addressed with {2} "
                               "index(es)",
                               buffer.name(), shape.size(), indices.size()));
  Position position;
  for (auto [dim, value] : llvm::enumerate(indices)) {
    int64_t index = this->index(value);
    if (index < 0)
      return error(llvm::formatv("index {0} into dimension {1} of {2} is "
                                 "negative",
                                 index, dim, buffer.name()));
    // The leading indices pick a matrix; row and column are bounded by
    // each instruction's own rules.
    if (dim + 2 >= shape.size())
      continue;
    if (index >= shape[dim])
      return error(llvm::formatv("index {0} into dimension {1} of {2} is "
                                 "outside its size {3}",
                                 index, dim, buffer.name(), shape[dim]));
    position.matrix = position.matrix * shape[dim] + index;
  }
  position.col = index(indices.back());
  if (shape.size() >= 2)
    position.row = index(indices[shape.size() - 2]);
  return position;
}

llvm::Error Instruction::read(Buffer &buffer, const Footprint &region) const {
  if (!machine.checksOrdering())
    return llvm::Error::success();
  return machine.ordering().read(access, buffer, region);
}

llvm::Error Instruction::write(Buffer &buffer, const Footprint &region) const {
  if (!machine.checksOrdering())
    return llvm::Error::success();
  return machine.ordering().write(access, buffer, region);
}

Footprint moec::npu::emu::wholeSlot(const Buffer &buffer, int64_t slot) {
  Footprint region;
  region.matrix = slot;
  region.rowCount = buffer.rows();
  region.colCount = buffer.cols();
  return region;
}
