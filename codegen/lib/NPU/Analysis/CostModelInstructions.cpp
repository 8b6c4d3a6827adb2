//===- CostModelInstructions.cpp - what one instruction costs -------------===//
//
// Durations in nanoseconds: bytes over GB/s and cycles over GHz both come
// out in ns. GM bandwidth is shared evenly by the cores of a kernel that
// move data: a cube core's MTE2/FIX get 1/grid of it, a vector core's
// MTE2/MTE3 1/(grid x subblocks).
//
//===----------------------------------------------------------------------===//

#include "CostModelInstructions.h"
#include "PlanBuffers.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

int64_t clampTo(int64_t value, int64_t high) {
  return std::clamp<int64_t>(value, 0, high);
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Evaluates the cost of one instruction: the target's rates, checked as
/// they are needed so that a plan without cube work needs no cube figures.
class Costing {
public:
  Costing(Operation *op, const CoreRef &core, const OperandValues &operands,
          const CostContext &context)
      : op(op), core(core), operands(operands), context(context),
        target(context.target) {}

  llvm::Expected<InstructionCost> run();

private:
  llvm::Expected<InstructionCost> load(LoadOp load);
  llvm::Expected<InstructionCost> copy(CopyOp copy);
  llvm::Expected<InstructionCost> mmad(MmadOp mmad);
  llvm::Expected<InstructionCost>
  writeOut(Value src, Value dst, ValueRange indices, Value rows, bool fromL0C);
  llvm::Expected<InstructionCost> cycles(double count);
  llvm::Expected<InstructionCost> dispatchMetadata(DispatchMetadataOp op);

  /// GB/s of a memory level (bytes per ns); an error when the target has
  /// none, naming the override that sets it.
  llvm::Expected<double> bandwidth(StringRef level);
  /// This core's share of the GM bandwidth.
  llvm::Expected<double> gmShare();
  llvm::Expected<double> clockGHz();
  llvm::Error error(const llvm::Twine &message) const {
    return instructionError(op, core, message);
  }
  int64_t bytesOf(Type type) const { return elementBytes(type).value_or(0); }

  Operation *op;
  const CoreRef &core;
  const OperandValues &operands;
  const CostContext &context;
  const TargetDesc &target;
};

llvm::Expected<double> Costing::bandwidth(StringRef level) {
  const MemoryLevel *memory = target.level(level);
  if (!memory || !(memory->bandwidthGBs > 0))
    return error("the cost model needs the bandwidth of " + level +
                 ", which target '" + target.name + "' does not give (set " +
                 level.lower() + "-bw)");
  return memory->bandwidthGBs;
}

llvm::Expected<double> Costing::gmShare() {
  llvm::Expected<double> gm = bandwidth("GM");
  if (!gm)
    return gm.takeError();
  int64_t sharers =
      core.isCube() ? context.grid : context.grid * context.subblocks;
  return *gm / static_cast<double>(std::max<int64_t>(sharers, 1));
}

llvm::Expected<double> Costing::clockGHz() {
  if (!(target.clockGHz > 0))
    return error("the cost model needs the clock of target '" + target.name +
                 "' (set clock-ghz)");
  return target.clockGHz;
}

llvm::Expected<InstructionCost> Costing::cycles(double count) {
  llvm::Expected<double> clock = clockGHz();
  if (!clock)
    return clock.takeError();
  InstructionCost cost;
  cost.ns = count / *clock;
  return cost;
}

llvm::Expected<InstructionCost> Costing::load(LoadOp load) {
  const BufferInfo &src = operands.buffer(load.getSrc());
  const BufferInfo &dst = operands.buffer(load.getDst());
  int64_t rows = clampTo(operands.index(load.getRows()), dst.shape[1]);
  int64_t column = operands.index(load.getIndices().back());
  int64_t columns = clampTo(src.shape.back() - column, dst.shape[2]);

  // A gathered row is its own burst; a row gathered from index -1 is a
  // zero row, not read at all.
  int64_t rowsRead = rows, bursts = rows > 0 ? 1 : 0;
  if (Value gather = load.getGather()) {
    const BufferInfo &list = operands.buffer(gather);
    int64_t position = operands.index(load.getPosition());
    int64_t stride = operands.index(load.getStride());
    rowsRead = 0;
    for (int64_t i = 0; i < rows; ++i) {
      llvm::Expected<int64_t> row =
          context.memory.read(list, {position + i * stride});
      if (!row)
        return error(llvm::toString(row.takeError()));
      rowsRead += *row >= 0;
    }
    bursts = rowsRead;
  }
  llvm::Expected<double> share = gmShare();
  llvm::Expected<InstructionCost> latency =
      cycles(bursts * context.params.burstCycles);
  if (!share || !latency)
    return llvm::joinErrors(share.takeError(), latency.takeError());
  InstructionCost cost = *latency;
  cost.gmBytes = double(rowsRead) * columns * bytesOf(src.elementType);
  cost.ns += cost.gmBytes / *share;
  return cost;
}

llvm::Expected<InstructionCost> Costing::copy(CopyOp copy) {
  const BufferInfo &dst = operands.buffer(copy.getDst());
  llvm::Expected<double> l1 = bandwidth("L1");
  if (!l1)
    return l1.takeError();
  InstructionCost cost;
  cost.ns =
      double(dst.shape[1]) * dst.shape[2] * bytesOf(dst.elementType) / *l1;
  return cost;
}

llvm::Expected<InstructionCost> Costing::mmad(MmadOp mmad) {
  const BufferInfo &a = operands.buffer(mmad.getA());
  const BufferInfo &b = operands.buffer(mmad.getB());
  int64_t m = a.shape[1], k = a.shape[2], n = b.shape[2];
  std::string type = elementTypeName(a.elementType);
  const MatrixMode *mode = target.matrixMode(type);
  if (!mode || mode->macsPerCycle <= 0 || mode->m0 <= 0 || mode->k0 <= 0 ||
      mode->n0 <= 0)
    return error("target '" + target.name + "' has no matrix mode for " + type);
  // One fractal multiply every m0 k0 n0 / macs cycles.
  double fractals = double(ceilDiv(m, mode->m0)) * ceilDiv(k, mode->k0) *
                    ceilDiv(n, mode->n0);
  llvm::Expected<InstructionCost> cost = cycles(
      fractals * mode->m0 * mode->k0 * mode->n0 / double(mode->macsPerCycle));
  if (!cost)
    return cost.takeError();
  cost->flops = 2.0 * m * n * k;
  cost->flopsType = type;
  return cost;
}

/// fixpipe (L0C -> GM) and store (UB -> GM): rows of one slot, columns
/// clipped at the end of the destination.
llvm::Expected<InstructionCost>
Costing::writeOut(Value srcValue, Value dstValue, ValueRange indices,
                  Value rowsValue, bool fromL0C) {
  const BufferInfo &src = operands.buffer(srcValue);
  const BufferInfo &dst = operands.buffer(dstValue);
  int64_t rows = clampTo(operands.index(rowsValue), src.shape[1]);
  int64_t column = operands.index(indices.back());
  int64_t columns = clampTo(dst.shape.back() - column, src.shape[2]);
  llvm::Expected<double> share = gmShare();
  llvm::Expected<InstructionCost> latency =
      cycles(rows > 0 ? context.params.burstCycles : 0);
  if (!share || !latency)
    return llvm::joinErrors(share.takeError(), latency.takeError());
  InstructionCost cost = *latency;
  cost.gmBytes = double(rows) * columns * bytesOf(dst.elementType);
  double transfer = cost.gmBytes / *share;
  if (fromL0C) {
    // FixPipe reads whole f32 rows out of L0C and writes the converted
    // ones to GM; the slower side sets the pace.
    llvm::Expected<double> l0c = bandwidth("L0C");
    if (!l0c)
      return l0c.takeError();
    double read = double(rows) * src.shape[2] * bytesOf(src.elementType);
    transfer = std::max(transfer, read / *l0c);
  }
  cost.ns += transfer;
  return cost;
}

llvm::Expected<InstructionCost>
Costing::dispatchMetadata(DispatchMetadataOp metadata) {
  const BufferInfo &ids = operands.buffer(metadata.getIds());
  int64_t pairs = ids.shape[0] * ids.shape[1];
  llvm::Expected<InstructionCost> cost =
      cycles(pairs * context.params.metadataCyclesPerPair);
  if (!cost)
    return cost.takeError();
  // It reads the ids and writes the token list, the rows and the tiles.
  for (Value buffer : {metadata.getIds(), metadata.getTokens(),
                       metadata.getRows(), metadata.getTiles()}) {
    const BufferInfo &info = operands.buffer(buffer);
    double elements = 1;
    for (int64_t size : info.shape)
      elements *= size;
    cost->gmBytes += elements * bytesOf(info.elementType);
  }
  return cost;
}

llvm::Expected<InstructionCost> Costing::run() {
  return llvm::TypeSwitch<Operation *, llvm::Expected<InstructionCost>>(op)
      .Case([&](LoadOp load) { return this->load(load); })
      .Case([&](CopyOp copy) { return this->copy(copy); })
      .Case([&](MmadOp mmad) { return this->mmad(mmad); })
      .Case([&](FixpipeOp fix) {
        return writeOut(fix.getSrc(), fix.getDst(), fix.getIndices(),
                        fix.getRows(), /*fromL0C=*/true);
      })
      .Case([&](StoreOp store) {
        return writeOut(store.getSrc(), store.getDst(), store.getIndices(),
                        store.getRows(), /*fromL0C=*/false);
      })
      .Case<VSwigluOp, VRouteOp, VAxpyOp, VCastOp>([&](Operation *vector) {
        return cycles(vectorRepeats(vector, target.vector.widthBytes));
      })
      .Case([&](DispatchMetadataOp metadata) {
        return dispatchMetadata(metadata);
      })
      .Case([&](LoadScalarOp scalar) -> llvm::Expected<InstructionCost> {
        llvm::Expected<InstructionCost> cost =
            cycles(context.params.loadScalarCycles);
        if (cost)
          cost->gmBytes = bytesOf(operands.buffer(scalar.getSrc()).elementType);
        return cost;
      })
      .Default([&](Operation *) -> llvm::Expected<InstructionCost> {
        return error("the cost model has no cost for this instruction");
      });
}

} // namespace

llvm::Error instructionError(Operation *op, const CoreRef &core,
                             const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 describeOp(op) + " on " + core.str() + ": " +
                                     message);
}

llvm::Expected<InstructionCost> instructionCost(Operation *op,
                                                const CoreRef &core,
                                                const OperandValues &operands,
                                                const CostContext &context) {
  return Costing(op, core, operands, context).run();
}

} // namespace moec::npu
