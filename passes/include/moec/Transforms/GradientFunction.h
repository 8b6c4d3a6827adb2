//===- GradientFunction.h - reverse-mode gradients of functions -*- C++ -*-===//
//
// What --moe-grad does, callable on one function: the C++ API and the tests
// build gradient functions without running a pass pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TRANSFORMS_GRADIENTFUNCTION_H
#define MOEC_TRANSFORMS_GRADIENTFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

namespace mlir::moe {

/// Result attribute of a gradient function: the index of the argument of
/// the forward function whose gradient the result is.
inline constexpr StringLiteral kGradientOfAttrName = "moe.gradient_of";

/// Adds `@<forward>_grad(inputs..., %dy) -> (y, d_input...)` next to
/// `forward`, which must have one block and one ranked-tensor result. Its
/// body is the forward body with `moe.layer` decomposed, followed by the
/// adjoint of every op in reverse order (GradientOpInterface for moe ops,
/// built-in rules for the upstream ops the decomposition uses). There is one
/// gradient result per argument that receives a cotangent, in argument order
/// and each tagged with `moe.gradient_of`; arguments with none (the routing
/// bias, token ids, the hash table) get no result. On failure an error has
/// been emitted and nothing is added.
FailureOr<func::FuncOp> buildGradientFunction(func::FuncOp forward);

} // namespace mlir::moe

#endif // MOEC_TRANSFORMS_GRADIENTFUNCTION_H
