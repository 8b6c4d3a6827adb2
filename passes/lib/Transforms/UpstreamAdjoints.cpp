//===- UpstreamAdjoints.cpp - adjoints of the upstream ops moe uses -------===//

#include "UpstreamAdjoints.h"

#include "moec/Dialect/MoE/MoEUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::moe;

namespace {

/// `value [M, N]` transposed to `[N, M]`.
Value transposed(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d : {1, 0})
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, value, d));
  auto init =
      tensor::EmptyOp::create(b, loc, {type.getDimSize(1), type.getDimSize(0)},
                              type.getElementType(), dynamicSizes);
  return linalg::TransposeOp::create(b, loc, value, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

Type elementOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// `C = A B + C`: `dA = dC B^T`, `dB = A^T dC`, `dC` passes through. Each
/// product accumulates like the forward (f32, f64 for f64) and is rounded to
/// its operand's element type.
FailureOr<SmallVector<Value>> matmulAdjoint(OpBuilder &b, linalg::MatmulOp op,
                                            Value dc) {
  if (op.hasUserDefinedMaps() || !op.hasPureTensorSemantics())
    return op.emitOpError() << "has no adjoint unless it is a plain "
                               "(untransposed, tensor) matmul";
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0], bm = op.getDpsInputs()[1];
  Value da = createAccumulatingMatmul(b, loc, dc, transposed(b, loc, bm),
                                      elementOf(a));
  Value db = createAccumulatingMatmul(b, loc, transposed(b, loc, a), dc,
                                      elementOf(bm));
  auto castTo = [&](Value v, Type type) -> Value {
    return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v);
  };
  return SmallVector<Value>{castTo(da, a.getType()), castTo(db, bm.getType()),
                            dc};
}

} // namespace

FailureOr<SmallVector<Value>>
mlir::moe::emitUpstreamAdjoint(OpBuilder &b, Operation *op,
                               ValueRange resultCotangents) {
  SmallVector<Value> none(op->getNumOperands(), Value());
  if (llvm::all_of(resultCotangents, [](Value v) { return !v; }))
    return none;
  if (!llvm::all_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>))
    return op->emitOpError()
           << "has no adjoint: only ranked tensors carry gradients";
  Location loc = op->getLoc();
  Value dr = resultCotangents.front();
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
    return matmulAdjoint(b, matmul, dr);
  if (isa<linalg::AddOp>(op) &&
      cast<linalg::AddOp>(op).hasPureTensorSemantics())
    return SmallVector<Value>{dr, dr, Value()};
  // The filled value is a constant in everything moe emits; nothing flows
  // into the overwritten init.
  if (isa<linalg::FillOp>(op))
    return none;
  if (auto cast = dyn_cast<tensor::CastOp>(op))
    return SmallVector<Value>{
        tensor::CastOp::create(b, loc, cast.getSource().getType(), dr)};
  // Elementwise arithmetic on tensors (rank-0 ones add up losses).
  if (isa<arith::AddFOp>(op))
    return SmallVector<Value>{dr, dr};
  if (isa<arith::SubFOp>(op))
    return SmallVector<Value>{dr, arith::NegFOp::create(b, loc, dr)};
  if (isa<arith::MulFOp>(op))
    return SmallVector<Value>{
        arith::MulFOp::create(b, loc, dr, op->getOperand(1)),
        arith::MulFOp::create(b, loc, dr, op->getOperand(0))};
  if (auto trunc = dyn_cast<arith::TruncFOp>(op))
    return SmallVector<Value>{
        arith::ExtFOp::create(b, loc, trunc.getIn().getType(), dr)};
  if (auto ext = dyn_cast<arith::ExtFOp>(op))
    return SmallVector<Value>{
        arith::TruncFOp::create(b, loc, ext.getIn().getType(), dr)};
  return op->emitOpError()
         << "has no adjoint: --moe-grad differentiates moe ops (through "
            "GradientOpInterface), linalg.matmul, linalg.add, linalg.fill, "
            "tensor.cast, arith.addf/subf/mulf and arith.truncf/extf";
}
