//===- CubeKernels.cpp - GEMM kernels of the plan -------------------------===//
//
// The cube side of every GEMM: A and B tiles GM -> L1 (ND to NZ) on MTE2,
// L1 -> L0A/L0B on MTE1, mmad into L0C on M, FixPipe out. L1 and L0 are
// double-buffered over K so that loads of step k+1 overlap step k's mmad;
// the flags are the usual ping-pong pairs:
//
//   MTE1 -> MTE2 [s]  L1 slot s free again     MTE2 -> MTE1 [s]  L1 slot s
//   loaded M -> MTE1 [s]     L0 slot s free again     MTE1 -> M [s]     L0 slot
//   s filled M -> FIX [0]      accumulators final       FIX -> M [0]      L0C
//   drained
//
//===----------------------------------------------------------------------===//

#include "CubeKernels.h"

using namespace mlir;
using namespace moec;
using namespace moec::npu;
namespace npu_ir = mlir::moe_npu;

int64_t moec::npu::gridOf(const TargetDesc &target) {
  return std::max<int64_t>(1, target.matrixCores);
}

int64_t moec::npu::subblocksOf(const TargetDesc &target) {
  return std::max<int64_t>(1, target.vectorCores / gridOf(target));
}

Value RowTiling::numTiles(IndexBuilder &ib) const {
  return isGrouped() ? tableLength : ib.ceilDiv(rows, ib.c(bm));
}

RowTile RowTiling::at(IndexBuilder &ib, Value tile) const {
  if (!isGrouped()) {
    Value begin = ib.mul(tile, ib.c(bm));
    return {Value(), begin, ib.min(ib.c(bm), ib.sub(rows, begin))};
  }
  auto field = [&](int64_t column) -> Value {
    return npu_ir::LoadScalarOp::create(ib.b, ib.loc, ib.b.getIndexType(),
                                        table, ValueRange{tile, ib.c(column)});
  };
  return {field(0), field(1), field(2)};
}

