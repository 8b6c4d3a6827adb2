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

class GemmEmitter {
public:
  GemmEmitter(const GroupedGemm &gemm, const GemmTiling &tiling)
      : gemm(gemm), tiling(tiling),
        numWeights(static_cast<int64_t>(gemm.weights.size())),
        panelColumns(tiling.panelColumns()) {
    auto packed = cast<MemRefType>(gemm.weights.front().getType());
    numExperts = packed.getDimSize(0);
    numPanels = packed.getDimSize(1);
    inputElement = cast<MemRefType>(gemm.input.getType()).getElementType();
    pairs = usesDotProducts(tiling, inputElement);
  }

  void emit(ImplicitLocOpBuilder &b) {
    if (gemm.offsets)
      zeroRowsInNoGroup(b);
    Value itemStarts = scheduleItems(b);
    Value total =
        memref::LoadOp::create(b, itemStarts, indexConstant(b, numExperts));
    Value zero = indexConstant(b, 0), one = indexConstant(b, 1);
    scf::ParallelOp::create(
        b, ValueRange{zero}, ValueRange{total}, ValueRange{one},
        [&](OpBuilder &nested, Location loc, ValueRange ivs) {
          ImplicitLocOpBuilder nb(loc, nested);
          runItem(nb, itemStarts, ivs[0]);
        });
  }

private:
  const GroupedGemm &gemm;
  const GemmTiling &tiling;
  int64_t numWeights, panelColumns, numExperts = 1, numPanels = 1;
  Type inputElement;
  bool pairs = false;

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
  /// a thread's static share is made of) reuse the panel from L2.
  void runItem(ImplicitLocOpBuilder &b, Value starts, Value item) {
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
    Value expert = numExperts == 1 ? indexConstant(b, 0) : e;
    scf::ForOp::create(
        b, r0, split, mr, ValueRange{},
        [&](OpBuilder &nested, Location loc, Value row, ValueRange) {
          ImplicitLocOpBuilder nb(loc, nested);
          registerTile(nb, expert, panel, row, tiling.mr);
          scf::YieldOp::create(nb);
        });
    scf::ForOp::create(
        b, split, r1, indexConstant(b, 1), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value row, ValueRange) {
          ImplicitLocOpBuilder nb(loc, nested);
          registerTile(nb, expert, panel, row, 1);
          scf::YieldOp::create(nb);
        });
  }

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

  /// `rows` x (nv vectors per weight) accumulators over the whole K, then
  /// the epilogue and the stores.
  void registerTile(ImplicitLocOpBuilder &b, Value expert, Value panel,
                    Value row, int64_t rows) {
    int64_t nv = tiling.nv, lanes = tiling.lanes;
    VectorType accType = f32Vector(b.getContext(), lanes);
    SmallVector<Value> inputRows;
    for (int64_t i = 0; i < rows; ++i)
      inputRows.push_back(
          inputRow(b, arith::AddIOp::create(b, row, indexConstant(b, i))));
    auto accIndex = [&](int64_t w, int64_t i, int64_t v) {
      return (w * rows + i) * nv + v;
    };
    SmallVector<Value> inits(numWeights * rows * nv,
                             floatConstant(b, accType, 0.0));
    auto loop = scf::ForOp::create(
        b, indexConstant(b, 0), indexConstant(b, gemm.k),
        indexConstant(b, pairs ? 2 : 1), inits,
        [&](OpBuilder &nested, Location loc, Value kk, ValueRange accs) {
          ImplicitLocOpBuilder nb(loc, nested);
          SmallVector<Value> panelVectors;
          for (int64_t w = 0; w < numWeights; ++w)
            for (int64_t v = 0; v < nv; ++v)
              panelVectors.push_back(loadWeight(nb, w, expert, panel, kk, v));
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

    for (int64_t i = 0; i < rows; ++i) {
      Value outRow = arith::AddIOp::create(b, row, indexConstant(b, i));
      for (int64_t v = 0; v < nv; ++v) {
        Value result = loop.getResult(accIndex(0, i, v));
        if (numWeights == 2)
          result = swigluF32(b, result, loop.getResult(accIndex(1, i, v)),
                             gemm.swigluLimit);
        Value column = arith::AddIOp::create(
            b, arith::MulIOp::create(b, panel, indexConstant(b, panelColumns)),
            indexConstant(b, v * lanes));
        storeF32Vector(b, result, gemm.output, ValueRange{outRow, column});
      }
    }
  }
};

} // namespace

bool moec::cpu::usesDotProducts(const GemmTiling &tiling, Type element) {
  return tiling.bf16Dot && tiling.lanes == 16 && element.isBF16();
}

void moec::cpu::buildGroupedGemm(ImplicitLocOpBuilder &b,
                                 const GroupedGemm &gemm,
                                 const GemmTiling &tiling) {
  GemmEmitter(gemm, tiling).emit(b);
}
