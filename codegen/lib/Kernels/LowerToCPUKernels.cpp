//===- LowerToCPUKernels.cpp - moe GEMMs and combine to CPU kernels -------===//
//
// Finds the ops the CPU kernels cover, checks that their shapes and tiling
// fit, and replaces each with a kernel; whatever does not fit is left for
// --moe-lower-to-linalg, so the pass never fails on a valid module.
//
//===----------------------------------------------------------------------===//

#include "CombineKernel.h"
#include "GroupedGemm.h"
#include "KernelBuilders.h"
#include "WeightGradKernel.h"
#include "WeightPacking.h"

#include "moec/Codegen/Passes.h"
#include "moec/Conversion/LoweringUtils.h"
#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Target/CPUTarget.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/Matchers.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOELOWERTOCPUKERNELS
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace mlir::moe::lowering;
using namespace moec;
using namespace moec::cpu;

namespace {

bool isKernelElement(Type type) {
  return type.isF32() || type.isBF16() || type.isF16();
}

/// The op's tiling, if it has one the kernel can use for a `[K, N]` weight
/// of `element`; a malformed attribute is an error at the op.
FailureOr<std::optional<GemmTiling>> tilingOf(Operation *op, int64_t k,
                                              int64_t n, Type element,
                                              const CPUTargetDesc &target) {
  Attribute raw = op->getAttr(kCPUTilingAttrName);
  if (!raw)
    return std::optional<GemmTiling>();
  auto attr = dyn_cast<DictionaryAttr>(raw);
  if (!attr) {
    op->emitError() << "'" << kCPUTilingAttrName
                    << "' must be a dictionary, got " << raw;
    return failure();
  }
  llvm::Expected<GemmTiling> tiling = GemmTiling::fromAttr(attr);
  if (!tiling) {
    op->emitError() << "invalid '" << kCPUTilingAttrName
                    << "': " << llvm::toString(tiling.takeError());
    return failure();
  }
  // A pinned tiling must not use what the target lacks: the code would
  // fault with an illegal instruction.
  if (tiling->lanes * 32 > target.vectorBits ||
      (tiling->bf16Dot && !target.hasAVX512BF16)) {
    op->emitError() << "'" << kCPUTilingAttrName << "' needs "
                    << tiling->lanes * 32 << "-bit vectors"
                    << (tiling->bf16Dot ? " and AVX512_BF16" : "")
                    << ", which target '" << target.str() << "' does not have";
    return failure();
  }
  PackedLayout layout = packedLayout(*tiling, element);
  // Dot products consume k in pairs; a block boundary must not split one.
  if (layout.pairs && tiling->kc < k && tiling->kc % 2 != 0) {
    op->emitError() << "'" << kCPUTilingAttrName
                    << "': 'kc' must be even with bf16 dot products, got "
                    << tiling->kc;
    return failure();
  }
  auto weightType = RankedTensorType::get({k, n}, element);
  if (!canPack(weightType, layout))
    return std::optional<GemmTiling>();
  return std::optional<GemmTiling>(*tiling);
}

/// Where the rows of a grouped GEMM's input come from: the dispatch input
/// itself when the input is a plain dispatch's gathered rows.
struct RowSource {
  Value input, perm;
  int64_t pairsPerToken = 1;
};

RowSource rowSource(Value input) {
  auto dispatch = input.getDefiningOp<moe::DispatchOp>();
  if (!dispatch || input != dispatch.getXs() || dispatch.getBlock() ||
      dispatch.getCapacity())
    return {input, Value(), 1};
  auto idsType = cast<RankedTensorType>(dispatch.getIds().getType());
  if (idsType.isDynamicDim(1))
    return {input, Value(), 1};
  return {dispatch.getX(), dispatch.getPerm(), idsType.getDimSize(1)};
}

class KernelLowering {
public:
  KernelLowering(ModuleOp module, const CPUTargetDesc &target)
      : module(module), target(target) {}

  LogicalResult run() {
    SmallVector<moe::SwigluOp> swiglus;
    module.walk([&](moe::SwigluOp op) { swiglus.push_back(op); });
    for (moe::SwigluOp op : swiglus)
      if (failed(lowerFusedFFN(op)))
        return failure();

    SmallVector<Operation *> gemms;
    module.walk([&](Operation *op) {
      if (isa<moe::GroupedMatmulOp, linalg::MatmulOp>(op))
        gemms.push_back(op);
    });
    for (Operation *op : gemms) {
      LogicalResult result =
          isa<moe::GroupedMatmulOp>(op)
              ? lowerGroupedMatmul(cast<moe::GroupedMatmulOp>(op))
              : lowerDenseMatmul(cast<linalg::MatmulOp>(op));
      if (failed(result))
        return failure();
    }

    SmallVector<moe::CombineOp> combines;
    module.walk([&](moe::CombineOp op) { combines.push_back(op); });
    for (moe::CombineOp op : combines)
      lowerCombine(op);

    SmallVector<moe::GroupedMatmulWgradOp> weightGrads;
    module.walk(
        [&](moe::GroupedMatmulWgradOp op) { weightGrads.push_back(op); });
    for (moe::GroupedMatmulWgradOp op : weightGrads)
      lowerWeightGrad(op);
    return success();
  }

private:
  ModuleOp module;
  const CPUTargetDesc &target;

