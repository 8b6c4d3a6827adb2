//===- Swiglu.cpp - moe.swiglu to an elementwise linalg.generic -*- C++ -*-===//

#include "PopulatePatterns.h"
#include "moec/Conversion/LoweringUtils.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::lowering;

namespace {

/// The gate and up halves of a fused `[..., 2*I]` operand, as views.
std::pair<Value, Value> splitFused(ImplicitLocOpBuilder &b, Value gateUp,
                                   SmallVectorImpl<Value> &sizes) {
  auto type = cast<RankedTensorType>(gateUp.getType());
  int64_t last = type.getRank() - 1;
  // Nothing checks the parity of a dynamic width: flooring keeps both halves
  // in bounds whatever it is.
  sizes.back() =
      type.isDynamicDim(last)
          ? Value(arith::DivUIOp::create(b, sizes.back(), indexConstant(b, 2)))
          : indexConstant(b, type.getDimSize(last) / 2);
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  SmallVector<OpFoldResult> mixedSizes = getAsOpFoldResult(sizes);
  Value gate =
      tensor::ExtractSliceOp::create(b, gateUp, offsets, mixedSizes, strides);
  offsets.back() = getAsOpFoldResult(sizes.back());
  Value up =
      tensor::ExtractSliceOp::create(b, gateUp, offsets, mixedSizes, strides);
  return {gate, up};
}

struct LowerSwiglu : OpRewritePattern<SwigluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SwigluOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    Type computeType = computeTypeFor(elementType);
    int64_t rank = resultType.getRank();
    std::optional<double> limit;
    if (FloatAttr limitAttr = op.getLimitAttr())
      limit = limitAttr.getValueAsDouble();

    Value gate = op.getGate(), up = op.getUp();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(dimSize(b, gate, d));
    if (op.isFused())
      std::tie(gate, up) = splitFused(b, gate, sizes);

    Value init = emptyTensor(b, sizes, elementType);
    SmallVector<AffineMap> maps(3, b.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{gate, up}, ValueRange{init},
        maps, iterators, [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          Value result =
              swigluScalar(nb, extendTo(nb, args[0], computeType),
                           extendTo(nb, args[1], computeType), limit);
          linalg::YieldOp::create(nb, truncateTo(nb, result, elementType));
        });
    rewriter.replaceOp(op, castTo(b, generic.getResult(0), resultType));
    return success();
  }
};

} // namespace

void lowering::populateSwigluPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSwiglu>(patterns.getContext());
}
