//===- WeightGradKernel.cpp - deterministic grouped weight gradient -------===//

#include "WeightGradKernel.h"
#include "KernelBuilders.h"

#include "moec/Conversion/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>
#include <tuple>

using namespace mlir;
using namespace mlir::moe::lowering;
using namespace moec;
using namespace moec::cpu;

namespace {

/// Workers of the cost-balanced schedule; threads share them out as a
/// static schedule would (as the grouped GEMM's K-blocked workers).
constexpr int64_t kMaxWorkers = 64;
/// Items below which K is split into blocks, so that 64 workers can each get
/// a few.
constexpr int64_t kMinItems = 256;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

class WeightGradEmitter {
public:
  WeightGradEmitter(const WeightGrad &grad, const WeightGradTiling &tiling)
      : grad(grad), tiling(tiling) {
    auto type = cast<MemRefType>(grad.output.getType());
    numExperts = type.getDimSize(0);
    k = type.getDimSize(1);
    n = type.getDimSize(2);
    // Partial sums between row blocks must be exact: only an f32 output
    // can hold them.
    if (!type.getElementType().isF32())
      this->tiling.rb = 0;
    int64_t vectors = n / tiling.lanes;
    fullPanels = vectors / tiling.nv;
    tailVectors = vectors % tiling.nv;
    numPanels = fullPanels + (tailVectors ? 1 : 0);
    numKBlocks = ceilDiv(k, tiling.kt);
    itemsPerExpert = numPanels * numKBlocks;
  }

  void emit(ImplicitLocOpBuilder &b) {
    Value costStarts = scheduleCosts(b);
    Value total =
        memref::LoadOp::create(b, costStarts, indexConstant(b, numExperts));
    Value workers =
        arith::MinUIOp::create(b, total, indexConstant(b, kMaxWorkers));
    Value zero = indexConstant(b, 0), one = indexConstant(b, 1);
    if (tiling.rb) {
      // One slot per worker for its current block of the dy panel: a
      // buffer allocated inside the parallel body would be a stack
      // allocation per iteration.
      auto type = MemRefType::get(
          {ShapedType::kDynamic, tiling.rb, tiling.nv * tiling.lanes},
          b.getF32Type());
      scratch = memref::AllocOp::create(b, type, ValueRange{workers},
                                        b.getI64IntegerAttr(64));
    }
    scf::ParallelOp::create(
        b, ValueRange{zero}, ValueRange{workers}, ValueRange{one},
        [&](OpBuilder &nested, Location loc, ValueRange ivs) {
          ImplicitLocOpBuilder nb(loc, nested);
          runWorker(nb, costStarts, total, workers, ivs[0]);
        });
  }

private:
  const WeightGrad &grad;
  WeightGradTiling tiling;
  int64_t numExperts = 0, k = 0, n = 0;
  int64_t fullPanels = 0, tailVectors = 0, numPanels = 0;
  int64_t numKBlocks = 1, itemsPerExpert = 1;
  /// With row blocks: `[workers, rb, nv * lanes]` f32, each worker's copy
  /// of the rows of the dy panel its tiles read; and the worker being
  /// emitted.
  Value scratch, worker;

  /// `scf.for %iv = lo to hi step step` with no results.
  static void
  forEach(ImplicitLocOpBuilder &b, Value lo, Value hi,
          llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> body,
          int64_t step = 1) {
    scf::ForOp::create(
        b, lo, hi, indexConstant(b, step), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value iv, ValueRange) {
          ImplicitLocOpBuilder nb(loc, nested);
          body(nb, iv);
          scf::YieldOp::create(nb);
        });
  }

  /// `scf.if cond` with no results, and an else branch when given.
  static void
  when(ImplicitLocOpBuilder &b, Value cond,
       llvm::function_ref<void(ImplicitLocOpBuilder &)> thenBody,
       llvm::function_ref<void(ImplicitLocOpBuilder &)> elseBody = nullptr) {
    auto build = [](llvm::function_ref<void(ImplicitLocOpBuilder &)> body) {
      return [body](OpBuilder &nested, Location loc) {
        ImplicitLocOpBuilder nb(loc, nested);
        body(nb);
        scf::YieldOp::create(nb);
      };
    };
    if (elseBody)
      scf::IfOp::create(b, cond, build(thenBody), build(elseBody));
    else
      scf::IfOp::create(b, cond, build(thenBody));
  }

