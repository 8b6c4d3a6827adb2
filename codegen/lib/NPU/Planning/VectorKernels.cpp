//===- VectorKernels.cpp - vector-unit kernels of the plan ----------------===//

#include "VectorKernels.h"

#include "CubeKernels.h"

using namespace mlir;
using namespace moec;
using namespace moec::npu;
namespace npu_ir = mlir::moe_npu;

namespace {

/// A vector-only kernel, with the insertion point at the start of its
/// region.
npu_ir::KernelOp createVectorKernel(OpBuilder &b, Location loc, StringRef name,
                                    int64_t grid, int64_t subblocks) {
  auto kernel = createKernel(b, loc, name, grid, subblocks, /*cube=*/false,
                             /*vector=*/true);
  b.setInsertionPointToStart(&kernel.getVector().front());
  return kernel;
}

/// Deals `items` round-robin to every vector core of the kernel; `body`
/// gets the item and this core's iteration count.
void forEachVectorItem(IndexBuilder &ib, npu_ir::KernelOp kernel, Value items,
                       llvm::function_ref<void(Value, Value)> body) {
  Block &region = kernel.getVector().front();
  int64_t cores = kernel.getGrid() * kernel.getSubblocks();
  Value core =
      ib.add(ib.mul(region.getArgument(0), ib.c(kernel.getSubblocks())),
             region.getArgument(1));
  ib.loop(core, items, ib.c(cores), [&](Value item) {
    body(item, ib.div(ib.sub(item, core), ib.c(cores)));
  });
}

} // namespace

void moec::npu::emitRouterKernel(OpBuilder &b, Location loc,
                                 const TargetDesc &target, Value logits,
                                 Value bias, Value weights, Value ids,
                                 moe::RoutingAttr routing, int64_t rows,
                                 Attribute tiling) {
  OpBuilder::InsertionGuard guard(b);
  auto kernel =
      createVectorKernel(b, loc, "router", gridOf(target), subblocksOf(target));
  kernel->setAttr("moe_npu.tiling", tiling);
  CoreBuilder cb(b, loc, target);
  int64_t experts = cast<MemRefType>(logits.getType()).getDimSize(1);
  int64_t k = routing.getK();
  Type f32 = b.getF32Type();
  Value ubLogits =
      cb.alloc("ub_logits", MemorySpace::ub, 2, rows, experts, f32);
  Value ubWeights = cb.alloc("ub_weights", MemorySpace::ub, 2, rows, k, f32);
  Value ubIds = cb.alloc("ub_ids", MemorySpace::ub, 2, rows, k, b.getI32Type());
  Value ubBias;
  if (bias) {
    ubBias = cb.alloc("ub_bias", MemorySpace::ub, 1, 1, experts, f32);
    npu_ir::LoadOp::create(b, loc, bias, ValueRange{cb.c(0)}, ubBias, cb.c(0),
                           cb.c(1), Value(), Value(), Value());
    // Event 2: the bias is in UB (ids 0 and 1 are the steps' slots).
    cb.order(Pipe::mte2, Pipe::v, cb.c(2));
  }
  cb.armVectorSteps();
  Value tokens = cb.dim(logits, 0);
  forEachVectorItem(
      cb, kernel, cb.ceilDiv(tokens, cb.c(rows)), [&](Value tile, Value it) {
        Value slot = cb.rem(it, cb.c(2));
        Value r0 = cb.mul(tile, cb.c(rows));
        Value count = cb.min(cb.c(rows), cb.sub(tokens, r0));
        cb.vectorStep(
            slot,
            [&] {
              npu_ir::LoadOp::create(b, loc, logits, ValueRange{r0, cb.c(0)},
                                     ubLogits, slot, count, Value(), Value(),
                                     Value());
            },
            [&] {
              npu_ir::VRouteOp::create(b, loc, ubLogits, slot, ubBias,
                                       bias ? cb.c(0) : Value(), ubWeights,
                                       ubIds, slot, routing);
            },
            [&] {
              for (auto [ub, gm] :
                   {std::pair{ubWeights, weights}, std::pair{ubIds, ids}})
                npu_ir::StoreOp::create(b, loc, ub, slot, gm,
                                        ValueRange{r0, cb.c(0)}, count);
            });
      });
  cb.drainVectorSteps();
}

void moec::npu::emitDispatchKernel(OpBuilder &b, Location loc, Value ids,
                                   Value tokens, Value rows, Value tiles,
                                   int64_t experts, int64_t tileRows) {
  OpBuilder::InsertionGuard guard(b);
  createVectorKernel(b, loc, "dispatch", 1, 1);
  npu_ir::DispatchMetadataOp::create(b, loc, ids, tokens, rows, tiles,
                                     b.getI64IntegerAttr(experts),
                                     b.getI64IntegerAttr(tileRows));
}

