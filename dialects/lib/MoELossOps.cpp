//===- MoELossOps.cpp - verifiers of the auxiliary-loss ops -----*- C++ -*-===//
//
// moe.load_balancing_loss, moe.router_z_loss and moe.bias_update, the
// gradients of the two losses (moe.load_balancing_loss_grad,
// moe.router_z_loss_grad) and the losses' GradientOpInterface. All accept
// f64, so that losses and gradients are checked against finite differences
// in f64.
//
//===----------------------------------------------------------------------===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;
using namespace mlir::moe;
using mlir::moe::detail::NamedTensor;
using mlir::moe::detail::OperandChecker;
using mlir::moe::detail::SharedDim;

namespace {

/// Element type is f16, bf16, f32 or f64.
LogicalResult lossFloatElements(Operation *op, const NamedTensor &t) {
  Type e = t.elementType();
  if (e.isF16() || e.isBF16() || e.isF32() || e.isF64())
    return success();
  return op->emitOpError() << "expected " << t.name
                           << " element type to be f16, bf16, f32 or f64, got "
                           << e;
}

/// The type the op accumulates in: f64 for f64 inputs, f32 otherwise.
Type accumulatorType(Type elementType) {
  MLIRContext *context = elementType.getContext();
  if (elementType.isF64())
    return Float64Type::get(context);
  return Float32Type::get(context);
}

/// A coefficient attribute must be finite and non-negative (a negative one
/// would reward imbalance).
LogicalResult nonNegativeFinite(Operation *op, double value, StringRef name) {
  if (std::isfinite(value) && value >= 0.0)
    return success();
  return op->emitOpError() << "expected " << name
                           << " to be finite and non-negative, got " << value;
}

/// `ids : [tokens, k]` of i32/i64, tokens bound to `tokens`; k may not
/// exceed the `numExperts` experts (a router picks k distinct experts).
FailureOr<NamedTensor> verifyIds(OperandChecker &check, Operation *op,
                                 Value value, SharedDim &tokens,
                                 int64_t numExperts, StringRef expertsFrom) {
  FailureOr<NamedTensor> ids = check.tensor(value, "ids", {"tokens", "k"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.bind(tokens, *ids, 0)))
    return failure();
  int64_t k = ids->dim(1);
  if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(numExperts) &&
      k > numExperts)
    return op->emitOpError()
           << "expected ids dim 1 (k) to be at most " << numExperts
           << ", the experts of " << expertsFrom << ", got " << k;
  return ids;
}

/// `loss` (the forward's result, or the cotangent `dloss`, named `name`) is
/// a rank-0 tensor of the accumulator type of `logits`.
LogicalResult verifyLossResult(OperandChecker &check, Operation *op, Value loss,
                               const NamedTensor &logits,
                               StringRef name = "loss",
                               StringRef inputName = "logits") {
  FailureOr<NamedTensor> result = check.tensor(loss, name, {});
  if (failed(result))
    return failure();
  Type expected = accumulatorType(logits.elementType());
  if (result->elementType() != expected)
    return op->emitOpError()
           << "expected " << name << " element type to be " << expected
           << " for " << logits.elementType() << " " << inputName << ", got "
           << result->elementType();
  return success();
}

/// `d_logits` has exactly the type of `logits`: the lowering builds it with
/// logits' shape, and a static/dynamic mix would only move a mismatch from
/// compile time to run time.
LogicalResult verifyLogitsCotangent(Operation *op, Value dLogits,
                                    Value logits) {
  if (dLogits.getType() == logits.getType())
    return success();
  return op->emitOpError() << "expected d_logits to have logits' type "
                           << logits.getType() << ", got " << dLogits.getType();
}

/// The checks every loss adjoint makes: one result cotangent, of the loss's
/// type. Returns the cotangent, null when there is none.
FailureOr<Value> lossCotangent(Operation *op, ValueRange resultCotangents) {
  if (resultCotangents.size() != 1)
    return op->emitOpError()
           << "expected 1 result cotangent, got " << resultCotangents.size();
  Value dloss = resultCotangents.front();
  Type lossType = op->getResult(0).getType();
  if (dloss && dloss.getType() != lossType)
    return op->emitOpError()
           << "expected the result cotangent to have the loss's type "
           << lossType << ", got " << dloss.getType();
  return dloss;
}

/// A loss op's adjoint: no operand cotangent when the loss has none,
/// otherwise those `build` sets from the loss's cotangent `dloss`.
FailureOr<SmallVector<Value>>
lossAdjoint(Operation *op, ValueRange resultCotangents,
            function_ref<void(Value dloss, MutableArrayRef<Value>)> build) {
  FailureOr<Value> dloss = lossCotangent(op, resultCotangents);
  if (failed(dloss))
    return failure();
  SmallVector<Value> operandCotangents(op->getNumOperands(), Value());
  if (*dloss)
    build(*dloss, operandCotangents);
  return operandCotangents;
}

/// `logits : [tokens, experts]` of a float type.
FailureOr<NamedTensor> verifyLogits(OperandChecker &check, Operation *op,
                                    Value value, SharedDim &tokens) {
  FailureOr<NamedTensor> logits =
      check.tensor(value, "logits", {"tokens", "experts"});
  if (failed(logits) || failed(lossFloatElements(op, *logits)))
    return failure();
  (void)check.bind(tokens, *logits, 0);
  return logits;
}

} // namespace

//===----------------------------------------------------------------------===//
// LoadBalancingLossOp
//===----------------------------------------------------------------------===//