  /// `[lo, hi)` rows of expert `e`, clamped into `[0, R]` as the forward
  /// clamps them: bad offsets give wrong groups, never out-of-bounds rows.
  std::pair<Value, Value> groupBounds(ImplicitLocOpBuilder &b, Value e) {
    Value next = arith::AddIOp::create(b, e, indexConstant(b, 1));
    Value lo =
        clampIndex(b, toIndex(b, memref::LoadOp::create(b, grad.offsets, e)),
                   indexConstant(b, 0), grad.rows);
    Value hi =
        clampIndex(b, toIndex(b, memref::LoadOp::create(b, grad.offsets, next)),
                   lo, grad.rows);
    return {lo, hi};
  }

  /// `starts[e]` = cost of the items of experts before `e`, `starts[E]` =
  /// the total. An item costs its expert's rows plus one (its stores), so
  /// that an empty expert's items, which only write zeros, are shared out
  /// too.
  Value scheduleCosts(ImplicitLocOpBuilder &b) {
    auto type = MemRefType::get({numExperts + 1}, b.getIndexType());
    Value starts = memref::AllocaOp::create(b, type);
    Value zero = indexConstant(b, 0);
    memref::StoreOp::create(b, zero, starts, zero);
    buildLoop(b, indexConstant(b, numExperts), ValueRange{zero},
              [&](ImplicitLocOpBuilder &lb, Value e, ValueRange args) {
                auto [lo, hi] = groupBounds(lb, e);
                Value perItem =
                    arith::AddIOp::create(lb, arith::SubIOp::create(lb, hi, lo),
                                          indexConstant(lb, 1));
                Value cost = arith::MulIOp::create(
                    lb, perItem, indexConstant(lb, itemsPerExpert));
                Value end = arith::AddIOp::create(lb, args[0], cost);
                Value next = arith::AddIOp::create(lb, e, indexConstant(lb, 1));
                memref::StoreOp::create(lb, end, starts, next);
                return SmallVector<Value>{end};
              });
    return starts;
  }

  /// Worker `w` owns the cost range `[w * total / W, (w+1) * total / W)` and
  /// runs every item whose cost range starts in it: item `j` of expert `e`
  /// starts at `starts[e] + j * (rows_e + 1)`.
  void runWorker(ImplicitLocOpBuilder &b, Value starts, Value total,
                 Value workers, Value worker) {
    this->worker = worker;
    auto shareStart = [&](Value w) {
      return arith::DivUIOp::create(b, arith::MulIOp::create(b, w, total),
                                    workers);
    };
    Value c0 = shareStart(worker);
    Value c1 =
        shareStart(arith::AddIOp::create(b, worker, indexConstant(b, 1)));
    forEach(b, indexConstant(b, 0), indexConstant(b, numExperts),
            [&](ImplicitLocOpBuilder &eb, Value e) {
              Value base = memref::LoadOp::create(eb, starts, e);
              Value lo, hi;
              std::tie(lo, hi) = groupBounds(eb, e);
              Value perItem = arith::AddIOp::create(
                  eb, arith::SubIOp::create(eb, hi, lo), indexConstant(eb, 1));
              auto firstItemFrom = [&](Value cost) {
                Value j = arith::CeilDivSIOp::create(
                    eb, arith::SubIOp::create(eb, cost, base), perItem);
                return clampIndex(eb, j, indexConstant(eb, 0),
                                  indexConstant(eb, itemsPerExpert));
              };
              forEach(eb, firstItemFrom(c0), firstItemFrom(c1),
                      [&](ImplicitLocOpBuilder &ib, Value item) {
                        runItem(ib, e, item, lo, hi);
                      });
            });
  }

  /// The rows a register tile sums: `[lo, hi)`, and whether they are the
  /// first of the group (the tile starts from zero, not from the partial
  /// sums a previous row block stored).
  struct RowBlock {
    Value lo, hi;
    /// Null when the group is not split: always the first.
    Value isFirst;
  };

