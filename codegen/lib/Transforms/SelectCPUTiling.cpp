//===- SelectCPUTiling.cpp - GEMM tile sizes from the CPU target ----------===//

#include "moec/Codegen/Passes.h"

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Target/CPUTarget.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOESELECTCPUTILING
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;

namespace {

/// What tile selection needs to know about one GEMM.
struct GemmShape {
  int64_t k;
  int64_t n;
  unsigned numWeights;
  bool bf16;
};

/// 2 when \p op is the gate or the up projection of a SwiGLU whose other
/// projection reads the same rows with the same groups: the kernel then
/// computes both from one pass over the input, so they share the registers
/// and the L2 budget.
unsigned numFusedWeights(moe::GroupedMatmulOp op) {
  if (!op->hasOneUse())
    return 1;
  auto swiglu = dyn_cast<moe::SwigluOp>(*op->user_begin());
  if (!swiglu || swiglu.isFused())
    return 1;
  auto gate = swiglu.getGate().getDefiningOp<moe::GroupedMatmulOp>();
  auto up = swiglu.getUp().getDefiningOp<moe::GroupedMatmulOp>();
  if (!gate || !up || gate.getInput() != up.getInput() ||
      gate.getOffsets() != up.getOffsets())
    return 1;
  return 2;
}

/// std::nullopt when K or N is dynamic: the tile sizes depend on both.
std::optional<GemmShape> getGemmShape(Operation *op) {
  if (auto grouped = dyn_cast<moe::GroupedMatmulOp>(op)) {
    auto weight = cast<RankedTensorType>(grouped.getWeight().getType());
    int64_t k = weight.getDimSize(1), n = weight.getDimSize(2);
    if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n))
      return std::nullopt;
    return GemmShape{k, n, numFusedWeights(grouped),
                     weight.getElementType().isBF16()};
  }
  auto matmul = cast<linalg::MatmulOp>(op);
  // Loops are (m, n, k) whatever the operand maps, so transposed operands
  // need no special case.
  SmallVector<int64_t> loopSizes = matmul.getStaticLoopRanges();
  int64_t k = loopSizes[2], n = loopSizes[1];
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n))
    return std::nullopt;
  Type weightElement = getElementTypeOrSelf(matmul.getInputs()[1].getType());
  return GemmShape{k, n, /*numWeights=*/1, weightElement.isBF16()};
}

/// A pinned tiling must be one the kernel generator accepts, since nothing
/// later replaces it.
LogicalResult verifyPinnedTiling(Operation *op, Attribute pinned) {
  auto dict = dyn_cast<DictionaryAttr>(pinned);
  if (!dict)
    return op->emitError() << moec::kCPUTilingAttrName
                           << ": expected a dictionary, got " << pinned;
  llvm::Expected<moec::GemmTiling> tiling = moec::GemmTiling::fromAttr(dict);
  if (!tiling)
    return op->emitError() << llvm::toString(tiling.takeError());
  return success();
}

struct MoESelectCPUTilingPass
    : moe::impl::MoESelectCPUTilingBase<MoESelectCPUTilingPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<moec::CPUTargetDesc> cpu = moec::cpuTargetOf(module, target);
    if (!cpu) {
      // At the module's location but without it attached: a bad option is
      // not about the IR, and printing the whole module would bury it.
      emitError(module.getLoc()) << llvm::toString(cpu.takeError());
      return signalPassFailure();
    }

    bool failed = false;
    module.walk([&](Operation *op) {
      if (!isa<moe::GroupedMatmulOp, linalg::MatmulOp>(op))
        return;
      if (Attribute pinned = op->getAttr(moec::kCPUTilingAttrName)) {
        failed |= mlir::failed(verifyPinnedTiling(op, pinned));
        return;
      }
      std::optional<GemmShape> shape = getGemmShape(op);
      if (!shape)
        return;
      moec::GemmTiling tiling = moec::selectGemmTiling(
          *cpu, shape->k, shape->n, shape->numWeights, shape->bf16);
      op->setAttr(moec::kCPUTilingAttrName, tiling.toAttr(&getContext()));
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
