//===- MoEOps.cpp - moe dialect operations and verifiers --------*- C++ -*-===//

#include "moec/Dialect/MoE/MoEOps.h"

#include "OperandChecker.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::moe;
using mlir::moe::detail::NamedTensor;
using mlir::moe::detail::OperandChecker;
using mlir::moe::detail::SharedDim;

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
  SharedDim tokens;
  (void)check.bind(tokens, *logits, 0);

  if (failed(detail::verifyRoutingOperands(check, getRouting(), numExperts,
                                           tokens, getBias(), "logits",
                                           getTokenIds(), getHashTable())))
    return failure();

  FailureOr<NamedTensor> weights =
      check.tensor(getWeights(), "weights", {"tokens", "k"});
  if (failed(weights) || failed(check.sameElements(*weights, *logits)) ||
      failed(check.bind(tokens, *weights, 0)) ||
      failed(check.dimEquals(*weights, 1, k, "routing k")))
    return failure();
  FailureOr<NamedTensor> ids = check.tensor(getIds(), "ids", {"tokens", "k"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.bind(tokens, *ids, 0)) ||
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
  SharedDim tokens, hidden, rows;
  (void)check.bind(tokens, *x, 0);
  (void)check.bind(hidden, *x, 1);
  FailureOr<NamedTensor> ids = check.tensor(getIds(), "ids", {"tokens", "k"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.bind(tokens, *ids, 0)))
    return failure();
  if (getBlock() && getCapacity())
    return emitOpError("block and capacity are mutually exclusive: block "
                       "pads each group, capacity fixes its size");

  // Sizes derived from attributes must stay clear of the dynamic marker.
  int64_t numExperts = getNumExperts(), k = ids->dim(1);
  std::optional<int64_t> numOffsets = llvm::checkedAdd<int64_t>(numExperts, 1);
  if (!numOffsets)
    return emitOpError() << "experts = " << numExperts << " is too large";
  if (std::optional<uint64_t> capacity = getCapacity()) {
    std::optional<int64_t> total =
        llvm::checkedMul<int64_t>(numExperts, static_cast<int64_t>(*capacity));
    if (!total)
      return emitOpError() << "experts * capacity = " << numExperts << " * "
                           << *capacity << " is too large";
    rows = {*total, "experts * capacity"};
  } else if (!getBlock() && !ShapedType::isDynamic(tokens.size) &&
             !ShapedType::isDynamic(k)) {
    rows = {tokens.size * k, "tokens * k"};
  }
  FailureOr<NamedTensor> xs = check.tensor(getXs(), "xs", {"rows", "hidden"});
  if (failed(xs) || failed(check.sameElements(*xs, *x)) ||
      failed(check.bind(rows, *xs, 0)) || failed(check.bind(hidden, *xs, 1)))
    return failure();

  FailureOr<NamedTensor> perm = check.tensor(getPerm(), "perm", {"rows"});
  if (failed(perm) || failed(check.indexElements(*perm)) ||
      failed(check.bind(rows, *perm, 0)))
    return failure();
  FailureOr<NamedTensor> offsets =
      check.tensor(getOffsets(), "offsets", {"experts + 1"});
  if (failed(offsets) || failed(check.sameElements(*offsets, *perm)) ||
      failed(check.dimEquals(*offsets, 0, *numOffsets,
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

  // The last dimension is the width (2*I in the fused form); the leading ones
  // (rows, batch) are elementwise.
  SmallVector<StringRef> names(rank, "leading");
  names.back() = "width";
  auto named = [&](RankedTensorType type, StringRef name) {
    return NamedTensor{type, name,
                       SmallVector<StringRef, 4>(names.begin(), names.end())};
  };
  NamedTensor gate = named(gateType, "gate");
  NamedTensor result = named(resultType, "result");
  if (failed(check.floatElements(gate)) ||
      failed(check.sameElements(result, gate)))
    return failure();
  SmallVector<SharedDim> dims(rank);
  for (int64_t d = 0; d < rank; ++d)
    (void)check.bind(dims[d], gate, d);

  if (Value up = getUp()) {
    auto upType = dyn_cast<RankedTensorType>(up.getType());
    if (!upType || upType.getRank() != rank)
      return emitOpError() << "expected up to be a rank-" << rank
                           << " tensor like gate, got " << up.getType();
    NamedTensor upT = named(upType, "up");
    if (failed(check.sameElements(upT, gate)))
      return failure();
    for (int64_t d = 0; d < rank; ++d)
      if (failed(check.bind(dims[d], upT, d)))
        return failure();
  } else {
    int64_t gateWidth = gate.dim(rank - 1);
    dims.back() = SharedDim();
    if (!ShapedType::isDynamic(gateWidth)) {
      if (gateWidth % 2 != 0)
        return emitOpError() << "expected the fused gate_up width to be even "
                                "(gate half, then up half), got "
                             << gateWidth;
      dims.back() = {gateWidth / 2,
                     "half of fused gate width " + std::to_string(gateWidth)};
    }
  }
  for (int64_t d = 0; d < rank; ++d)
    if (failed(check.bind(dims[d], result, d)))
      return failure();
  return check.positiveFinite(toDouble(getLimit()), "limit");
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

LogicalResult mlir::moe::detail::verifyCombineOperands(
    OperandChecker &check, Value expertOut, Value perm, Value weights,
    Value tokensByHidden, StringRef tokensByHiddenName) {
  auto floats = [&](const NamedTensor &tensor) {
    return check.floatElements(tensor);
  };
  FailureOr<NamedTensor> out =
      check.tensor(expertOut, "expert_out", {"rows", "hidden"});
  if (failed(out) || failed(floats(*out)))
    return failure();
  FailureOr<NamedTensor> rows = check.tensor(perm, "perm", {"rows"});
  if (failed(rows) || failed(check.indexElements(*rows)) ||
      failed(check.dimMatches(*rows, 0, *out, 0)))
    return failure();
  FailureOr<NamedTensor> w = check.tensor(weights, "weights", {"tokens", "k"});
  if (failed(w) || failed(floats(*w)))
    return failure();
  FailureOr<NamedTensor> th =
      check.tensor(tokensByHidden, tokensByHiddenName, {"tokens", "hidden"});
  if (failed(th) || failed(check.sameElements(*th, *out)) ||
      failed(check.dimMatches(*th, 0, *w, 0)) ||
      failed(check.dimMatches(*th, 1, *out, 1)))
    return failure();
  // One accumulation type: f64 throughout or not at all.
  if (out->elementType().isF64() != w->elementType().isF64())
    return check.error() << "expected expert_out and weights to be both f64 "
                            "or neither, got "
                         << out->elementType() << " and " << w->elementType();
  return success();
}

LogicalResult CombineOp::verify() {
  OperandChecker check(*this);
  return detail::verifyCombineOperands(check, getExpertOut(), getPerm(),
                                       getWeights(), getResult(), "result");
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
  SharedDim tokens, hidden, intermediate, shared;
  (void)check.bind(tokens, *x, 0);
  (void)check.bind(hidden, *x, 1);
  FailureOr<NamedTensor> router =
      check.tensor(getRouterWeight(), "router_weight", {"hidden", "experts"});
  if (failed(router) || failed(check.floatElements(*router)) ||
      failed(check.bind(hidden, *router, 0)) ||
      failed(check.staticDim(*router, 1)))
    return failure();
  int64_t numExperts = router->dim(1);

  // Routed experts: gate/up are [E, H, I], down is [E, I, H].
  auto expertWeight = [&](Value v, StringRef name, bool down) {
    FailureOr<NamedTensor> w =
        down ? check.tensor(v, name, {"experts", "intermediate", "hidden"})
             : check.tensor(v, name, {"experts", "hidden", "intermediate"});
    unsigned hiddenDim = down ? 2 : 1, interDim = down ? 1 : 2;
    return success(succeeded(w) && succeeded(check.sameElements(*w, *x)) &&
                   succeeded(check.dimMatches(*w, 0, *router, 1)) &&
                   succeeded(check.bind(hidden, *w, hiddenDim)) &&
                   succeeded(check.bind(intermediate, *w, interDim)));
  };
  if (failed(expertWeight(getWGate(), "w_gate", /*down=*/false)) ||
      failed(expertWeight(getWUp(), "w_up", /*down=*/false)) ||
      failed(expertWeight(getWDown(), "w_down", /*down=*/true)))
    return failure();

  // Shared experts: gate/up are [H, S], down is [S, H].
  Value sharedGate = getSharedGate(), sharedUp = getSharedUp(),
        sharedDown = getSharedDown();
  if (sharedGate || sharedUp || sharedDown) {
    if (!sharedGate || !sharedUp || !sharedDown)
      return emitOpError("shared experts need shared_gate, shared_up and "
                         "shared_down together");
    auto sharedWeight = [&](Value v, StringRef name, bool down) {
      FailureOr<NamedTensor> w =
          down ? check.tensor(v, name, {"shared", "hidden"})
               : check.tensor(v, name, {"hidden", "shared"});
      unsigned hiddenDim = down ? 1 : 0;
      if (failed(w) || failed(check.sameElements(*w, *x)))
        return failure();
      for (unsigned d = 0; d < 2; ++d)
        if (failed(check.bind(d == hiddenDim ? hidden : shared, *w, d)))
          return failure();
      return success();
    };
    if (failed(sharedWeight(sharedGate, "shared_gate", /*down=*/false)) ||
        failed(sharedWeight(sharedUp, "shared_up", /*down=*/false)) ||
        failed(sharedWeight(sharedDown, "shared_down", /*down=*/true)))
      return failure();
  }

  if (failed(detail::verifyRoutingOperands(check, getRouting(), numExperts,
                                           tokens, getBias(), "router_weight",
                                           getTokenIds(), getHashTable())))
    return failure();

  FailureOr<NamedTensor> result =
      check.tensor(getResult(), "result", {"tokens", "hidden"});
  if (failed(result) || failed(check.sameElements(*result, *x)) ||
      failed(check.bind(tokens, *result, 0)) ||
      failed(check.bind(hidden, *result, 1)))
    return failure();
  return check.positiveFinite(toDouble(getSwigluLimit()), "swiglu_limit");
}