  /// Items of an expert are ordered panel-major, so that consecutive items
  /// (which a worker's share is made of) read the same columns of dy, from
  /// L2 after the first.
  void runItem(ImplicitLocOpBuilder &b, Value e, Value item, Value lo,
               Value hi) {
    Value blocks = indexConstant(b, numKBlocks);
    Value panel = arith::DivUIOp::create(b, item, blocks);
    Value block = arith::RemUIOp::create(b, item, blocks);
    Value n0 = arith::MulIOp::create(
        b, panel, indexConstant(b, tiling.nv * tiling.lanes));
    auto panelTiles = [&](int64_t vectors) {
      return [&, vectors](ImplicitLocOpBuilder &pb) {
        rowBlocks(pb, lo, hi, [&](ImplicitLocOpBuilder &rb, RowBlock rows) {
          if (scratch)
            packRows(rb, rows, n0, vectors);
          kTiles(rb, e, block, n0, vectors, rows);
        });
      };
    };
    if (!tailVectors) {
      panelTiles(tiling.nv)(b);
      return;
    }
    // The last panel holds the vectors that do not fill a whole one.
    Value full = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, panel,
                                       indexConstant(b, fullPanels));
    when(b, full, panelTiles(tiling.nv), panelTiles(tailVectors));
  }

  /// Runs `body` on the group's rows in blocks of `rb`, so that the block of
  /// the dy panel (and the lines of input it reads) stay in L1 while every
  /// register tile of the item passes over it; partial sums wait in the f32
  /// output between blocks, which keeps them exact, so the sums are the same
  /// as in one pass. An empty group is one empty block (its tiles store
  /// zeros). Without rb (not an f32 output), one block of all the rows.
  void
  rowBlocks(ImplicitLocOpBuilder &b, Value lo, Value hi,
            llvm::function_ref<void(ImplicitLocOpBuilder &, RowBlock)> body) {
    if (!tiling.rb) {
      body(b, RowBlock{lo, hi, Value()});
      return;
    }
    Value rb = indexConstant(b, tiling.rb);
    Value count = arith::MaxUIOp::create(
        b, arith::CeilDivUIOp::create(b, arith::SubIOp::create(b, hi, lo), rb),
        indexConstant(b, 1));
    forEach(b, indexConstant(b, 0), count,
            [&](ImplicitLocOpBuilder &lb, Value index) {
              Value r0 = arith::AddIOp::create(
                  lb, lo, arith::MulIOp::create(lb, index, rb));
              Value r1 = arith::MinUIOp::create(
                  lb, arith::AddIOp::create(lb, r0, rb), hi);
              Value isFirst = arith::CmpIOp::create(
                  lb, arith::CmpIPredicate::eq, index, indexConstant(lb, 0));
              body(lb, RowBlock{r0, r1, isFirst});
            });
  }

  /// Copies the block's rows of the dy panel into the worker's scratch,
  /// where every tile of the item reads them: in place, rows `4N` bytes
  /// apart map to a few L1 sets (all of them for N a multiple of 1024) and
  /// evict each other long before the next tile comes back to them.
  void packRows(ImplicitLocOpBuilder &b, const RowBlock &rows, Value n0,
                int64_t vectors) {
    int64_t lanes = tiling.lanes;
    forEach(b, rows.lo, rows.hi, [&](ImplicitLocOpBuilder &lb, Value row) {
      Value local = arith::SubIOp::create(lb, row, rows.lo);
      for (int64_t v = 0; v < vectors; ++v) {
        Value column = v ? Value(arith::AddIOp::create(
                               lb, n0, indexConstant(lb, v * lanes)))
                         : n0;
        Value values =
            loadF32Vector(lb, grad.dy, ValueRange{row, column}, lanes);
        vector::StoreOp::create(
            lb, values, scratch,
            ValueRange{worker, local, indexConstant(lb, v * lanes)});
      }
    });
  }

  /// The register tiles of K block `block`: full mr-row tiles, then in the
  /// last block the K % mr rows left.
  void kTiles(ImplicitLocOpBuilder &b, Value e, Value block, Value n0,
              int64_t vectors, const RowBlock &rows) {
    int64_t mr = tiling.mr, kFull = k - k % mr;
    Value kStart = arith::MulIOp::create(b, block, indexConstant(b, tiling.kt));
    Value kEnd = arith::MinUIOp::create(
        b, arith::AddIOp::create(b, kStart, indexConstant(b, tiling.kt)),
        indexConstant(b, kFull));
    forEach(
        b, kStart, kEnd,
        [&](ImplicitLocOpBuilder &tb, Value k0) {
          registerTile(tb, e, k0, mr, n0, vectors, rows);
        },
        mr);
    if (k % mr == 0)
      return;
    Value last = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, block,
                                       indexConstant(b, numKBlocks - 1));
    when(b, last, [&](ImplicitLocOpBuilder &tb) {
      registerTile(tb, e, indexConstant(tb, kFull), k % mr, n0, vectors, rows);
    });
  }

  /// `output[e, k0 .. k0+height, n0 .. n0 + vectors*lanes]` (+)=
  /// sum over the rows, ascending, of input[r, k0 + i] * dy[r, n0 ..], in
  /// `height` x `vectors` f32 accumulators: from zero for the first rows of
  /// the group, else from the partial sums in the output.
  void registerTile(ImplicitLocOpBuilder &b, Value e, Value k0, int64_t height,
                    Value n0, int64_t vectors, const RowBlock &rows) {
    int64_t lanes = tiling.lanes;
    VectorType accType = f32Vector(b.getContext(), lanes);
    SmallVector<Value> kIndices, nIndices;
    auto offset = [&](Value base, int64_t by) -> Value {
      if (by == 0)
        return base;
      return arith::AddIOp::create(b, base, indexConstant(b, by));
    };
    for (int64_t i = 0; i < height; ++i)
      kIndices.push_back(offset(k0, i));
    for (int64_t v = 0; v < vectors; ++v)
      nIndices.push_back(offset(n0, v * lanes));
    int64_t numAccs = height * vectors;
    SmallVector<Type> accTypes(numAccs, accType);
    SmallVector<Value> inits(numAccs, floatConstant(b, accType, 0.0));
    if (rows.isFirst)
      inits = buildIf(
          b, rows.isFirst, accTypes,
          [&](ImplicitLocOpBuilder &) { return inits; },
          [&](ImplicitLocOpBuilder &nb) {
            SmallVector<Value> partial;
            for (int64_t i = 0; i < height; ++i)
              for (int64_t v = 0; v < vectors; ++v)
                partial.push_back(vector::LoadOp::create(
                    nb, accType, grad.output,
                    ValueRange{e, kIndices[i], nIndices[v]}));
            return partial;
          });
    auto loop = scf::ForOp::create(
        b, rows.lo, rows.hi, indexConstant(b, 1), inits,
        [&](OpBuilder &nested, Location loc, Value row, ValueRange accs) {
          ImplicitLocOpBuilder nb(loc, nested);
          SmallVector<Value> dyVectors;
          Value local = scratch ? Value(arith::SubIOp::create(nb, row, rows.lo))
                                : Value();
          for (int64_t v = 0; v < vectors; ++v)
            dyVectors.push_back(
                scratch ? Value(vector::LoadOp::create(
                              nb, accType, scratch,
                              ValueRange{worker, local,
                                         indexConstant(nb, v * lanes)}))
                        : loadF32Vector(nb, grad.dy,
                                        ValueRange{row, nIndices[v]}, lanes));
          SmallVector<Value> next(accs.begin(), accs.end());
          for (int64_t i = 0; i < height; ++i) {
            Value x = loadF32(nb, grad.input, ValueRange{row, kIndices[i]});
            Value a = vector::BroadcastOp::create(nb, accType, x);
            for (int64_t v = 0; v < vectors; ++v) {
              Value &acc = next[i * vectors + v];
              acc = vector::FMAOp::create(nb, a, dyVectors[v], acc);
            }
          }
          scf::YieldOp::create(nb, next);
        });
    for (int64_t i = 0; i < height; ++i)
      for (int64_t v = 0; v < vectors; ++v)
        storeF32Vector(b, loop.getResult(i * vectors + v), grad.output,
                       ValueRange{e, kIndices[i], nIndices[v]});
  }
};

} // namespace