namespace {

struct CubeBuffers {
  Value l1a, l0a, l0c;
  SmallVector<Value, 2> l1b, l0b;
};

CubeBuffers allocCubeBuffers(CoreBuilder &cb, const GemmTiles &t, Type element,
                             int64_t rhsOperands) {
  CubeBuffers buffers;
  buffers.l1a = cb.alloc("l1_a", MemorySpace::l1, 2, t.bm, t.bk, element);
  buffers.l0a = cb.alloc("l0a", MemorySpace::l0a, 2, t.bm, t.bk, element);
  for (int64_t j = 0; j < rhsOperands; ++j) {
    std::string suffix = rhsOperands == 1 ? "" : (j == 0 ? "_gate" : "_up");
    buffers.l1b.push_back(
        cb.alloc("l1_b" + suffix, MemorySpace::l1, 2, t.bk, t.bn, element));
    buffers.l0b.push_back(
        cb.alloc("l0b" + suffix, MemorySpace::l0b, 2, t.bk, t.bn, element));
  }
  buffers.l0c = cb.alloc("l0c", MemorySpace::l0c, rhsOperands, t.bm, t.bn,
                         Float32Type::get(element.getContext()));
  return buffers;
}

void armCube(CoreBuilder &cb) {
  cb.armSlots(Pipe::mte1, Pipe::mte2);
  cb.armSlots(Pipe::m, Pipe::mte1);
  cb.setFlag(Pipe::fix, Pipe::m, 0);
}

void drainCube(CoreBuilder &cb) {
  cb.drainSlots(Pipe::mte1, Pipe::mte2);
  cb.drainSlots(Pipe::m, Pipe::mte1);
  cb.waitFlag(Pipe::fix, Pipe::m, 0);
}

/// Accumulates `lhs[tile rows] x weights[j][:, n0 : n0 + bn]` over all of K
/// into L0C slot j, and leaves the accumulators ready for FixPipe.
void emitMainloop(CoreBuilder &cb, const CubeBuffers &buffers,
                  const GemmSpec &gemm, ArrayRef<Value> weights,
                  const RowTile &tile, Value n0) {
  const GemmTiles &t = gemm.tiles;
  cb.waitFlag(Pipe::fix, Pipe::m, 0);
  Value kSteps = cb.c((gemm.k + t.bk - 1) / t.bk);
  cb.loop(cb.c(0), kSteps, cb.c(1), [&](Value kk) {
    Value slot = cb.rem(kk, cb.c(2));
    Value k0 = cb.mul(kk, cb.c(t.bk));
    Value kRows = cb.min(cb.c(t.bk), cb.sub(cb.c(gemm.k), k0));
    cb.waitFlag(Pipe::mte1, Pipe::mte2, slot);
    if (gemm.lhs.tokens)
      npu_ir::LoadOp::create(cb.b, cb.loc, gemm.lhs.buffer,
                             ValueRange{cb.c(0), k0}, buffers.l1a, slot,
                             tile.count, gemm.lhs.tokens, tile.begin, cb.c(1));
    else
      npu_ir::LoadOp::create(cb.b, cb.loc, gemm.lhs.buffer,
                             ValueRange{tile.begin, k0}, buffers.l1a, slot,
                             tile.count, Value(), Value(), Value());
    for (auto [weight, l1b] : llvm::zip(weights, buffers.l1b)) {
      SmallVector<Value, 3> at;
      if (tile.expert)
        at.push_back(tile.expert);
      at.append({k0, n0});
      npu_ir::LoadOp::create(cb.b, cb.loc, weight, at, l1b, slot, kRows,
                             Value(), Value(), Value());
    }
    cb.order(Pipe::mte2, Pipe::mte1, slot);
    cb.waitFlag(Pipe::m, Pipe::mte1, slot);
    npu_ir::CopyOp::create(cb.b, cb.loc, buffers.l1a, slot, buffers.l0a, slot);
    for (auto [l1b, l0b] : llvm::zip(buffers.l1b, buffers.l0b))
      npu_ir::CopyOp::create(cb.b, cb.loc, l1b, slot, l0b, slot);
    cb.setFlag(Pipe::mte1, Pipe::mte2, slot);
    cb.order(Pipe::mte1, Pipe::m, slot);
    Value first = cb.eq(kk, cb.c(0));
    for (auto [j, l0b] : llvm::enumerate(buffers.l0b))
      npu_ir::MmadOp::create(cb.b, cb.loc, buffers.l0a, slot, l0b, slot,
                             buffers.l0c, cb.c(j), first);
    cb.setFlag(Pipe::m, Pipe::mte1, slot);
  });
  cb.order(Pipe::m, Pipe::fix, cb.c(0));
}

/// Deals the (row tile, column tile) items of a GEMM round-robin to the
/// blocks; `body` gets the block's iteration count, the tile and its first
/// column. Empty grouped tiles are skipped.
void forEachItem(IndexBuilder &ib, Value block, int64_t grid,
                 const GemmSpec &gemm,
                 llvm::function_ref<void(Value, const RowTile &, Value)> body) {
  int64_t columnTiles = (gemm.n + gemm.tiles.bn - 1) / gemm.tiles.bn;
  Value items = ib.mul(gemm.rows.numTiles(ib), ib.c(columnTiles));
  ib.loop(block, items, ib.c(grid), [&](Value item) {
    Value iteration = ib.div(ib.sub(item, block), ib.c(grid));
    Value n0 = ib.mul(ib.rem(item, ib.c(columnTiles)), ib.c(gemm.tiles.bn));
    RowTile tile = gemm.rows.at(ib, ib.div(item, ib.c(columnTiles)));
    if (!gemm.rows.isGrouped())
      return body(iteration, tile, n0);
    ib.when(ib.gtZero(tile.count), [&] { body(iteration, tile, n0); });
  });
}

/// A kernel on every cube core of `target` (and its vector cores).
npu_ir::KernelOp createCubeKernel(OpBuilder &b, Location loc,
                                  const TargetDesc &target, StringRef name,
                                  bool vector) {
  return createKernel(b, loc, name, gridOf(target), subblocksOf(target),
                      /*cube=*/true, vector);
}

} // namespace

void moec::npu::emitGemmKernel(OpBuilder &b, Location loc,
                               const TargetDesc &target, const GemmSpec &gemm,
                               Value weight, Value out) {
  auto kernel = createCubeKernel(b, loc, target, gemm.name, /*vector=*/false);
  kernel->setAttr("moe_npu.tiling", gemm.tilingAttr);
  OpBuilder::InsertionGuard guard(b);
  Block &body = kernel.getCube().front();
  b.setInsertionPointToStart(&body);
  CoreBuilder cb(b, loc, target);
  CubeBuffers buffers =
      allocCubeBuffers(cb, gemm.tiles, elementOf(gemm.lhs.buffer), 1);
  armCube(cb);
  forEachItem(cb, body.getArgument(0), gridOf(target), gemm,
              [&](Value, const RowTile &tile, Value n0) {
                emitMainloop(cb, buffers, gemm, {weight}, tile, n0);
                npu_ir::FixpipeOp::create(b, loc, buffers.l0c, cb.c(0), out,
                                          ValueRange{tile.begin, n0},
                                          tile.count);
                cb.setFlag(Pipe::fix, Pipe::m, 0);
              });
  drainCube(cb);
}

SmallVector<int64_t> moec::npu::gateUpHandoffShape(const TargetDesc &target,
                                                   const GemmTiles &tiles) {
  return {gridOf(target) * 2 * 2 * tiles.bm, tiles.bn};
}

