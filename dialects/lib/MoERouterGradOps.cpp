//===- MoERouterGradOps.cpp - moe.router_grad and the router adjoint ------===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

using namespace mlir;
using namespace mlir::moe;
using mlir::moe::detail::NamedTensor;
using mlir::moe::detail::OperandChecker;
using mlir::moe::detail::SharedDim;

//===----------------------------------------------------------------------===//
// RouterGradOp
//===----------------------------------------------------------------------===//

LogicalResult RouterGradOp::verify() {
  // moe.router's checks, with the forward's ids and the cotangent of its
  // weights in place of its results.
  OperandChecker check(*this);
  FailureOr<NamedTensor> logits =
      check.tensor(getLogits(), "logits", {"tokens", "experts"});
  if (failed(logits) || failed(check.floatElements(*logits)) ||
      failed(check.staticDim(*logits, 1)))
    return failure();
  int64_t numExperts = logits->dim(1);
  int64_t k = getRouting().getK();
  SharedDim tokens;
  (void)check.bind(tokens, *logits, 0);

  // The routing parameters against E, and the bias; the gradient holds the
  // ids fixed, so there are no hash operands to check.
  if (failed(detail::verifyRoutingOperands(check, getRouting(), numExperts,
                                           tokens, getBias(), "logits",
                                           /*tokenIds=*/nullptr,
                                           /*hashTable=*/nullptr)))
    return failure();

  FailureOr<NamedTensor> ids = check.tensor(getIds(), "ids", {"tokens", "k"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.bind(tokens, *ids, 0)) ||
      failed(check.dimEquals(*ids, 1, k, "routing k")))
    return failure();
  // The forward's weights have the logits' element type, and so does their
  // cotangent.
  FailureOr<NamedTensor> dWeights =
      check.tensor(getDWeights(), "d_weights", {"tokens", "k"});
  if (failed(dWeights) || failed(check.sameElements(*dWeights, *logits)) ||
      failed(check.bind(tokens, *dWeights, 0)) ||
      failed(check.dimEquals(*dWeights, 1, k, "routing k")))
    return failure();

  // Exactly the logits' type: the lowering builds d_logits with the logits'
  // shape, so a static/dynamic mix would only defer a mismatch to run time.
  if (getDLogits().getType() != getLogits().getType())
    return emitOpError() << "expected d_logits to have logits's type "
                         << getLogits().getType() << ", got "
                         << getDLogits().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// RouterOp: GradientOpInterface
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>>
RouterOp::emitAdjoint(OpBuilder &b, ValueRange resultCotangents) {
  if (resultCotangents.size() != 2)
    return emitOpError() << "expected 2 result cotangents (weights, ids), got "
                         << resultCotangents.size();
  // Only the logits get a gradient: the bias steers selection only, and the
  // token ids and hash table are integers. The ids' cotangent is ignored
  // (integer ids carry no gradient).
  SmallVector<Value> operandCotangents(getNumOperands(), Value());
  Value dWeights = resultCotangents[0];
  if (!dWeights)
    return operandCotangents;
  if (dWeights.getType() != getWeights().getType())
    return emitOpError() << "expected the weights cotangent to have the "
                            "weights' type "
                         << getWeights().getType() << ", got "
                         << dWeights.getType();
  auto grad =
      RouterGradOp::create(b, getLoc(), getLogits().getType(), getLogits(),
                           getBias(), getIds(), dWeights, getRoutingAttr());
  // The logits are always operand 0 (the optional operands follow it).
  operandCotangents[0] = grad.getDLogits();
  return operandCotangents;
}
