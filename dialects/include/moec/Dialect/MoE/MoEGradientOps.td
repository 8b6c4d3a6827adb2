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

#endif // MOEC_DIALECT_MOE_MOEGRADIENTOPS_TD