void moec::npu::emitGateUpKernel(OpBuilder &b, Location loc,
                                 const TargetDesc &target, const GemmSpec &gemm,
                                 Value gateWeight, Value upWeight,
                                 Value handoff, Value h, int64_t vectorRows,
                                 Attribute vectorTiling,
                                 std::optional<double> limit) {
  auto kernel = createCubeKernel(b, loc, target, gemm.name, /*vector=*/true);
  kernel->setAttr("moe_npu.tiling", gemm.tilingAttr);
  kernel->setAttr("moe_npu.vector_tiling", vectorTiling);
  const GemmTiles &t = gemm.tiles;
  int64_t grid = gridOf(target), subblocks = subblocksOf(target);
  // Rows of the hand-off workspace where block `block` puts slot `slot`'s
  // gate tile; its up tile follows bm rows later.
  auto handoffRow = [&](IndexBuilder &ib, Value block, Value slot) {
    return ib.mul(ib.add(ib.mul(block, ib.c(2)), slot), ib.c(2 * t.bm));
  };
  // Cross-core flags: [slot] "tiles of slot ready" (cube -> vector) and
  // [2 + slot] "slot read, may be overwritten" (vector -> cube).
  OpBuilder::InsertionGuard guard(b);
  {
    Block &body = kernel.getCube().front();
    b.setInsertionPointToStart(&body);
    CoreBuilder cb(b, loc, target);
    Value block = body.getArgument(0);
    CubeBuffers buffers =
        allocCubeBuffers(cb, t, elementOf(gemm.lhs.buffer), 2);
    armCube(cb);
    forEachItem(
        cb, block, grid, gemm,
        [&](Value iteration, const RowTile &tile, Value n0) {
          emitMainloop(cb, buffers, gemm, {gateWeight, upWeight}, tile, n0);
          Value slot = cb.rem(iteration, cb.c(2));
          cb.blockWait(Pipe::fix, cb.add(cb.c(2), slot));
          Value row = handoffRow(cb, block, slot);
          for (int64_t j = 0; j < 2; ++j)
            npu_ir::FixpipeOp::create(
                b, loc, buffers.l0c, cb.c(j), handoff,
                ValueRange{cb.add(row, cb.c(j * t.bm)), cb.c(0)}, tile.count);
          cb.setFlag(Pipe::fix, Pipe::m, 0);
          cb.blockSet(Pipe::fix, slot);
        });
    cb.blockWait(Pipe::fix, 2);
    cb.blockWait(Pipe::fix, 3);
    drainCube(cb);
  }
  Block &body = kernel.getVector().front();
  b.setInsertionPointToStart(&body);
  CoreBuilder cb(b, loc, target);
  Value block = body.getArgument(0), sub = body.getArgument(1);
  Type gateType = elementOf(handoff);
  Value ubGate =
      cb.alloc("ub_gate", MemorySpace::ub, 2, vectorRows, t.bn, gateType);
  Value ubUp =
      cb.alloc("ub_up", MemorySpace::ub, 2, vectorRows, t.bn, gateType);
  Value ubH =
      cb.alloc("ub_h", MemorySpace::ub, 2, vectorRows, t.bn, elementOf(h));
  cb.armVectorSteps();
  cb.blockSet(Pipe::mte2, 2);
  cb.blockSet(Pipe::mte2, 3);
  int64_t half = t.bm / subblocks;
  int64_t chunks = (half + vectorRows - 1) / vectorRows;
  forEachItem(
      cb, block, grid, gemm,
      [&](Value iteration, const RowTile &tile, Value n0) {
        Value slot = cb.rem(iteration, cb.c(2));
        cb.blockWait(Pipe::mte2, slot);
        Value gateRow = handoffRow(cb, block, slot);
        cb.loop(cb.c(0), cb.c(chunks), cb.c(1), [&](Value chunk) {
          Value r0 =
              cb.add(cb.mul(sub, cb.c(half)), cb.mul(chunk, cb.c(vectorRows)));
          Value rows = cb.clamp(
              cb.min(cb.sub(tile.count, r0),
                     cb.sub(cb.c(half), cb.mul(chunk, cb.c(vectorRows)))),
              cb.c(vectorRows));
          cb.when(cb.gtZero(rows), [&] {
            Value q =
                cb.rem(cb.add(cb.mul(iteration, cb.c(chunks)), chunk), cb.c(2));
            cb.vectorStep(
                q,
                [&] {
                  Value at = cb.add(gateRow, r0);
                  npu_ir::LoadOp::create(b, loc, handoff,
                                         ValueRange{at, cb.c(0)}, ubGate, q,
                                         rows, Value(), Value(), Value());
                  npu_ir::LoadOp::create(
                      b, loc, handoff,
                      ValueRange{cb.add(at, cb.c(t.bm)), cb.c(0)}, ubUp, q,
                      rows, Value(), Value(), Value());
                },
                [&] {
                  npu_ir::VSwigluOp::create(b, loc, ubGate, q, ubUp, q, ubH, q,
                                            limit ? b.getF64FloatAttr(*limit)
                                                  : FloatAttr());
                },
                [&] {
                  npu_ir::StoreOp::create(
                      b, loc, ubH, q, h, ValueRange{cb.add(tile.begin, r0), n0},
                      rows);
                });
          });
        });
        cb.blockSet(Pipe::mte2, cb.add(cb.c(2), slot));
      });
  cb.drainVectorSteps();
}
