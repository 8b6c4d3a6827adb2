//===- MoEUtils.cpp - IR building helpers shared by moe rewrites ----------===//

#include "moec/Dialect/MoE/MoEUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value moe::createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                           Value shapeSource) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, shapeSource, d));
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

Value moe::createAccumulatingMatmul(OpBuilder &b, Location loc, Value lhs,
                                    Value rhs, Type resultElementType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type acc = lhsType.getElementType().isF64() ? b.getF64Type() : b.getF32Type();
  auto accType = RankedTensorType::get(
      {lhsType.getDimSize(0), rhsType.getDimSize(1)}, acc);
  Value init = createEmptyLike(b, loc, accType, lhs);
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(acc, 0.0));
  Value filled = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  Value product =
      linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, ValueRange{filled})
          .getResult(0);
  if (resultElementType == acc)
    return product;
  return arith::TruncFOp::create(b, loc, accType.clone(resultElementType),
                                 product);
}
