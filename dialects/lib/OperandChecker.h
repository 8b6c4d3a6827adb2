//===- OperandChecker.h - named shape checks for verifiers ------*- C++ -*-===//
//
// Verifier helpers whose diagnostics name the operand, the dimension and the
// values involved, e.g.
//   expected w_gate dim 1 (hidden) to be 2048 to match x, got 1024
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_LIB_OPERANDCHECKER_H
#define MOEC_DIALECT_MOE_LIB_OPERANDCHECKER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <initializer_list>
#include <string>

namespace mlir::moe::detail {

/// A tensor operand or result together with the names used in diagnostics.
struct NamedTensor {
  RankedTensorType type;
  StringRef name;
  SmallVector<StringRef, 4> dimNames;

  int64_t dim(unsigned d) const { return type.getDimSize(d); }
  Type elementType() const { return type.getElementType(); }
};

/// A size several operands share (tokens, hidden, ...). The first static
/// dimension bound to it fixes its value and names its source; every later
/// one must agree, so a dynamic first operand does not hide a mismatch
/// between the others.
struct SharedDim {
  int64_t size = ShapedType::kDynamic;
  std::string source;
};

class OperandChecker {
public:
  explicit OperandChecker(Operation *op) : op(op) {}

  /// Checks that `value` is a ranked tensor with one dimension per entry of
  /// `dimNames`.
  FailureOr<NamedTensor> tensor(Value value, StringRef name,
                                std::initializer_list<StringRef> dimNames);

  /// Element type is f32, f64, f16 or bf16 (f64 so that whole layers and
  /// their gradients can be checked against finite differences).
  LogicalResult floatElements(const NamedTensor &t);
  /// Element type is i32 or i64.
  LogicalResult indexElements(const NamedTensor &t);
  /// Element type equals that of `ref`.
  LogicalResult sameElements(const NamedTensor &t, const NamedTensor &ref);

  /// Dimension `d` equals `expected` unless either is dynamic; `because`
  /// names what `expected` comes from ("x", "routing k", ...).
  LogicalResult dimEquals(const NamedTensor &t, unsigned d, int64_t expected,
                          const Twine &because);
  /// Dimension `d` of `t` equals dimension `refDim` of `ref`.
  LogicalResult dimMatches(const NamedTensor &t, unsigned d,
                           const NamedTensor &ref, unsigned refDim);
  /// Dimension `d` of `t` agrees with `shared`, and fixes it if it was not
  /// known yet.
  LogicalResult bind(SharedDim &shared, const NamedTensor &t, unsigned d);
  /// Dimension `d` is static.
  LogicalResult staticDim(const NamedTensor &t, unsigned d);

  /// Checks an optional scalar attribute that must be finite and positive.
  LogicalResult positiveFinite(std::optional<double> value, StringRef name);

  InFlightDiagnostic error() { return op->emitOpError(); }

private:
  Operation *op;
};

/// Checks the router operands shared by moe.router and moe.layer: the
/// selection bias and the hash routing table.
LogicalResult verifyRoutingOperands(OperandChecker &check, Attribute routing,
                                    int64_t numExperts, SharedDim &tokens,
                                    Value bias, StringRef expertsFrom,
                                    Value tokenIds, Value hashTable);

/// moe.combine's operand checks, shared with moe.combine_grad:
/// `expertOut` [rows, hidden], `perm` [rows] of indices, `weights`
/// [tokens, k], and `tokensByHidden` [tokens, hidden] with expert_out's
/// element type (the result, or dy).
LogicalResult verifyCombineOperands(OperandChecker &check, Value expertOut,
                                    Value perm, Value weights,
                                    Value tokensByHidden,
                                    StringRef tokensByHiddenName);

} // namespace mlir::moe::detail

#endif // MOEC_DIALECT_MOE_LIB_OPERANDCHECKER_H