LogicalResult LoadBalancingLossOp::verify() {
  OperandChecker check(*this);
  SharedDim tokens;
  FailureOr<NamedTensor> logits =
      verifyLogits(check, *this, getLogits(), tokens);
  if (failed(logits))
    return failure();
  if (failed(verifyIds(check, *this, getIds(), tokens, logits->dim(1),
                       "logits")) ||
      failed(nonNegativeFinite(*this, getAlpha().convertToDouble(), "alpha")))
    return failure();
  return verifyLossResult(check, *this, getLoss(), *logits);
}

FailureOr<SmallVector<Value>>
LoadBalancingLossOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  return lossAdjoint(*this, resultCotangents,
                     [&](Value dloss, MutableArrayRef<Value> cotangents) {
                       // ids are integers: no gradient.
                       cotangents[0] = LoadBalancingLossGradOp::create(
                           b, getLoc(), getLogits().getType(), getLogits(),
                           getIds(), dloss, getAlphaAttr());
                     });
}

//===----------------------------------------------------------------------===//
// LoadBalancingLossGradOp
//===----------------------------------------------------------------------===//

LogicalResult LoadBalancingLossGradOp::verify() {
  // The forward's operand checks, then dloss in place of the loss.
  OperandChecker check(*this);
  SharedDim tokens;
  FailureOr<NamedTensor> logits =
      verifyLogits(check, *this, getLogits(), tokens);
  if (failed(logits))
    return failure();
  if (failed(verifyIds(check, *this, getIds(), tokens, logits->dim(1),
                       "logits")) ||
      failed(nonNegativeFinite(*this, getAlpha().convertToDouble(), "alpha")) ||
      failed(verifyLossResult(check, *this, getDloss(), *logits, "dloss")))
    return failure();
  return verifyLogitsCotangent(*this, getDLogits(), getLogits());
}

//===----------------------------------------------------------------------===//
// RouterZLossOp
//===----------------------------------------------------------------------===//

LogicalResult RouterZLossOp::verify() {
  OperandChecker check(*this);
  SharedDim tokens;
  FailureOr<NamedTensor> logits =
      verifyLogits(check, *this, getLogits(), tokens);
  if (failed(logits))
    return failure();
  return verifyLossResult(check, *this, getLoss(), *logits);
}

FailureOr<SmallVector<Value>>
RouterZLossOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  return lossAdjoint(*this, resultCotangents,
                     [&](Value dloss, MutableArrayRef<Value> cotangents) {
                       cotangents[0] = RouterZLossGradOp::create(
                           b, getLoc(), getLogits().getType(), getLogits(),
                           dloss);
                     });
}

//===----------------------------------------------------------------------===//
// RouterZLossGradOp
//===----------------------------------------------------------------------===//

LogicalResult RouterZLossGradOp::verify() {
  OperandChecker check(*this);
  SharedDim tokens;
  FailureOr<NamedTensor> logits =
      verifyLogits(check, *this, getLogits(), tokens);
  if (failed(logits) ||
      failed(verifyLossResult(check, *this, getDloss(), *logits, "dloss")))
    return failure();
  return verifyLogitsCotangent(*this, getDLogits(), getLogits());
}

//===----------------------------------------------------------------------===//
// BiasUpdateOp
//===----------------------------------------------------------------------===//

LogicalResult BiasUpdateOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> bias = check.tensor(getBias(), "bias", {"experts"});
  if (failed(bias) || failed(lossFloatElements(*this, *bias)))
    return failure();
  SharedDim tokens;
  if (failed(verifyIds(check, *this, getIds(), tokens, bias->dim(0), "bias")) ||
      failed(nonNegativeFinite(*this, getGamma().convertToDouble(), "gamma")))
    return failure();
  FailureOr<NamedTensor> result =
      check.tensor(getResult(), "result", {"experts"});
  if (failed(result) || failed(check.sameElements(*result, *bias)) ||
      failed(check.dimMatches(*result, 0, *bias, 0)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// MseLossOp, MseLossGradOp
//===----------------------------------------------------------------------===//

namespace {

/// `input` of a float type and `target` of exactly its type.
FailureOr<NamedTensor> verifyPrediction(OperandChecker &check, Operation *op,
                                        Value input, Value target) {
  auto type = cast<RankedTensorType>(input.getType());
  NamedTensor named{type, "input", {}};
  if (failed(lossFloatElements(op, named)))
    return failure();
  if (target.getType() != type)
    return op->emitOpError() << "expected target to have input's type " << type
                             << ", got " << target.getType();
  return named;
}

} // namespace

LogicalResult MseLossOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> input =
      verifyPrediction(check, *this, getInput(), getTarget());
  if (failed(input))
    return failure();
  return verifyLossResult(check, *this, getLoss(), *input, "loss", "input");
}

FailureOr<SmallVector<Value>>
MseLossOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  return lossAdjoint(
      *this, resultCotangents,
      [&](Value dloss, MutableArrayRef<Value> cotangents) {
        Value dInput = MseLossGradOp::create(b, getLoc(), getInput().getType(),
                                             getInput(), getTarget(), dloss);
        cotangents[0] = dInput;
        cotangents[1] = arith::NegFOp::create(b, getLoc(), dInput);
      });
}

LogicalResult MseLossGradOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> input =
      verifyPrediction(check, *this, getInput(), getTarget());
  if (failed(input) || failed(verifyLossResult(check, *this, getDloss(), *input,
                                               "dloss", "input")))
    return failure();
  if (getDInput().getType() != getInput().getType())
    return emitOpError() << "expected d_input to have input's type "
                         << getInput().getType() << ", got "
                         << getDInput().getType();
  return success();
}
