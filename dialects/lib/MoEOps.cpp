//===- MoEOps.cpp - moe dialect operations and verifiers --------*- C++ -*-===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::moe;
using mlir::moe::detail::NamedTensor;
using mlir::moe::detail::OperandChecker;

#define GET_OP_CLASSES
#include "moec/Dialect/MoE/MoEOps.cpp.inc"

static std::optional<double> toDouble(std::optional<APFloat> value) {
  if (!value)
    return std::nullopt;
  return value->convertToDouble();
}

//===----------------------------------------------------------------------===//
// RouterOp
//===----------------------------------------------------------------------===//

int64_t RouterOp::getNumExperts() {
  return cast<RankedTensorType>(getLogits().getType()).getDimSize(1);
}

LogicalResult RouterOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> logits =
      check.tensor(getLogits(), "logits", {"tokens", "experts"});
  if (failed(logits) || failed(check.floatElements(*logits)) ||
      failed(check.staticDim(*logits, 1)))
    return failure();
  int64_t numExperts = logits->dim(1);
  int64_t k = getRouting().getK();

  if (failed(detail::verifyRoutingOperands(
          check, getRouting(), numExperts, logits->dim(0), "logits",
          getBias(), "logits", getTokenIds(), getHashTable())))
    return failure();

  FailureOr<NamedTensor> weights =
      check.tensor(getWeights(), "weights", {"tokens", "k"});
  if (failed(weights) || failed(check.sameElements(*weights, *logits)) ||
      failed(check.dimMatches(*weights, 0, *logits, 0)) ||
      failed(check.dimEquals(*weights, 1, k, "routing k")))
    return failure();
  FailureOr<NamedTensor> ids = check.tensor(getIds(), "ids", {"tokens", "k"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.dimMatches(*ids, 0, *logits, 0)) ||
      failed(check.dimEquals(*ids, 1, k, "routing k")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

LogicalResult DispatchOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> x = check.tensor(getX(), "x", {"tokens", "hidden"});
  if (failed(x) || failed(check.floatElements(*x)))
    return failure();
  FailureOr<NamedTensor> ids = check.tensor(getIds(), "ids", {"tokens", "k"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.dimMatches(*ids, 0, *x, 0)))
    return failure();
  if (getBlock() && getCapacity())
    return emitOpError("block and capacity are mutually exclusive: block "
                       "pads each group, capacity fixes its size");

  int64_t numExperts = getNumExperts();
  int64_t tokens = x->dim(0), k = ids->dim(1);
  FailureOr<NamedTensor> xs = check.tensor(getXs(), "xs", {"rows", "hidden"});
  if (failed(xs) || failed(check.sameElements(*xs, *x)) ||
      failed(check.dimMatches(*xs, 1, *x, 1)))
    return failure();
  if (std::optional<uint64_t> capacity = getCapacity()) {
    if (failed(check.dimEquals(*xs, 0, numExperts * *capacity,
                               "experts * capacity")))
      return failure();
  } else if (!getBlock() && !ShapedType::isDynamic(tokens) &&
             !ShapedType::isDynamic(k)) {
    if (failed(check.dimEquals(*xs, 0, tokens * k, "tokens * k")))
      return failure();
  }

  FailureOr<NamedTensor> perm = check.tensor(getPerm(), "perm", {"rows"});
  if (failed(perm) || failed(check.indexElements(*perm)) ||
      failed(check.dimMatches(*perm, 0, *xs, 0)))
    return failure();
  FailureOr<NamedTensor> offsets =
      check.tensor(getOffsets(), "offsets", {"experts + 1"});
  if (failed(offsets) || failed(check.sameElements(*offsets, *perm)) ||
      failed(check.dimEquals(*offsets, 0, numExperts + 1,
                             "experts = " + Twine(numExperts))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// GroupedMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult GroupedMatmulOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> input =
      check.tensor(getInput(), "input", {"rows", "K"});
  if (failed(input) || failed(check.floatElements(*input)))
    return failure();
  FailureOr<NamedTensor> weight =
      check.tensor(getWeight(), "weight", {"experts", "K", "N"});
  if (failed(weight) || failed(check.sameElements(*weight, *input)))
    return failure();
  for (unsigned d = 0; d < 3; ++d)
    if (failed(check.staticDim(*weight, d)))
      return failure();
  if (failed(check.dimMatches(*weight, 1, *input, 1)))
    return failure();
  FailureOr<NamedTensor> offsets =
      check.tensor(getOffsets(), "offsets", {"experts + 1"});
  if (failed(offsets) || failed(check.indexElements(*offsets)) ||
      failed(check.dimEquals(*offsets, 0, weight->dim(0) + 1,
                             "weight experts = " + Twine(weight->dim(0)))))
    return failure();
  FailureOr<NamedTensor> result =
      check.tensor(getResult(), "result", {"rows", "N"});
  if (failed(result) || failed(check.sameElements(*result, *input)) ||
      failed(check.dimMatches(*result, 0, *input, 0)) ||
      failed(check.dimMatches(*result, 1, *weight, 2)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// SwigluOp
//===----------------------------------------------------------------------===//

LogicalResult SwigluOp::verify() {
  OperandChecker check(*this);
  auto gateType = dyn_cast<RankedTensorType>(getGate().getType());
  auto resultType = dyn_cast<RankedTensorType>(getResult().getType());
  if (!gateType || gateType.getRank() < 1)
    return emitOpError() << "expected gate to be a ranked tensor of rank >= 1, "
                            "got "
                         << getGate().getType();
  int64_t rank = gateType.getRank();
  if (!resultType || resultType.getRank() != rank)
    return emitOpError() << "expected result to be a rank-" << rank
                         << " tensor like gate, got " << getResult().getType();

  // Name every dimension after its position; the last one is the width.
  SmallVector<std::string> names;
  for (int64_t d = 0; d < rank; ++d)
    names.push_back(d + 1 == rank ? "width" : "dim " + std::to_string(d));
  auto named = [&](RankedTensorType type, StringRef name) {
    NamedTensor t{type, name, {}};
    for (const std::string &n : names)
      t.dimNames.push_back(n);
    return t;
  };
  NamedTensor gate = named(gateType, "gate");
  NamedTensor result = named(resultType, "result");
  if (failed(check.floatElements(gate)) ||
      failed(check.sameElements(result, gate)))
    return failure();
  for (int64_t d = 0; d + 1 < rank; ++d)
    if (failed(check.dimMatches(result, d, gate, d)))
      return failure();

  int64_t gateWidth = gate.dim(rank - 1);
  if (Value up = getUp()) {
    auto upType = dyn_cast<RankedTensorType>(up.getType());
    if (!upType || upType.getRank() != rank)
      return emitOpError() << "expected up to be a rank-" << rank
                           << " tensor like gate, got " << up.getType();
    NamedTensor upT = named(upType, "up");
    if (failed(check.sameElements(upT, gate)))
      return failure();
    for (int64_t d = 0; d < rank; ++d)
      if (failed(check.dimMatches(upT, d, gate, d)))
        return failure();
    if (failed(check.dimMatches(result, rank - 1, gate, rank - 1)))
      return failure();
  } else if (!ShapedType::isDynamic(gateWidth)) {
    if (gateWidth % 2 != 0)
      return emitOpError() << "expected the fused gate_up width to be even "
                              "(gate half, then up half), got "
                           << gateWidth;
    if (failed(check.dimEquals(result, rank - 1, gateWidth / 2,
                               "half of fused gate width " +
                                   Twine(gateWidth))))
      return failure();
  }
  return check.positiveFinite(toDouble(getLimit()), "limit");
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

LogicalResult CombineOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> out =
      check.tensor(getExpertOut(), "expert_out", {"rows", "hidden"});
  if (failed(out) || failed(check.floatElements(*out)))
    return failure();
  FailureOr<NamedTensor> perm = check.tensor(getPerm(), "perm", {"rows"});
  if (failed(perm) || failed(check.indexElements(*perm)) ||
      failed(check.dimMatches(*perm, 0, *out, 0)))
    return failure();
  FailureOr<NamedTensor> weights =
      check.tensor(getWeights(), "weights", {"tokens", "k"});
  if (failed(weights) || failed(check.floatElements(*weights)))
    return failure();
  FailureOr<NamedTensor> result =
      check.tensor(getResult(), "result", {"tokens", "hidden"});
  if (failed(result) || failed(check.sameElements(*result, *out)) ||
      failed(check.dimMatches(*result, 0, *weights, 0)) ||
      failed(check.dimMatches(*result, 1, *out, 1)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

int64_t LayerOp::getNumExperts() {
  return cast<RankedTensorType>(getRouterWeight().getType()).getDimSize(1);
}

LogicalResult LayerOp::verify() {
  OperandChecker check(*this);
  FailureOr<NamedTensor> x = check.tensor(getX(), "x", {"tokens", "hidden"});
  if (failed(x) || failed(check.floatElements(*x)))
    return failure();
  FailureOr<NamedTensor> router =
      check.tensor(getRouterWeight(), "router_weight", {"hidden", "experts"});
  if (failed(router) || failed(check.floatElements(*router)) ||
      failed(check.dimMatches(*router, 0, *x, 1)) ||
      failed(check.staticDim(*router, 1)))
    return failure();
  int64_t numExperts = router->dim(1);

  // Routed experts: gate/up are [E, H, I], down is [E, I, H].
  auto expertWeight = [&](Value v, StringRef name, bool down,
                          const NamedTensor *gate) -> FailureOr<NamedTensor> {
    FailureOr<NamedTensor> w =
        down ? check.tensor(v, name, {"experts", "intermediate", "hidden"})
             : check.tensor(v, name, {"experts", "hidden", "intermediate"});
    unsigned hiddenDim = down ? 2 : 1, interDim = down ? 1 : 2;
    if (failed(w) || failed(check.sameElements(*w, *x)) ||
        failed(check.dimMatches(*w, 0, *router, 1)) ||
        failed(check.dimMatches(*w, hiddenDim, *x, 1)) ||
        (gate && failed(check.dimMatches(*w, interDim, *gate, 2))))
      return failure();
    return w;
  };
  FailureOr<NamedTensor> wGate =
      expertWeight(getWGate(), "w_gate", /*down=*/false, nullptr);
  if (failed(wGate) ||
      failed(expertWeight(getWUp(), "w_up", /*down=*/false, &*wGate)) ||
      failed(expertWeight(getWDown(), "w_down", /*down=*/true, &*wGate)))
    return failure();

  // Shared experts: gate/up are [H, S], down is [S, H].
  Value sharedGate = getSharedGate(), sharedUp = getSharedUp(),
        sharedDown = getSharedDown();
  if (sharedGate || sharedUp || sharedDown) {
    if (!sharedGate || !sharedUp || !sharedDown)
      return emitOpError("shared experts need shared_gate, shared_up and "
                         "shared_down together");
    FailureOr<NamedTensor> sg =
        check.tensor(sharedGate, "shared_gate", {"hidden", "shared"});
    if (failed(sg) || failed(check.sameElements(*sg, *x)) ||
        failed(check.dimMatches(*sg, 0, *x, 1)))
      return failure();
    FailureOr<NamedTensor> su =
        check.tensor(sharedUp, "shared_up", {"hidden", "shared"});
    if (failed(su) || failed(check.sameElements(*su, *x)) ||
        failed(check.dimMatches(*su, 0, *x, 1)) ||
        failed(check.dimMatches(*su, 1, *sg, 1)))
      return failure();
    FailureOr<NamedTensor> sd =
        check.tensor(sharedDown, "shared_down", {"shared", "hidden"});
    if (failed(sd) || failed(check.sameElements(*sd, *x)) ||
        failed(check.dimMatches(*sd, 0, *sg, 1)) ||
        failed(check.dimMatches(*sd, 1, *x, 1)))
      return failure();
  }

  if (failed(detail::verifyRoutingOperands(
          check, getRouting(), numExperts, x->dim(0), "x", getBias(),
          "router_weight", getTokenIds(), getHashTable())))
    return failure();

  FailureOr<NamedTensor> result =
      check.tensor(getResult(), "result", {"tokens", "hidden"});
  if (failed(result) || failed(check.sameElements(*result, *x)) ||
      failed(check.dimMatches(*result, 0, *x, 0)) ||
      failed(check.dimMatches(*result, 1, *x, 1)))
    return failure();
  return check.positiveFinite(toDouble(getSwigluLimit()), "swiglu_limit");
}
