//===- MoEGradientOps.td - moe backward ops ----------------*- tablegen -*-===//
//
// Included from MoEOps.td: the vector-Jacobian products of the forward ops.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_MOEGRADIENTOPS_TD
#define MOEC_DIALECT_MOE_MOEGRADIENTOPS_TD

//===----------------------------------------------------------------------===//
// moe.swiglu_grad
//===----------------------------------------------------------------------===//

def MoE_SwigluGradOp : MoE_Op<"swiglu_grad", [Pure]> {
  let summary = "backward of the two-operand moe.swiglu";
  let description = [{
    Given the forward inputs `gate`, `up` of `h = silu(gate) * up` and the
    cotangent `dh` of `h`, returns the cotangents of `gate` and `up`,
    elementwise (`silu(a) = a * sigmoid(a)`):

    ```
    silu'(a) = sigmoid(a) * (1 + a * (1 - sigmoid(a)))
    dgate    = dh * up * silu'(gate)
    dup      = dh * silu(gate)
    ```

    With `limit L`, the forward is `silu(min(gate, L)) * clamp(up, -L, L)`:
    the formulas use the clamped `gate` and `up`, and a gradient is zero
    where its clamp is active, that is `dgate = 0` where `gate > L` and
    `dup = 0` where `|up| > L`. At exactly `gate == L` (or `|up| == L`) the
    gradient passes as if unclamped, the one-sided derivative from inside
    the range (PyTorch's convention for `clamp`). NaN inputs give NaN
    gradients.

    - `gate`, `up`, `dh` and the two results: ranked tensors of one type
      (any shape, f32, f64, f16 or bf16). f16 and bf16 are computed in f32
      and rounded once at the end; f64 is computed in f64.
    - `limit`: optional, finite and positive, as in `moe.swiglu`.

    ```mlir
    %dg, %du = moe.swiglu_grad %g, %u, %dh limit = 10.0
        : (tensor<?x2048xbf16>, tensor<?x2048xbf16>, tensor<?x2048xbf16>)
        -> (tensor<?x2048xbf16>, tensor<?x2048xbf16>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$gate,
    AnyRankedTensor:$up,
    AnyRankedTensor:$dh,
    OptionalAttr<F64Attr>:$limit
  );
  let results = (outs AnyRankedTensor:$dgate, AnyRankedTensor:$dup);
  let assemblyFormat = [{
    $gate `,` $up `,` $dh (`limit` `=` $limit^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.combine_grad
//===----------------------------------------------------------------------===//

def MoE_CombineGradOp : MoE_Op<"combine_grad", [Pure]> {
  let summary = "backward of moe.combine";
  let description = [{
    Given the forward operands `expert_out : [R, H]`, `perm : [R]`,
    `weights : [T, k]` of `y = moe.combine expert_out, perm, weights` and the
    cotangent `dy : [T, H]` of `y`, returns the cotangents of `expert_out`
    and `weights` (`perm` has none):

    ```
    d_expert_out[i] = weights[t, j] * dy[t]            (i the row of pair (t, j))
    d_weights[t, j] = sum_h expert_out[i, h] * dy[t, h]
    ```

    The row of pair `(t, j)` is the one the forward used: the last row `i`
    with `perm[i] = t*k + j`. Rows that contribute nothing to the forward
    (padding, a perm outside `[0, T*k)`, a row overridden by a later row
    naming the same pair) get a zero `d_expert_out`; a pair with no row (a
    dropped pair) gets `d_weights = 0`.

    Each output element is computed by one loop in a fixed order (the dot
    product over `h = 0 .. H-1`): deterministic, no atomics. Arithmetic is
    in f32 (f16 and bf16 are extended and rounded once at the end), or in
    f64 when the operands are f64.

    - `expert_out`, `weights`: f32, f64, f16 or bf16; f64 for both or
      neither. `perm`: i32 or i64. `dy`: `expert_out`'s element type.
    - `d_expert_out` and `d_weights` have exactly the types of `expert_out`
      and `weights`.

    ```mlir
    %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
        : (tensor<?x2048xbf16>, tensor<?xi32>, tensor<?x6xf32>,
           tensor<?x2048xbf16>) -> (tensor<?x2048xbf16>, tensor<?x6xf32>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$expert_out,
    AnyRankedTensor:$perm,
    AnyRankedTensor:$weights,
    AnyRankedTensor:$dy
  );
  let results = (outs AnyRankedTensor:$d_expert_out,
                      AnyRankedTensor:$d_weights);
  let assemblyFormat = [{
    $expert_out `,` $perm `,` $weights `,` $dy attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.grouped_matmul_wgrad
//===----------------------------------------------------------------------===//

def MoE_GroupedMatmulWgradOp : MoE_Op<"grouped_matmul_wgrad", [Pure]> {
  let summary = "weight gradient of moe.grouped_matmul";
  let description = [{
    Given the forward operands `input : [R, K]` and `offsets : [E + 1]` of
    `y = moe.grouped_matmul input, weight, offsets` and the cotangent
    `dy : [R, N]` of `y`, returns the cotangent of `weight`:

    ```
    d_weight[e] = input[lo_e : hi_e]^T @ dy[lo_e : hi_e]       ([K, N])
    ```

    where `[lo_e, hi_e)` are expert `e`'s rows, clamped to `[0, R]` as in the
    forward (`lo = clamp(offsets[e], 0, R)`, `hi = clamp(offsets[e+1], lo,
    R)`). An expert with no rows gets a zero gradient; rows in no group
    contribute nothing.

    Each element is one sum over the group's rows in ascending order,
    computed by one thread (work is split only along the elements of
    `d_weight`): results are bit-identical for any thread count. The sum is
    in f32 (f16 and bf16 are extended and rounded once at the end), or in
    f64 when the operands are f64.

    - `input`, `dy`: one element type, f32, f64, f16 or bf16; the same
      number of rows.
    - `offsets`: i32 or i64.
    - `d_weight`: static `[E, K, N]` with the operands' element type: `E`
      is the offsets' size minus one, `K` and `N` the columns of `input`
      and `dy` (these may be dynamic in the operand types; `d_weight` fixes
      them).

    ```mlir
    %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
        : tensor<?x2048xbf16>, tensor<?x1408xbf16>, tensor<65xi32>
        -> tensor<64x2048x1408xbf16>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input, AnyRankedTensor:$dy, AnyRankedTensor:$offsets);
  let results = (outs AnyRankedTensor:$d_weight);
  let assemblyFormat = [{
    $input `,` $dy `,` $offsets attr-dict `:` type($input) `,` type($dy) `,`
    type($offsets) `->` type($d_weight)
  }];
  let hasVerifier = 1;
}

#endif // MOEC_DIALECT_MOE_MOEGRADIENTOPS_TD
