//===- CostModelTimeline.cpp - pipes as time cursors ----------------------===//

#include "CostModelTimeline.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

unsigned indexOf(Pipe pipe) { return static_cast<unsigned>(pipe); }

Pipe pipeOf(Operation *op) { return cast<PipeOpInterface>(op).getPipe(); }

constexpr double kNsPerUs = 1e3;

} // namespace

TimingHandler::CoreClock &TimingHandler::clockOf(const CoreRef &core) {
  return cores[{core.block, core.sub}];
}

double TimingHandler::issueTime(CoreClock &clock, Pipe pipe) const {
  return std::max(clock.cursor[indexOf(pipe)], clock.cursor[indexOf(Pipe::s)]);
}

llvm::Error TimingHandler::createBuffer(const BufferInfo &info) {
  return memory.create(info);
}

llvm::Error TimingHandler::beginKernel(KernelOp kernel) {
  grid = kernel.getGrid();
  subblocks = kernel.getSubblocks();
  cores.clear();
  signalled.clear();
  current = KernelTiming();
  return llvm::Error::success();
}

llvm::Error TimingHandler::endKernel(KernelOp kernel) {
  for (auto &[ref, clock] : cores) {
    bool cube = ref.second < 0;
    for (unsigned pipe = 0; pipe < kNumPipes; ++pipe) {
      current.finishUs =
          std::max(current.finishUs, clock.cursor[pipe] / kNsPerUs);
      PipeBusy &busy = current.busy[pipe];
      double us = clock.busy[pipe] / kNsPerUs;
      if (us > busy.us)
        busy = {us, cube};
    }
  }
  timings.push_back(std::move(current));
  return llvm::Error::success();
}

llvm::Error TimingHandler::charge(Operation *op, const CoreRef &core,
                                  const OperandValues &operands) {
  CostContext context{target, params, memory, grid, subblocks};
  llvm::Expected<InstructionCost> cost =
      instructionCost(op, core, operands, context);
  if (!cost)
    return cost.takeError();
  CoreClock &clock = clockOf(core);
  unsigned pipe = indexOf(pipeOf(op));
  clock.cursor[pipe] = issueTime(clock, pipeOf(op)) + cost->ns;
  clock.busy[pipe] += cost->ns;
  if (cost->flops > 0)
    current.flops[cost->flopsType] += cost->flops;
  current.gmBytes += cost->gmBytes;
  return llvm::Error::success();
}

llvm::Error TimingHandler::instruction(Operation *op, const CoreRef &core,
                                       const OperandValues &operands) {
  if (auto metadata = dyn_cast<DispatchMetadataOp>(op))
    if (llvm::Error err = memory.dispatchMetadata(metadata, operands))
      return err;
  return charge(op, core, operands);
}

llvm::Expected<int64_t>
TimingHandler::loadScalar(LoadScalarOp op, const CoreRef &core,
                          const OperandValues &operands) {
  if (llvm::Error err = charge(op, core, operands))
    return std::move(err);
  SmallVector<int64_t> indices;
  for (Value index : op.getIndices())
    indices.push_back(operands.index(index));
  llvm::Expected<int64_t> value =
      memory.read(operands.buffer(op.getSrc()), indices);
  if (!value)
    return instructionError(op, core, llvm::toString(value.takeError()));
  return *value;
}

llvm::Error TimingHandler::signal(Operation *op, const CoreRef &core,
                                  uint64_t token) {
  // Issued on its pipe after what precedes it there: it takes no time.
  CoreClock &clock = clockOf(core);
  Pipe pipe = pipeOf(op);
  double at = issueTime(clock, pipe);
  clock.cursor[indexOf(pipe)] = at;
  signalled[token] = at;
  return llvm::Error::success();
}

llvm::Error TimingHandler::await(Operation *op, const CoreRef &core,
                                 uint64_t token) {
  auto it = signalled.find(token);
  if (it == signalled.end())
    return instructionError(op, core,
                            "waits for a signal the cost model never saw");
  double &cursor = clockOf(core).cursor[indexOf(pipeOf(op))];
  cursor = std::max(cursor, it->second);
  return llvm::Error::success();
}

} // namespace moec::npu