  /// Allocates the `[rows, n]` result, runs `gemm` into it and replaces
  /// `op`'s result.
  void emitGemm(ImplicitLocOpBuilder &b, Operation *op, GroupedGemm gemm,
                const GemmTiling &tiling) {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    auto outType = RankedTensorType::get({ShapedType::kDynamic, gemm.n},
                                         resultType.getElementType());
    gemm.output = allocBuffer(b, outType, ValueRange{gemm.rows});
    buildGroupedGemm(b, gemm, tiling);
    Value result = castTo(b, bufferAsTensor(b, gemm.output), resultType);
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
  }

  /// Fills `gemm`'s rows, offsets and packed weights for grouped input
  /// `input`.
  void setGroupedOperands(ImplicitLocOpBuilder &b, GroupedGemm &gemm,
                          Value input, Value offsets, ArrayRef<Value> weights,
                          const GemmTiling &tiling) {
    RowSource rows = rowSource(input);
    gemm.input = readBuffer(b, rows.input);
    if (rows.perm) {
      gemm.rowPairs = readBuffer(b, rows.perm);
      gemm.pairsPerToken = rows.pairsPerToken;
      gemm.rows = dimSize(b, rows.perm, 0);
    } else {
      gemm.rows = dimSize(b, input, 0);
    }
    gemm.offsets = readBuffer(b, offsets);
    Type element = cast<RankedTensorType>(input.getType()).getElementType();
    PackedLayout layout = packedLayout(tiling, element);
    for (Value weight : weights)
      gemm.weights.push_back(
          readBuffer(b, packWeight(b, module, weight, layout)));
  }

  /// Static `[E, K, N]` weights of the kernel's element types, with the
  /// input's element type.
  static bool fitsKernel(moe::GroupedMatmulOp op) {
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    return weightType.hasStaticShape() &&
           weightType.getElementType() == inputType.getElementType() &&
           isKernelElement(weightType.getElementType()) &&
           isKernelElement(resultType.getElementType());
  }

  FailureOr<std::optional<GemmTiling>> groupedTiling(moe::GroupedMatmulOp op) {
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    return tilingOf(op, weightType.getDimSize(1), weightType.getDimSize(2),
                    weightType.getElementType(), target);
  }

  LogicalResult lowerFusedFFN(moe::SwigluOp op) {
    if (op.isFused())
      return success();
    auto gate = op.getGate().getDefiningOp<moe::GroupedMatmulOp>();
    auto up = op.getUp().getDefiningOp<moe::GroupedMatmulOp>();
    if (!gate || !up || gate == up || !gate->hasOneUse() || !up->hasOneUse() ||
        gate.getInput() != up.getInput() ||
        gate.getOffsets() != up.getOffsets() || !fitsKernel(gate) ||
        !fitsKernel(up) ||
        gate.getWeight().getType() != up.getWeight().getType())
      return success();
    FailureOr<std::optional<GemmTiling>> gateTiling = groupedTiling(gate);
    FailureOr<std::optional<GemmTiling>> upTiling = groupedTiling(up);
    if (failed(gateTiling) || failed(upTiling))
      return failure();
    if (!*gateTiling || !*upTiling ||
        gate->getAttr(kCPUTilingAttrName) != up->getAttr(kCPUTilingAttrName) ||
        !isKernelElement(cast<RankedTensorType>(op.getType()).getElementType()))
      return success();

    const GemmTiling &tiling = **gateTiling;
    auto weightType = cast<RankedTensorType>(gate.getWeight().getType());
    ImplicitLocOpBuilder b(op.getLoc(), op);
    GroupedGemm gemm;
    gemm.k = weightType.getDimSize(1);
    gemm.n = weightType.getDimSize(2);
    if (FloatAttr limit = op.getLimitAttr())
      gemm.swigluLimit = limit.getValueAsDouble();
    setGroupedOperands(b, gemm, gate.getInput(), gate.getOffsets(),
                       {gate.getWeight(), up.getWeight()}, tiling);
    emitGemm(b, op, gemm, tiling);
    gate->erase();
    up->erase();
    return success();
  }

  LogicalResult lowerGroupedMatmul(moe::GroupedMatmulOp op) {
    if (!fitsKernel(op))
      return success();
    FailureOr<std::optional<GemmTiling>> tiling = groupedTiling(op);
    if (failed(tiling) || !*tiling)
      return failure(failed(tiling));
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    ImplicitLocOpBuilder b(op.getLoc(), op);
    GroupedGemm gemm;
    gemm.k = weightType.getDimSize(1);
    gemm.n = weightType.getDimSize(2);
    setGroupedOperands(b, gemm, op.getInput(), op.getOffsets(),
                       {op.getWeight()}, **tiling);
    emitGemm(b, op, gemm, **tiling);
    return success();
  }