std::optional<WeightGradTiling>
moec::cpu::selectWeightGradTiling(const CPUTargetDesc &target, int64_t experts,
                                  int64_t k, int64_t n) {
  WeightGradTiling tiling;
  tiling.lanes = std::max<int64_t>(target.vectorBits / 32, 1);
  if (experts <= 0 || k <= 0 || n <= 0 || n % tiling.lanes != 0)
    return std::nullopt;
  // mr x nv accumulators + nv dy vectors + 1 broadcast <= registers - 1.
  int64_t budget = static_cast<int64_t>(target.numVectorRegisters) - 1;
  auto fits = [&](int64_t mr, int64_t nv) {
    return mr * nv + nv + 1 <= budget;
  };
  tiling.mr = 6;
  while (tiling.mr > 1 && !fits(tiling.mr, 1))
    --tiling.mr;
  tiling.nv = 1;
  while (fits(tiling.mr, tiling.nv * 2))
    tiling.nv *= 2;
  tiling.nv = std::min(tiling.nv, n / tiling.lanes);

  int64_t vectors = n / tiling.lanes;
  int64_t panels = ceilDiv(vectors, tiling.nv);
  int64_t kTiles = ceilDiv(k, tiling.mr);
  int64_t blocks =
      std::clamp<int64_t>(ceilDiv(kMinItems, experts * panels), 1, kTiles);
  tiling.kt = tiling.mr * ceilDiv(kTiles, blocks);
  // Half of L1d for the block of the dy panel (the input lines it reads,
  // one per row, take an eighth more); a multiple of 8 rows.
  int64_t panelRowBytes = tiling.nv * tiling.lanes * 4;
  int64_t l1 = target.l1dBytes ? static_cast<int64_t>(target.l1dBytes) : 32768;
  tiling.rb = std::clamp<int64_t>(l1 / 2 / panelRowBytes / 8 * 8, 8, 512);
  return tiling;
}

void moec::cpu::buildWeightGrad(ImplicitLocOpBuilder &b, const WeightGrad &grad,
                                const WeightGradTiling &tiling) {
  WeightGradEmitter(grad, tiling).emit(b);
}
