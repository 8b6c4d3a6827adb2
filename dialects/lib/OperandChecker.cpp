//===- OperandChecker.cpp - named shape checks for verifiers ----*- C++ -*-===//

#include "OperandChecker.h"

#include "moec/Dialect/MoE/MoEAttrs.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::moe;
using namespace mlir::moe::detail;

static std::string formatDimNames(ArrayRef<StringRef> names) {
  return "[" + llvm::join(names, ", ") + "]";
}

FailureOr<NamedTensor>
OperandChecker::tensor(Value value, StringRef name,
                       std::initializer_list<StringRef> dimNames) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  int64_t rank = dimNames.size();
  if (!type || type.getRank() != rank) {
    SmallVector<StringRef, 4> names(dimNames);
    return op->emitOpError()
           << "expected " << name << " to be a rank-" << rank << " tensor "
           << formatDimNames(names) << ", got " << value.getType();
  }
  return NamedTensor{type, name, SmallVector<StringRef, 4>(dimNames)};
}

LogicalResult OperandChecker::floatElements(const NamedTensor &t) {
  Type e = t.elementType();
  if (e.isF32() || e.isF64() || e.isF16() || e.isBF16())
    return success();
  return op->emitOpError() << "expected " << t.name
                           << " element type to be f32, f64, f16 or bf16, got "
                           << e;
}

LogicalResult OperandChecker::indexElements(const NamedTensor &t) {
  Type e = t.elementType();
  if (e.isSignlessInteger(32) || e.isSignlessInteger(64))
    return success();
  return op->emitOpError() << "expected " << t.name
                           << " element type to be i32 or i64, got " << e;
}

LogicalResult OperandChecker::sameElements(const NamedTensor &t,
                                           const NamedTensor &ref) {
  if (t.elementType() == ref.elementType())
    return success();
  return op->emitOpError() << "expected " << t.name << " element type to be "
                           << ref.elementType() << " to match " << ref.name
                           << ", got " << t.elementType();
}

LogicalResult OperandChecker::dimEquals(const NamedTensor &t, unsigned d,
                                        int64_t expected,
                                        const Twine &because) {
  int64_t actual = t.dim(d);
  if (ShapedType::isDynamic(actual) || ShapedType::isDynamic(expected) ||
      actual == expected)
    return success();
  return op->emitOpError() << "expected " << t.name << " dim " << d << " ("
                           << t.dimNames[d] << ") to be " << expected
                           << " to match " << because << ", got " << actual;
}

LogicalResult OperandChecker::dimMatches(const NamedTensor &t, unsigned d,
                                         const NamedTensor &ref,
                                         unsigned refDim) {
  return dimEquals(t, d, ref.dim(refDim), ref.name);
}

LogicalResult OperandChecker::bind(SharedDim &shared, const NamedTensor &t,
                                   unsigned d) {
  if (failed(dimEquals(t, d, shared.size, shared.source)))
    return failure();
  if (ShapedType::isDynamic(shared.size) && !ShapedType::isDynamic(t.dim(d))) {
    shared.size = t.dim(d);
    shared.source = t.name.str();
  }
  return success();
}

LogicalResult OperandChecker::staticDim(const NamedTensor &t, unsigned d) {
  if (!ShapedType::isDynamic(t.dim(d)))
    return success();
  return op->emitOpError() << "expected " << t.name << " dim " << d << " ("
                           << t.dimNames[d] << ") to be static";
}

LogicalResult OperandChecker::positiveFinite(std::optional<double> value,
                                             StringRef name) {
  if (!value || (std::isfinite(*value) && *value > 0.0))
    return success();
  return op->emitOpError() << "expected " << name
                           << " to be finite and positive, got " << *value;
}

LogicalResult
moe::detail::verifyRoutingOperands(OperandChecker &check, Attribute routingAttr,
                                   int64_t numExperts, SharedDim &tokens,
                                   Value bias, StringRef expertsFrom,
                                   Value tokenIds, Value hashTable) {
  auto routing = cast<RoutingAttr>(routingAttr);
  if (failed(
          routing.verifyForExperts(numExperts, [&] { return check.error(); })))
    return failure();

  if (bias) {
    FailureOr<NamedTensor> b = check.tensor(bias, "bias", {"experts"});
    if (failed(b) || failed(check.floatElements(*b)) ||
        failed(check.dimEquals(*b, 0, numExperts, expertsFrom)))
      return failure();
  }

  if (!tokenIds && !hashTable)
    return success();
  if (!tokenIds || !hashTable)
    return check.error() << "hash routing needs both token_ids and hash_table";
  if (bias)
    return check.error() << "hash routing takes its expert ids from "
                            "hash_table; a selection bias has no effect there";
  if (routing.getNGroup() != 1)
    return check.error() << "hash routing takes its expert ids from "
                            "hash_table; expected routing n_group = 1, got "
                         << routing.getNGroup();
  FailureOr<NamedTensor> ids = check.tensor(tokenIds, "token_ids", {"tokens"});
  if (failed(ids) || failed(check.indexElements(*ids)) ||
      failed(check.bind(tokens, *ids, 0)))
    return failure();
  FailureOr<NamedTensor> table =
      check.tensor(hashTable, "hash_table", {"vocab", "k"});
  if (failed(table) || failed(check.indexElements(*table)) ||
      failed(check.dimEquals(*table, 1, routing.getK(), "routing k")))
    return failure();
  return success();
}