  /// `linalg.matmul ins(A, B) outs(fill 0)` with a static B: one group.
  LogicalResult lowerDenseMatmul(linalg::MatmulOp op) {
    if (!op.hasPureTensorSemantics() || op.hasUserDefinedMaps())
      return success();
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ||
        !rhsType.hasStaticShape() ||
        lhsType.getElementType() != rhsType.getElementType() ||
        !isKernelElement(rhsType.getElementType()) ||
        !isKernelElement(resultType.getElementType()))
      return success();
    FailureOr<std::optional<GemmTiling>> tiling =
        tilingOf(op, rhsType.getDimSize(0), rhsType.getDimSize(1),
                 rhsType.getElementType(), target);
    if (failed(tiling) || !*tiling)
      return failure(failed(tiling));
    ImplicitLocOpBuilder b(op.getLoc(), op);
    GroupedGemm gemm;
    gemm.k = rhsType.getDimSize(0);
    gemm.n = rhsType.getDimSize(1);
    gemm.input = readBuffer(b, lhs);
    gemm.rows = dimSize(b, lhs, 0);
    PackedLayout layout = packedLayout(**tiling, rhsType.getElementType());
    gemm.weights.push_back(readBuffer(b, packWeight(b, module, rhs, layout)));
    emitGemm(b, op, gemm, **tiling);
    return success();
  }

  void lowerWeightGrad(moe::GroupedMatmulWgradOp op);

  void lowerCombine(moe::CombineOp op) {
    int64_t lanes = target.vectorBits / 32;
    auto outType = cast<RankedTensorType>(op.getExpertOut().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (outType.isDynamicDim(1) || outType.getDimSize(1) % lanes != 0 ||
        !isKernelElement(outType.getElementType()) ||
        !isKernelElement(resultType.getElementType()) ||
        !isKernelElement(
            cast<RankedTensorType>(op.getWeights().getType()).getElementType()))
      return;
    ImplicitLocOpBuilder b(op.getLoc(), op);
    Combine combine;
    combine.expertOut = readBuffer(b, op.getExpertOut());
    combine.perm = readBuffer(b, op.getPerm());
    combine.weights = readBuffer(b, op.getWeights());
    combine.lanes = lanes;
    auto type =
        RankedTensorType::get({ShapedType::kDynamic, outType.getDimSize(1)},
                              resultType.getElementType());
    combine.output =
        allocBuffer(b, type, ValueRange{dimSize(b, op.getWeights(), 0)});
    buildCombine(b, combine);
    op.replaceAllUsesWith(
        castTo(b, bufferAsTensor(b, combine.output), resultType));
    op.erase();
  }
};

/// moe.grouped_matmul_wgrad on f32/bf16/f16 whose N the vector width
/// divides; the rest (f64 among them) is left to the linalg lowering.
void KernelLowering::lowerWeightGrad(moe::GroupedMatmulWgradOp op) {
  auto resultType = cast<RankedTensorType>(op.getType());
  Type element = resultType.getElementType();
  int64_t k = resultType.getDimSize(1), n = resultType.getDimSize(2);
  std::optional<WeightGradTiling> tiling =
      selectWeightGradTiling(target, resultType.getDimSize(0), k, n);
  if (!isKernelElement(element) || !tiling)
    return;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  // The result fixes K and N (the verifier lets the operands leave them
  // dynamic): the kernel reads buffers with static columns.
  auto withColumns = [&](Value tensor, int64_t columns) {
    auto type = cast<RankedTensorType>(tensor.getType());
    return readBuffer(b, castTo(b, tensor,
                                RankedTensorType::get(
                                    {type.getDimSize(0), columns}, element)));
  };
  WeightGrad grad;
  grad.input = withColumns(op.getInput(), k);
  grad.dy = withColumns(op.getDy(), n);
  grad.offsets = readBuffer(b, op.getOffsets());
  // Both row counts agree in a valid call; the smaller keeps a bad one in
  // bounds.
  grad.rows = b.createOrFold<arith::MinSIOp>(dimSize(b, op.getInput(), 0),
                                             dimSize(b, op.getDy(), 0));
  grad.output = allocBuffer(b, resultType, ValueRange{});
  buildWeightGrad(b, grad, *tiling);
  op.replaceAllUsesWith(bufferAsTensor(b, grad.output));
  op.erase();
}

struct MoELowerToCPUKernelsPass
    : moe::impl::MoELowerToCPUKernelsBase<MoELowerToCPUKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::Expected<CPUTargetDesc> desc = cpuTargetOf(getOperation(), target);
    if (!desc) {
      getOperation().emitError() << llvm::toString(desc.takeError());
      return signalPassFailure();
    }
    if (failed(KernelLowering(getOperation(), *desc).run()))
      signalPassFailure();
  }
};

} // namespace
