//===- GroupedGemm.cpp - register-blocked grouped GEMM on the CPU ---------===//

#include "GroupedGemm.h"
#include "KernelBuilders.h"

#include "moec/Conversion/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace mlir::moe::lowering;
using namespace moec;
using namespace moec::cpu;

namespace {

/// Worker slots of the K-blocked schedule (see GemmEmitter::emit): the f32
/// scratch holds one slot per worker, and threads share the workers out as
/// they shared the items.
constexpr int64_t kMaxWorkers = 64;

/// Where a register tile's K range and partial sums come from.
struct KBlock {
  Value kLo, kHi;
  /// Without K blocking: null, the tile covers all of K.
  Value scratch, worker, isFirst, isLast;
  /// First row of the item, scratch row 0.
  Value itemRow;
};

class GemmEmitter {
public:
  GemmEmitter(const GroupedGemm &gemm, const GemmTiling &tiling)
      : gemm(gemm), tiling(tiling),
        numWeights(static_cast<int64_t>(gemm.weights.size())),
        panelColumns(tiling.panelColumns()), kc(std::min(tiling.kc, gemm.k)),
        numKBlocks((gemm.k + kc - 1) / kc) {
    auto packed = cast<MemRefType>(gemm.weights.front().getType());
    numExperts = packed.getDimSize(0);
    numPanels = packed.getDimSize(1);
    inputElement = cast<MemRefType>(gemm.input.getType()).getElementType();
    pairs = usesDotProducts(tiling, inputElement);
  }

  /// Without K blocking, items are the parallel iterations. With it, each
  /// of up to kMaxWorkers workers takes a contiguous share of the items
  /// (the share a static schedule would give it) and keeps its partial
  /// sums in its own slot of one scratch buffer: a buffer allocated inside
  /// the parallel body would be a stack allocation per item.
  void emit(ImplicitLocOpBuilder &b) {
    if (gemm.offsets)
      zeroRowsInNoGroup(b);
    Value itemStarts = scheduleItems(b);
    Value total =
        memref::LoadOp::create(b, itemStarts, indexConstant(b, numExperts));
    Value zero = indexConstant(b, 0), one = indexConstant(b, 1);
    if (numKBlocks == 1) {
      scf::ParallelOp::create(
          b, ValueRange{zero}, ValueRange{total}, ValueRange{one},
          [&](OpBuilder &nested, Location loc, ValueRange ivs) {
            ImplicitLocOpBuilder nb(loc, nested);
            runItem(nb, itemStarts, ivs[0], {}, {});
          });
      return;
    }
    Value workers =
        arith::MinUIOp::create(b, total, indexConstant(b, kMaxWorkers));
    auto scratchType = MemRefType::get(
        {ShapedType::kDynamic, tiling.mt, numWeights * panelColumns},
        b.getF32Type());
    Value scratch = memref::AllocOp::create(b, scratchType, ValueRange{workers},
                                            b.getI64IntegerAttr(64));
    scf::ParallelOp::create(
        b, ValueRange{zero}, ValueRange{workers}, ValueRange{one},
        [&](OpBuilder &nested, Location loc, ValueRange ivs) {
          ImplicitLocOpBuilder nb(loc, nested);
          Value worker = ivs[0];
          auto shareStart = [&](Value w) {
            return arith::DivUIOp::create(
                nb, arith::MulIOp::create(nb, w, total), workers);
          };
          Value first = shareStart(worker);
          Value last = shareStart(arith::AddIOp::create(nb, worker, one));
          forEach(nb, first, last, [&](ImplicitLocOpBuilder &lb, Value item) {
            runItem(lb, itemStarts, item, scratch, worker);
          });
        });
  }

private:
  const GroupedGemm &gemm;
  const GemmTiling &tiling;
  int64_t numWeights, panelColumns, kc, numKBlocks;
  int64_t numExperts = 1, numPanels = 1;
  Type inputElement;
  bool pairs = false;

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

  /// `scf.if cond` with no results and no else.
  static void when(ImplicitLocOpBuilder &b, Value cond,
                   llvm::function_ref<void(ImplicitLocOpBuilder &)> body) {
    scf::IfOp::create(b, cond, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder nb(loc, nested);
      body(nb);
      scf::YieldOp::create(nb);
    });
  }

