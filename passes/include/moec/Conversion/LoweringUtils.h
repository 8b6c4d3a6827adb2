//===- LoweringUtils.h - IR helpers shared by the moe lowerings -*- C++ -*-===//
//
// Small builders used by every op family of --moe-lower-to-linalg. Scalars
// are computed in f32 and indices in `index`; every index read from data goes
// through isInRange or clampIndex before it addresses a tensor.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CONVERSION_MOETOLINALG_LOWERINGUTILS_H
#define MOEC_CONVERSION_MOETOLINALG_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mlir::moe::lowering {

/// Builds a loop or branch body; returns the values to yield.
using LoopBody = function_ref<SmallVector<Value>(
    ImplicitLocOpBuilder &b, Value iv, ValueRange iterArgs)>;
using BranchBody = function_ref<SmallVector<Value>(ImplicitLocOpBuilder &b)>;

/// `scf.for %iv = lower to upper step 1 iter_args(inits)`; returns its
/// results.
SmallVector<Value> buildLoop(ImplicitLocOpBuilder &b, Value lower, Value upper,
                             ValueRange inits, LoopBody body);
/// The same loop from 0.
SmallVector<Value> buildLoop(ImplicitLocOpBuilder &b, Value upper,
                             ValueRange inits, LoopBody body);

/// `scf.if` yielding values of `types`; returns its results.
SmallVector<Value> buildIf(ImplicitLocOpBuilder &b, Value cond, TypeRange types,
                           BranchBody thenBody, BranchBody elseBody);

Value indexConstant(ImplicitLocOpBuilder &b, int64_t value);
Value f32Constant(ImplicitLocOpBuilder &b, double value);
/// `value` as a constant of `type`: a float scalar or a splat float vector.
Value floatConstant(ImplicitLocOpBuilder &b, Type type, double value);
/// A zero of any float or integer type.
Value zeroConstant(ImplicitLocOpBuilder &b, Type type);

/// Size `d` of `tensor` as an index value (a constant when static).
Value dimSize(ImplicitLocOpBuilder &b, Value tensor, int64_t d);

/// f16/bf16 scalars are extended to f32 so that all arithmetic is f32.
Value extendToF32(ImplicitLocOpBuilder &b, Value scalar);
/// The type arithmetic on `elementType` runs in: f64 stays f64, f16, bf16
/// and f32 compute (and accumulate) in f32.
Type computeTypeFor(Type elementType);
/// Widens (extendTo) or rounds (truncateTo) a float scalar to `type`; a
/// no-op when it already has that type.
Value extendTo(ImplicitLocOpBuilder &b, Value scalar, Type type);
Value truncateTo(ImplicitLocOpBuilder &b, Value scalar, Type type);
/// Rounds an f32 scalar to `elementType` (a no-op for f32).
Value truncateFromF32(ImplicitLocOpBuilder &b, Value scalar, Type elementType);

/// An i32/i64 scalar as an index (sign-extended) and back.
Value toIndex(ImplicitLocOpBuilder &b, Value integer);
Value fromIndex(ImplicitLocOpBuilder &b, Value index, Type integerType);

/// `0 <= index < upper`, both index values.
Value isInRange(ImplicitLocOpBuilder &b, Value index, Value upper);
/// `max(lo, min(index, hi))`; callers guarantee `lo <= hi`.
Value clampIndex(ImplicitLocOpBuilder &b, Value index, Value lo, Value hi);

Value isNaN(ImplicitLocOpBuilder &b, Value scalar);
/// NaN becomes -inf, so that a NaN never wins a comparison.
Value nanToNegInf(ImplicitLocOpBuilder &b, Value scalar);

/// `silu(min(g, L)) * clamp(u, -L, L)` on float scalars or vectors (f32, or
/// f64), in the form the reference evaluates; minimumf/maximumf keep NaNs.
Value swigluScalar(ImplicitLocOpBuilder &b, Value gate, Value up,
                   std::optional<double> limit);

/// `tensor.empty` of `sizes` (constant sizes become static dimensions).
Value emptyTensor(ImplicitLocOpBuilder &b, ValueRange sizes, Type elementType);

/// `tensor.empty` of `sizes` filled with `value` by `linalg.fill`.
Value filledTensor(ImplicitLocOpBuilder &b, ValueRange sizes, Value value);
/// A zero-filled f32 tensor, the accumulator of every reduction.
Value zeroF32Tensor(ImplicitLocOpBuilder &b, ValueRange sizes);

/// The inverse of a dispatch permutation: `inv[p]` = the last row `i` with
/// `perm[i] = p`, or -1 when there is none, for `p` in `[0, pairs)`. Rows
/// whose perm lies outside `[0, pairs)` (padding, bad data) are skipped. Used
/// by moe.combine and moe.combine_grad, so that both agree on which row wins.
Value invertPermutation(ImplicitLocOpBuilder &b, Value perm, Value pairs);

/// `tensor.cast` to `type` when the types differ: the lowerings build the
/// most static type they can prove, the op may declare a more dynamic one.
Value castTo(ImplicitLocOpBuilder &b, Value tensor, Type type);

} // namespace mlir::moe::lowering

#endif // MOEC_CONVERSION_MOETOLINALG_LOWERINGUTILS_H
