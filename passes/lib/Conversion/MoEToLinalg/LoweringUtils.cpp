//===- LoweringUtils.cpp - IR helpers shared by the moe lowerings ---------===//

#include "moec/Conversion/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::moe;

SmallVector<Value> lowering::buildLoop(ImplicitLocOpBuilder &b, Value lower,
                                       Value upper, ValueRange inits,
                                       LoopBody body) {
  Value one = indexConstant(b, 1);
  auto loop = scf::ForOp::create(
      b, lower, upper, one, inits,
      [&](OpBuilder &nested, Location loc, Value iv, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        scf::YieldOp::create(nb, body(nb, iv, args));
      });
  return SmallVector<Value>(loop.getResults());
}

SmallVector<Value> lowering::buildLoop(ImplicitLocOpBuilder &b, Value upper,
                                       ValueRange inits, LoopBody body) {
  return buildLoop(b, indexConstant(b, 0), upper, inits, body);
}

SmallVector<Value> lowering::buildIf(ImplicitLocOpBuilder &b, Value cond,
                                     TypeRange types, BranchBody thenBody,
                                     BranchBody elseBody) {
  auto ifOp = scf::IfOp::create(b, types, cond, /*addThenBlock=*/true,
                                /*addElseBlock=*/true);
  auto fill = [&](Block *block, BranchBody branch) {
    auto nb =
        ImplicitLocOpBuilder::atBlockEnd(b.getLoc(), block, b.getListener());
    scf::YieldOp::create(nb, branch(nb));
  };
  fill(ifOp.thenBlock(), thenBody);
  fill(ifOp.elseBlock(), elseBody);
  return SmallVector<Value>(ifOp.getResults());
}

Value lowering::indexConstant(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value lowering::f32Constant(ImplicitLocOpBuilder &b, double value) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
}

Value lowering::floatConstant(ImplicitLocOpBuilder &b, Type type,
                              double value) {
  auto vectorType = dyn_cast<VectorType>(type);
  auto elementType =
      cast<FloatType>(vectorType ? vectorType.getElementType() : type);
  FloatAttr scalar = b.getFloatAttr(elementType, value);
  if (!vectorType)
    return arith::ConstantOp::create(b, scalar);
  return arith::ConstantOp::create(b,
                                   SplatElementsAttr::get(vectorType, scalar));
}

Value lowering::zeroConstant(ImplicitLocOpBuilder &b, Type type) {
  return arith::ConstantOp::create(b, b.getZeroAttr(type));
}

Value lowering::dimSize(ImplicitLocOpBuilder &b, Value tensor, int64_t d) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(d))
    return indexConstant(b, type.getDimSize(d));
  return tensor::DimOp::create(b, tensor, d);
}

Value lowering::extendToF32(ImplicitLocOpBuilder &b, Value scalar) {
  if (scalar.getType().isF32())
    return scalar;
  return arith::ExtFOp::create(b, b.getF32Type(), scalar);
}

Type lowering::computeTypeFor(Type elementType) {
  if (elementType.isF64())
    return elementType;
  return Float32Type::get(elementType.getContext());
}

Value lowering::extendTo(ImplicitLocOpBuilder &b, Value scalar, Type type) {
  if (scalar.getType() == type)
    return scalar;
  return arith::ExtFOp::create(b, type, scalar);
}

Value lowering::truncateTo(ImplicitLocOpBuilder &b, Value scalar, Type type) {
  if (scalar.getType() == type)
    return scalar;
  return arith::TruncFOp::create(b, type, scalar);
}

Value lowering::truncateFromF32(ImplicitLocOpBuilder &b, Value scalar,
                                Type elementType) {
  if (elementType.isF32())
    return scalar;
  return arith::TruncFOp::create(b, elementType, scalar);
}

Value lowering::toIndex(ImplicitLocOpBuilder &b, Value integer) {
  return arith::IndexCastOp::create(b, b.getIndexType(), integer);
}

Value lowering::fromIndex(ImplicitLocOpBuilder &b, Value index,
                          Type integerType) {
  return arith::IndexCastOp::create(b, integerType, index);
}

Value lowering::isInRange(ImplicitLocOpBuilder &b, Value index, Value upper) {
  Value zero = indexConstant(b, 0);
  Value notNegative =
      arith::CmpIOp::create(b, arith::CmpIPredicate::sge, index, zero);
  Value belowUpper =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, index, upper);
  return arith::AndIOp::create(b, notNegative, belowUpper);
}

Value lowering::clampIndex(ImplicitLocOpBuilder &b, Value index, Value lo,
                           Value hi) {
  Value upperBounded = arith::MinSIOp::create(b, index, hi);
  return arith::MaxSIOp::create(b, upperBounded, lo);
}

Value lowering::isNaN(ImplicitLocOpBuilder &b, Value scalar) {
  return arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, scalar, scalar);
}

Value lowering::nanToNegInf(ImplicitLocOpBuilder &b, Value scalar) {
  Value negInf = f32Constant(b, -std::numeric_limits<double>::infinity());
  return arith::SelectOp::create(b, isNaN(b, scalar), negInf, scalar);
}

Value lowering::emptyTensor(ImplicitLocOpBuilder &b, ValueRange sizes,
                            Type elementType) {
  SmallVector<OpFoldResult> mixed = getAsOpFoldResult(sizes);
  return tensor::EmptyOp::create(b, mixed, elementType);
}

Value lowering::filledTensor(ImplicitLocOpBuilder &b, ValueRange sizes,
                             Value value) {
  Value empty = emptyTensor(b, sizes, value.getType());
  return linalg::FillOp::create(b, value, empty).getResult(0);
}

Value lowering::zeroF32Tensor(ImplicitLocOpBuilder &b, ValueRange sizes) {
  return filledTensor(b, sizes, f32Constant(b, 0.0));
}

Value lowering::castTo(ImplicitLocOpBuilder &b, Value tensor, Type type) {
  if (tensor.getType() == type)
    return tensor;
  return tensor::CastOp::create(b, type, tensor);
}

Value lowering::swigluScalar(ImplicitLocOpBuilder &b, Value gate, Value up,
                             std::optional<double> limit) {
  Type type = gate.getType();
  Value g = gate, u = up;
  if (limit) {
    Value hi = floatConstant(b, type, *limit);
    Value lo = floatConstant(b, type, -*limit);
    g = arith::MinimumFOp::create(b, g, hi);
    u = arith::MaximumFOp::create(b, arith::MinimumFOp::create(b, u, hi), lo);
  }
  // silu(g) = g / (1 + exp(-g)), the form the reference evaluates.
  Value one = floatConstant(b, type, 1.0);
  Value expNeg = math::ExpOp::create(b, arith::NegFOp::create(b, g));
  Value silu =
      arith::DivFOp::create(b, g, arith::AddFOp::create(b, one, expNeg));
  return arith::MulFOp::create(b, silu, u);
}

Value lowering::invertPermutation(ImplicitLocOpBuilder &b, Value perm,
                                  Value pairs) {
  Value init = filledTensor(b, pairs, indexConstant(b, -1));
  return buildLoop(
      b, dimSize(b, perm, 0), init,
      [&](ImplicitLocOpBuilder &lb, Value row, ValueRange args) {
        Value inv = args[0];
        Value pair = toIndex(lb, tensor::ExtractOp::create(lb, perm, row));
        return buildIf(
            lb, isInRange(lb, pair, pairs), inv.getType(),
            [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
              return {tensor::InsertOp::create(tb, row, inv, pair)};
            },
            [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
              return {inv};
            });
      })[0];
}