  /// `[lo, hi)` rows of expert `e`, clamped into `[0, R]` so that bad
  /// offsets give wrong groups, never out-of-bounds rows.
  std::pair<Value, Value> groupBounds(ImplicitLocOpBuilder &b, Value e) {
    if (!gemm.offsets)
      return {indexConstant(b, 0), gemm.rows};
    Value next = arith::AddIOp::create(b, e, indexConstant(b, 1));
    Value lo =
        clampIndex(b, toIndex(b, memref::LoadOp::create(b, gemm.offsets, e)),
                   indexConstant(b, 0), gemm.rows);
    Value hi =
        clampIndex(b, toIndex(b, memref::LoadOp::create(b, gemm.offsets, next)),
                   lo, gemm.rows);
    return {lo, hi};
  }

  /// Rows between groups and after the last one are zero, as the
  /// grouped_matmul contract wants; with well-formed offsets that is only the
  /// padding tail.
  void zeroRowsInNoGroup(ImplicitLocOpBuilder &b) {
    Value covered = buildLoop(
        b, indexConstant(b, numExperts), ValueRange{indexConstant(b, 0)},
        [&](ImplicitLocOpBuilder &lb, Value e, ValueRange args) {
          auto [lo, hi] = groupBounds(lb, e);
          Value gap = arith::MaxSIOp::create(
              lb, arith::SubIOp::create(lb, lo, args[0]), indexConstant(lb, 0));
          zeroRows(lb, gemm.output, args[0], gap);
          return SmallVector<Value>{arith::MaxSIOp::create(lb, args[0], hi)};
        })[0];
    zeroRows(b, gemm.output, covered,
             arith::SubIOp::create(b, gemm.rows, covered));
  }

  /// `starts[e]` = first work item of expert `e`; `starts[E]` = the total.
  /// An expert has `ceil(rows / mt) * panels` items, so a busy expert is
  /// split as finely as an idle one and threads get equal shares.
  Value scheduleItems(ImplicitLocOpBuilder &b) {
    auto type = MemRefType::get({numExperts + 1}, b.getIndexType());
    Value starts = memref::AllocaOp::create(b, type);
    Value zero = indexConstant(b, 0);
    memref::StoreOp::create(b, zero, starts, zero);
    buildLoop(b, indexConstant(b, numExperts), ValueRange{zero},
              [&](ImplicitLocOpBuilder &lb, Value e, ValueRange args) {
                auto [lo, hi] = groupBounds(lb, e);
                Value tiles = arith::CeilDivUIOp::create(
                    lb, arith::SubIOp::create(lb, hi, lo),
                    indexConstant(lb, tiling.mt));
                Value items = arith::MulIOp::create(
                    lb, tiles, indexConstant(lb, numPanels));
                Value end = arith::AddIOp::create(lb, args[0], items);
                Value next = arith::AddIOp::create(lb, e, indexConstant(lb, 1));
                memref::StoreOp::create(lb, end, starts, next);
                return SmallVector<Value>{end};
              });
    return starts;
  }

