//===- MoELossOps.cpp - verifiers of the auxiliary-loss ops -----*- C++ -*-===//
//
// moe.load_balancing_loss, moe.router_z_loss and moe.bias_update. Unlike the
// forward ops these accept f64 too: losses are checked against finite
// differences in f64.
//
//===----------------------------------------------------------------------===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

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

/// `loss` is a rank-0 tensor of the accumulator type of `logits`.
LogicalResult verifyLossResult(OperandChecker &check, Operation *op, Value loss,
                               const NamedTensor &logits) {
  FailureOr<NamedTensor> result = check.tensor(loss, "loss", {});
  if (failed(result))
    return failure();
  Type expected = accumulatorType(logits.elementType());
  if (result->elementType() != expected)
    return op->emitOpError()
           << "expected loss element type to be " << expected << " for "
           << logits.elementType() << " logits, got " << result->elementType();
  return success();
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