void moec::npu::emitCombineKernel(OpBuilder &b, Location loc,
                                  const TargetDesc &target, Value expertOut,
                                  Value pairRows, Value weights, Value init,
                                  Value out, int64_t rows, int64_t cols,
                                  Attribute tiling) {
  OpBuilder::InsertionGuard guard(b);
  auto kernel = createVectorKernel(b, loc, "combine", gridOf(target),
                                   subblocksOf(target));
  kernel->setAttr("moe_npu.tiling", tiling);
  CoreBuilder cb(b, loc, target);
  int64_t k = cast<MemRefType>(weights.getType()).getDimSize(1);
  int64_t hidden = cast<MemRefType>(out.getType()).getDimSize(1);
  Type f32 = b.getF32Type();
  Value ubRows =
      cb.alloc("ub_rows", MemorySpace::ub, 2, rows, cols, elementOf(expertOut));
  Value ubWeights = cb.alloc("ub_weights", MemorySpace::ub, 1, rows, k, f32);
  Value ubAcc = cb.alloc("ub_acc", MemorySpace::ub, 1, rows, cols, f32);
  // The sum is f32; a narrower result (or shared output) goes through a
  // cast in UB, since copies do not convert.
  Type outType = elementOf(out);
  Value ubOut = outType.isF32() ? ubAcc
                                : cb.alloc("ub_out", MemorySpace::ub, 1, rows,
                                           cols, outType);
  Value ubInit;
  if (init)
    ubInit = elementOf(init).isF32() ? ubAcc
                                     : cb.alloc("ub_init", MemorySpace::ub, 1,
                                                rows, cols, elementOf(init));
  // Event 2 orders the per-tile buffers: the weights (and the shared
  // output) loaded, the weights read, the sum stored. The sum's first
  // writer is MTE2 when it starts from the shared output, V otherwise.
  Pipe accWriter = init ? Pipe::mte2 : Pipe::v;
  Value tileEvent = cb.c(2);
  cb.armSlots(Pipe::v, Pipe::mte2);
  cb.setFlag(Pipe::v, Pipe::mte2, tileEvent);
  cb.setFlag(Pipe::mte3, accWriter, tileEvent);
  Value tokens = cb.dim(out, 0);
  int64_t columnTiles = (hidden + cols - 1) / cols;
  Value items = cb.mul(cb.ceilDiv(tokens, cb.c(rows)), cb.c(columnTiles));
  forEachVectorItem(cb, kernel, items, [&](Value item, Value) {
    Value t0 = cb.mul(cb.div(item, cb.c(columnTiles)), cb.c(rows));
    Value c0 = cb.mul(cb.rem(item, cb.c(columnTiles)), cb.c(cols));
    Value count = cb.min(cb.c(rows), cb.sub(tokens, t0));
    cb.waitFlag(Pipe::v, Pipe::mte2, tileEvent);
    npu_ir::LoadOp::create(b, loc, weights, ValueRange{t0, cb.c(0)}, ubWeights,
                           cb.c(0), count, Value(), Value(), Value());
    cb.waitFlag(Pipe::mte3, accWriter, tileEvent);
    if (init)
      npu_ir::LoadOp::create(b, loc, init, ValueRange{t0, c0}, ubInit, cb.c(0),
                             count, Value(), Value(), Value());
    cb.order(Pipe::mte2, Pipe::v, tileEvent);
    if (ubInit && ubInit != ubAcc)
      npu_ir::VCastOp::create(b, loc, ubInit, cb.c(0), ubAcc, cb.c(0));
    cb.loop(cb.c(0), cb.c(k), cb.c(1), [&](Value j) {
      Value slot = cb.rem(j, cb.c(2));
      cb.waitFlag(Pipe::v, Pipe::mte2, slot);
      // Row i of the tile is expert-output row pairRows[(t0 + i) * k + j].
      npu_ir::LoadOp::create(b, loc, expertOut, ValueRange{cb.c(0), c0}, ubRows,
                             slot, count, pairRows,
                             cb.add(cb.mul(t0, cb.c(k)), j), cb.c(k));
      cb.order(Pipe::mte2, Pipe::v, slot);
      Value first = init ? cb.boolean(false) : cb.eq(j, cb.c(0));
      npu_ir::VAxpyOp::create(b, loc, ubRows, slot, ubWeights, cb.c(0), j,
                              ubAcc, cb.c(0), first);
      cb.setFlag(Pipe::v, Pipe::mte2, slot);
    });
    if (ubOut != ubAcc)
      npu_ir::VCastOp::create(b, loc, ubAcc, cb.c(0), ubOut, cb.c(0));
    cb.setFlag(Pipe::v, Pipe::mte2, tileEvent);
    cb.order(Pipe::v, Pipe::mte3, tileEvent);
    npu_ir::StoreOp::create(b, loc, ubOut, cb.c(0), out, ValueRange{t0, c0},
                            count);
    cb.setFlag(Pipe::mte3, accWriter, tileEvent);
  });
  cb.drainSlots(Pipe::v, Pipe::mte2);
  cb.waitFlag(Pipe::v, Pipe::mte2, tileEvent);
  cb.waitFlag(Pipe::mte3, accWriter, tileEvent);
}