  /// The expert whose items contain `item`: the first `e` with
  /// `starts[e + 1] > item`.
  Value findExpert(ImplicitLocOpBuilder &b, Value starts, Value item) {
    auto loop = scf::WhileOp::create(
        b, TypeRange{b.getIndexType()}, ValueRange{indexConstant(b, 0)},
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          Value next = arith::AddIOp::create(nb, args[0], indexConstant(nb, 1));
          Value end = memref::LoadOp::create(nb, starts, next);
          Value inside =
              arith::CmpIOp::create(nb, arith::CmpIPredicate::ule, end, item);
          scf::ConditionOp::create(nb, inside, args);
        },
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          scf::YieldOp::create(nb, ValueRange{arith::AddIOp::create(
                                       nb, args[0], indexConstant(nb, 1))});
        });
    return loop.getResult(0);
  }

  /// Items of one expert are ordered panel-major, so consecutive items (which
  /// a thread's static share is made of) reuse the panel from L2. The rows
  /// go in full mr-row tiles, then one shorter tile for the rest, whose
  /// missing rows repeat the last one and are not stored: no row count makes
  /// the item pass over its panel more than once per mr rows.
  void runItem(ImplicitLocOpBuilder &b, Value starts, Value item, Value scratch,
               Value worker) {
    Value e = findExpert(b, starts, item);
    Value first = memref::LoadOp::create(b, starts, e);
    Value next = arith::AddIOp::create(b, e, indexConstant(b, 1));
    Value end = memref::LoadOp::create(b, starts, next);
    Value tiles = arith::DivUIOp::create(
        b, arith::SubIOp::create(b, end, first), indexConstant(b, numPanels));
    Value local = arith::SubIOp::create(b, item, first);
    Value panel = arith::DivUIOp::create(b, local, tiles);
    Value block = arith::RemUIOp::create(b, local, tiles);
    auto [lo, hi] = groupBounds(b, e);
    Value mt = indexConstant(b, tiling.mt), mr = indexConstant(b, tiling.mr);
    Value r0 =
        arith::AddIOp::create(b, lo, arith::MulIOp::create(b, block, mt));
    Value r1 = arith::MinSIOp::create(b, arith::AddIOp::create(b, r0, mt), hi);
    Value fullRows = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, arith::SubIOp::create(b, r1, r0), mr), mr);
    Value split = arith::AddIOp::create(b, r0, fullRows);
    Value rest = arith::SubIOp::create(b, r1, split);
    Value expert = numExperts == 1 ? indexConstant(b, 0) : e;
    Tile where{expert, panel, r1};

    auto rowTiles = [&](ImplicitLocOpBuilder &tb, const KBlock &kBlock) {
      forEach(
          tb, r0, split,
          [&](ImplicitLocOpBuilder &lb, Value row) {
            registerTile(lb, where, row, tiling.mr, /*masked=*/false, kBlock);
          },
          tiling.mr);
      if (tiling.mr == 1)
        return;
      // The rest (< mr rows) goes in one tile of the smallest height of
      // {1, mr / 2, mr} that holds it; a taller tile repeats its last row.
      int64_t half = tiling.mr / 2;
      auto tail = [&](int64_t height, Value fits) {
        when(tb, fits, [&](ImplicitLocOpBuilder &nb) {
          registerTile(nb, where, split, height, /*masked=*/height > 1, kBlock);
        });
      };
      auto restIn = [&](int64_t above, int64_t atMost) {
        Value low = arith::CmpIOp::create(tb, arith::CmpIPredicate::ugt, rest,
                                          indexConstant(tb, above));
        Value high = arith::CmpIOp::create(tb, arith::CmpIPredicate::ule, rest,
                                           indexConstant(tb, atMost));
        return arith::AndIOp::create(tb, low, high);
      };
      tail(1, restIn(0, 1));
      if (half > 1) {
        tail(half, restIn(1, half));
        tail(tiling.mr, restIn(half, tiling.mr));
      } else {
        tail(tiling.mr, restIn(1, tiling.mr));
      }
    };

    if (!scratch) {
      rowTiles(b, KBlock{indexConstant(b, 0),
                         indexConstant(b, gemm.k),
                         {},
                         {},
                         {},
                         {},
                         r0});
      return;
    }
    // Every row tile of the item passes over one block of the panel before
    // the next block is loaded.
    forEach(
        b, indexConstant(b, 0), indexConstant(b, numKBlocks),
        [&](ImplicitLocOpBuilder &kb, Value kIndex) {
          Value kLo = arith::MulIOp::create(kb, kIndex, indexConstant(kb, kc));
          Value kHi = arith::MinUIOp::create(
              kb, arith::AddIOp::create(kb, kLo, indexConstant(kb, kc)),
              indexConstant(kb, gemm.k));
          Value isFirst = arith::CmpIOp::create(kb, arith::CmpIPredicate::eq,
                                                kIndex, indexConstant(kb, 0));
          Value isLast =
              arith::CmpIOp::create(kb, arith::CmpIPredicate::eq, kIndex,
                                    indexConstant(kb, numKBlocks - 1));
          rowTiles(kb, KBlock{kLo, kHi, scratch, worker, isFirst, isLast, r0});
        });
  }

  struct Tile {
    Value expert, panel;
    /// End of the item's rows: a masked tile reads no row past it.
    Value rowEnd;
  };

  /// The input row output row `row` reads.
  Value inputRow(ImplicitLocOpBuilder &b, Value row) {
    if (!gemm.rowPairs)
      return row;
    Value pair = toIndex(b, memref::LoadOp::create(b, gemm.rowPairs, row));
    Value token =
        arith::DivSIOp::create(b, pair, indexConstant(b, gemm.pairsPerToken));
    Value lastToken = arith::SubIOp::create(
        b, memref::DimOp::create(b, gemm.input, 0), indexConstant(b, 1));
    return clampIndex(b, token, indexConstant(b, 0), lastToken);
  }

  /// The input element(s) at (row, kk) in every lane: one f32, or for dot
  /// products the bf16 pair (kk, kk+1) as one 32-bit lane.
  Value broadcastInput(ImplicitLocOpBuilder &b, Value row, Value kk) {
    int64_t lanes = tiling.lanes;
    if (!pairs) {
      Value scalar = loadF32(b, gemm.input, ValueRange{row, kk});
      return vector::BroadcastOp::create(b, f32Vector(b.getContext(), lanes),
                                         scalar);
    }
    Value pair = vector::LoadOp::create(b, VectorType::get({2}, inputElement),
                                        gemm.input, ValueRange{row, kk});
    Type i32 = b.getI32Type();
    Value word = vector::BitCastOp::create(b, VectorType::get({1}, i32), pair);
    Value words =
        vector::BroadcastOp::create(b, VectorType::get({lanes}, i32), word);
    return vector::BitCastOp::create(
        b, VectorType::get({2 * lanes}, inputElement), words);
  }

  Value loadWeight(ImplicitLocOpBuilder &b, int64_t w, Value expert,
                   Value panel, Value kk, int64_t v) {
    Value weights = gemm.weights[w];
    int64_t lanes = tiling.lanes;
    if (!pairs)
      return loadF32Vector(
          b, weights,
          ValueRange{expert, panel, kk, indexConstant(b, v * lanes)}, lanes);
    Value step = arith::DivUIOp::create(b, kk, indexConstant(b, 2));
    auto type = VectorType::get(
        {2 * lanes}, cast<MemRefType>(weights.getType()).getElementType());
    return vector::LoadOp::create(
        b, type, weights,
        ValueRange{expert, panel, step, indexConstant(b, 2 * v * lanes)});
  }

  /// Indices of accumulator (w, i, v) in scratch: row i of the tile, the
  /// v-th vector of weight w's columns.
  SmallVector<Value> scratchIndices(ImplicitLocOpBuilder &b, const KBlock &k,
                                    Value row, int64_t i, int64_t w,
                                    int64_t v) {
    Value localRow = arith::AddIOp::create(
        b, arith::SubIOp::create(b, row, k.itemRow), indexConstant(b, i));
    return {k.worker, localRow,
            indexConstant(b, w * panelColumns + v * tiling.lanes)};
  }

  /// `rows` x (nv vectors per weight) accumulators over the K range of
  /// `k`, then the epilogue and the stores, or the partial sums back to
  /// the scratch. A masked tile reads row min(row + i, rowEnd - 1) and
  /// stores only rows below rowEnd.
  void registerTile(ImplicitLocOpBuilder &b, const Tile &tile, Value row,
                    int64_t rows, bool masked, const KBlock &k) {
    int64_t nv = tiling.nv, lanes = tiling.lanes;
    VectorType accType = f32Vector(b.getContext(), lanes);
    Value lastRow =
        masked ? arith::SubIOp::create(b, tile.rowEnd, indexConstant(b, 1))
               : Value();
    SmallVector<Value> inputRows;
    for (int64_t i = 0; i < rows; ++i) {
      Value r = arith::AddIOp::create(b, row, indexConstant(b, i));
      if (masked)
        r = arith::MinSIOp::create(b, r, lastRow);
      inputRows.push_back(inputRow(b, r));
    }
    auto accIndex = [&](int64_t w, int64_t i, int64_t v) {
      return (w * rows + i) * nv + v;
    };
    int64_t numAccs = numWeights * rows * nv;
    SmallVector<Type> accTypes(numAccs, accType);
    SmallVector<Value> inits(numAccs, floatConstant(b, accType, 0.0));
    if (k.scratch) {
      inits = buildIf(
          b, k.isFirst, accTypes, [&](ImplicitLocOpBuilder &) { return inits; },
          [&](ImplicitLocOpBuilder &nb) {
            SmallVector<Value> partial(numAccs);
            for (int64_t w = 0; w < numWeights; ++w)
              for (int64_t i = 0; i < rows; ++i)
                for (int64_t v = 0; v < nv; ++v)
                  partial[accIndex(w, i, v)] = vector::LoadOp::create(
                      nb, accType, k.scratch,
                      scratchIndices(nb, k, row, i, w, v));
            return partial;
          });
    }
    auto loop = scf::ForOp::create(
        b, k.kLo, k.kHi, indexConstant(b, pairs ? 2 : 1), inits,
        [&](OpBuilder &nested, Location loc, Value kk, ValueRange accs) {
          ImplicitLocOpBuilder nb(loc, nested);

          SmallVector<Value> panelVectors;
          for (int64_t w = 0; w < numWeights; ++w)
            for (int64_t v = 0; v < nv; ++v)
              panelVectors.push_back(
                  loadWeight(nb, w, tile.expert, tile.panel, kk, v));
          SmallVector<Value> next(accs.begin(), accs.end());
          for (int64_t i = 0; i < rows; ++i) {
            Value a = broadcastInput(nb, inputRows[i], kk);
            for (int64_t w = 0; w < numWeights; ++w)
              for (int64_t v = 0; v < nv; ++v) {
                Value &acc = next[accIndex(w, i, v)];
                Value bv = panelVectors[w * nv + v];
                acc = pairs ? Value(x86vector::DotBF16Op::create(nb, accType,
                                                                 acc, a, bv))
                            : Value(vector::FMAOp::create(nb, a, bv, acc));
              }
          }
          scf::YieldOp::create(nb, next);
        });
    auto result = [&](int64_t w, int64_t i, int64_t v) {
      return loop.getResult(accIndex(w, i, v));
    };

    auto storeOutputs = [&](ImplicitLocOpBuilder &sb) {
      for (int64_t i = 0; i < rows; ++i) {
        Value outRow = arith::AddIOp::create(sb, row, indexConstant(sb, i));
        auto storeRow = [&](ImplicitLocOpBuilder &rb) {
          for (int64_t v = 0; v < nv; ++v) {
            Value value = result(0, i, v);
            if (numWeights == 2)
              value =
                  swigluScalar(rb, value, result(1, i, v), gemm.swigluLimit);
            Value column = arith::AddIOp::create(
                rb,
                arith::MulIOp::create(rb, tile.panel,
                                      indexConstant(rb, panelColumns)),
                indexConstant(rb, v * lanes));
            storeF32Vector(rb, value, gemm.output, ValueRange{outRow, column});
          }
        };
        if (!masked) {
          storeRow(sb);
          continue;
        }
        Value inside = arith::CmpIOp::create(sb, arith::CmpIPredicate::ult,
                                             outRow, tile.rowEnd);
        when(sb, inside, storeRow);
      }
    };
    if (!k.scratch) {
      storeOutputs(b);
      return;
    }
    // Partial sums of rows past rowEnd land in scratch rows no other tile
    // uses (the item's rows are fewer than mt whenever a tile is masked).
    buildIf(
        b, k.isLast, TypeRange{},
        [&](ImplicitLocOpBuilder &nb) {
          storeOutputs(nb);
          return SmallVector<Value>{};
        },
        [&](ImplicitLocOpBuilder &nb) {
          for (int64_t w = 0; w < numWeights; ++w)
            for (int64_t i = 0; i < rows; ++i)
              for (int64_t v = 0; v < nv; ++v)
                vector::StoreOp::create(nb, result(w, i, v), k.scratch,
                                        scratchIndices(nb, k, row, i, w, v));
          return SmallVector<Value>{};
        });
  }
};

} // namespace

bool moec::cpu::usesDotProducts(const GemmTiling &tiling, Type element) {
  return tiling.bf16Dot && tiling.lanes == 16 && element.isBF16();
}

PackedLayout moec::cpu::packedLayout(const GemmTiling &tiling, Type element) {
  return {tiling.panelColumns(), usesDotProducts(tiling, element)};
}

void moec::cpu::buildGroupedGemm(ImplicitLocOpBuilder &b,
                                 const GroupedGemm &gemm,
                                 const GemmTiling &tiling) {
  GemmEmitter(gemm, tiling).emit(b);
}
