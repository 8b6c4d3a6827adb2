//===- SelectTiles.cpp - --moe-npu-select-tiles ---------------------------===//
//
// Records the tiles of every GEMM and vector op as `moe_npu.tiling`, so the
// planner reads them and tests can pin them.
//
//===----------------------------------------------------------------------===//

#include "CoreBuilder.h"
#include "LayerPatterns.h"
#include "TileSelection.h"

#include "moec/Codegen/Passes.h"
#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOENPUSELECTTILES
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace moec;
using namespace moec::npu;

namespace {

constexpr llvm::StringLiteral kTiling = "moe_npu.tiling";

class TileSelector {
public:
  TileSelector(const TargetDesc &target) : target(target) {}

  LogicalResult run(func::FuncOp func) {
    // Gate/up pairs first: they fix the row tile of the grouped GEMMs.
    WalkResult result = func.walk([&](moe::SwigluOp swiglu) {
      if (auto pattern = matchGateUp(swiglu))
        if (failed(selectGateUp(*pattern)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    result = func.walk([&](Operation *op) {
      LogicalResult selected =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case<linalg::MatmulOp, moe::GroupedMatmulOp>(
                  [&](auto gemm) { return selectSingleGemm(gemm); })
              .Case([&](moe::RouterOp router) { return selectRouter(router); })
              .Case([&](moe::CombineOp combine) {
                return selectCombine(combine);
              })
              .Default(success());
      return failed(selected) ? WalkResult::interrupt() : WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

private:
  LogicalResult fail(Operation *op, llvm::Error err) {
    return op->emitOpError() << "cannot be tiled for the target: "
                             << llvm::toString(std::move(err));
  }

  void setTiling(Operation *op, Attribute tiling) {
    if (!op->hasAttr(kTiling))
      op->setAttr(kTiling, tiling);
  }

  std::optional<GemmTiles> pinnedGemm(Operation *op) {
    if (auto pinned = op->getAttrOfType<moe_npu::GemmTilingAttr>(kTiling))
      return GemmTiles{pinned.getBm(), pinned.getBn(), pinned.getBk()};
    return std::nullopt;
  }

  LogicalResult selectGemm(Operation *op, Value rhs, int64_t rhsOperands,
                           int64_t fixedBm, GemmTiles &tiles) {
    if (auto pinned = pinnedGemm(op)) {
      tiles = *pinned;
      return success();
    }
    auto type = cast<ShapedType>(rhs.getType());
    GemmProblem problem;
    problem.n = type.getDimSize(type.getRank() - 1);
    problem.k = type.getDimSize(type.getRank() - 2);
    problem.elementType = elementTypeName(type.getElementType());
    problem.rhsOperands = rhsOperands;
    problem.fixedBm = fixedBm;
    problem.gatheredLhs = readsDispatchedRows(op);
    auto selected = selectGemmTiles(target, problem);
    if (!selected)
      return fail(op, selected.takeError());
    tiles = *selected;
    setTiling(op, moe_npu::GemmTilingAttr::get(op->getContext(), tiles.bm,
                                               tiles.bn, tiles.bk));
    return success();
  }

  LogicalResult selectGateUp(GateUpPattern pattern) {
    GemmTiles tiles;
    // The gate's tiles (pinned or chosen) are the up GEMM's as well.
    if (failed(selectGemm(pattern.gate, gemmRhs(pattern.gate), 2,
                          pattern.grouped ? groupedBm : 0, tiles)))
      return failure();
    pattern.up->setAttr(kTiling, pattern.gate->getAttr(kTiling));
    if (pattern.grouped)
      groupedBm = tiles.bm;
    // The vector cores split each cube tile's rows and take them in chunks
    // of g, u and h rows that fit UB double-buffered.
    int64_t subblocks = std::max<int64_t>(
        1, target.vectorCores / std::max(1u, target.matrixCores));
    int64_t bytesPerRow =
        2 * tiles.bn *
        (elementBytes(elementTypeName(elementOf(pattern.swiglu.getGate()))) +
         elementBytes(elementTypeName(elementOf(pattern.swiglu.getUp()))) +
         elementBytes(elementTypeName(elementOf(pattern.swiglu.getResult()))));
    auto rows =
        selectVectorRows(target, bytesPerRow, 0, 1,
                         std::max<int64_t>(1, tiles.bm / subblocks), "SwiGLU");
    if (!rows)
      return fail(pattern.swiglu, rows.takeError());
    setTiling(pattern.swiglu,
              moe_npu::VectorTilingAttr::get(pattern.swiglu->getContext(),
                                             *rows, tiles.bn));
    return success();
  }

  template <typename GemmOp> LogicalResult selectSingleGemm(GemmOp gemm) {
    if (gemm->hasAttr(kTiling))
      return success();
    GemmTiles tiles;
    bool grouped = std::is_same_v<GemmOp, moe::GroupedMatmulOp>;
    return selectGemm(gemm, gemmRhs(gemm), 1, grouped ? groupedBm : 0, tiles);
  }

  LogicalResult selectRouter(moe::RouterOp router) {
    int64_t experts = dimOf(router.getLogits(), 1);
    int64_t k = router.getRouting().getK();
    // A UB row of logits is one expert row: 32-byte blocks need E % 8 == 0.
    if (experts * 4 % 32 != 0)
      return router.emitOpError("cannot be tiled for the target: a row of ")
             << experts << " f32 logits is not a whole number of 32-byte "
             << "UB blocks";
    // Logits, weights and ids double-buffered; the bias once.
    auto rows = selectVectorRows(target, 2 * (experts + 2 * k) * 4, experts * 4,
                                 8, 64, "router");
    if (!rows)
      return fail(router, rows.takeError());
    setTiling(router, moe_npu::VectorTilingAttr::get(router->getContext(),
                                                     *rows, experts));
    return success();
  }

  /// Columns as wide as leave at least 16 token rows in UB (gathered rows
  /// double-buffered, the f32 sum and the weights once).
  LogicalResult selectCombine(moe::CombineOp combine) {
    int64_t hidden = dimOf(combine.getResult(), 1);
    int64_t k = dimOf(combine.getWeights(), 1);
    int64_t es =
        elementBytes(elementTypeName(elementOf(combine.getExpertOut())));
    // A non-f32 result needs a cast buffer, and so does a non-f32 shared
    // output the sum starts from.
    Type resultType = elementOf(combine.getResult());
    int64_t castBytes =
        resultType.isF32() ? 0 : 2 * elementBytes(elementTypeName(resultType));
    llvm::Expected<int64_t> rows = 0;
    int64_t cols = std::min<int64_t>(roundUp(hidden, 8), 2048);
    for (;; cols = roundUp(cols / 2, 8)) {
      llvm::consumeError(rows.takeError());
      rows = selectVectorRows(target,
                              2 * cols * es + cols * (4 + castBytes) + k * 4, 0,
                              8, 64, "combine");
      if ((rows && *rows >= 16) || cols <= 64)
        break;
    }
    if (!rows)
      return fail(combine, rows.takeError());
    setTiling(combine, moe_npu::VectorTilingAttr::get(combine->getContext(),
                                                      *rows, cols));
    return success();
  }

  const TargetDesc &target;
  /// The row tile of the grouped GEMMs, once the gate/up pair fixed it.
  int64_t groupedBm = 0;
};

struct MoENpuSelectTiles
    : mlir::moe::impl::MoENpuSelectTilesBase<MoENpuSelectTiles> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetDesc> target = planningTarget(module);
    if (failed(target))
      return signalPassFailure();
    for (auto func : module.getOps<func::FuncOp>()) {
      TileSelector selector(*target);
      if (failed(selector.run(func)))
        return signalPassFailure();
    }
  }
};

} // namespace
