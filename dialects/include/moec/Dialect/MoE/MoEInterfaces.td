//===- MoEInterfaces.td - moe op interfaces ----------------*- tablegen -*-===//
//
// Included from MoEOps.td before the ops, which implement these interfaces.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_MOEINTERFACES_TD
#define MOEC_DIALECT_MOE_MOEINTERFACES_TD

include "mlir/IR/OpBase.td"

def MoE_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::mlir::moe";
  let description = [{
    An op that can emit its vector-Jacobian product (its adjoint) as other
    ops, so that a gradient pass can walk a forward body backwards and ask
    each op for the cotangents of its operands.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits the adjoint of this op at the insertion point of `b`, which the
        caller places after the op (the adjoint may use the op's operands and
        results). `resultCotangents` holds one cotangent per result, null for
        a result with none. Returns one cotangent per operand, null where the
        operand gets no gradient (or where every result cotangent is null).
        On failure an error has been emitted on the op.
      }],
      "::mlir::FailureOr<::llvm::SmallVector<::mlir::Value>>", "emitAdjoint",
      (ins "::mlir::OpBuilder &":$b,
           "::mlir::ValueRange":$resultCotangents)>
  ];
}

#endif // MOEC_DIALECT_MOE_MOEINTERFACES_TD
