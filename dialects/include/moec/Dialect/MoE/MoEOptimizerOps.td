//===- MoEOptimizerOps.td - moe training optimizer ops ----------------*- tablegen -*-===//
//
// Included from MoEOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_MOEOPTIMIZEROPS_TD
#define MOEC_DIALECT_MOE_MOEOPTIMIZEROPS_TD

//===----------------------------------------------------------------------===//
// moe.adamw
//===----------------------------------------------------------------------===//

def MoE_AdamWOp : MoE_Op<"adamw", [Pure]> {
  let summary = "fused AdamW update of a parameter and its two moments";
  let description = [{
    One AdamW step (decoupled weight decay) for every element, in one pass
    over `param`, `grad` and the moments `m` and `v`. With `t = step`
    (counted from 1), `b1 = beta1`, `b2 = beta2`:

    ```
    new_m     = b1 * m + (1 - b1) * grad
    new_v     = b2 * v + (1 - b2) * grad^2
    mh        = new_m / (1 - b1^t)
    vh        = new_v / (1 - b2^t)
    new_param = param - lr * (mh / (sqrt(vh) + eps) + weight_decay * param)
    ```

    The weight decay multiplies the old `param`, as in PyTorch's `AdamW`.

    The op has value semantics; its lowering computes the three results in
    the tensors of `param`, `m` and `v` (destination-passing style), so
    that a function returning them tied to its arguments (`moe.in_place`,
    docs/training-design.md "In place") updates the caller's buffers in
    place with no copy. Elsewhere bufferisation copies what may not be
    overwritten.

    - `param`, `grad`, `m`, `v` and the three results: ranked tensors of one
      type (any shape, f32, f64, f16 or bf16). f16 and bf16 are computed in
      f32 and rounded once at the end; f64 is computed in f64.
    - `step`: a rank-0 `i32` or `i64` tensor, so that one compiled function
      serves every step. The bias corrections `1 - b^t` are computed once
      from it; `step` must be >= 1 at run time (`step = 0` divides by zero).
    - `lr` is required; `beta1` (0.9), `beta2` (0.999), `eps` (1e-8) and
      `weight_decay` (0.01) default to PyTorch's values and are printed only
      when they differ from them.

    ```mlir
    %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
        weight_decay = 0.1
        : (tensor<1024x512xf32>, tensor<1024x512xf32>, tensor<1024x512xf32>,
           tensor<1024x512xf32>, tensor<i64>)
        -> (tensor<1024x512xf32>, tensor<1024x512xf32>, tensor<1024x512xf32>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$param,
    AnyRankedTensor:$grad,
    AnyRankedTensor:$m,
    AnyRankedTensor:$v,
    AnyRankedTensor:$step,
    F64Attr:$lr,
    DefaultValuedAttr<F64Attr, "0.9">:$beta1,
    DefaultValuedAttr<F64Attr, "0.999">:$beta2,
    DefaultValuedAttr<F64Attr, "1e-8">:$eps,
    DefaultValuedAttr<F64Attr, "0.01">:$weight_decay
  );
  let results = (outs
    AnyRankedTensor:$new_param,
    AnyRankedTensor:$new_m,
    AnyRankedTensor:$new_v
  );
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `step` $step `lr` `=` $lr
    (`beta1` `=` $beta1^)? (`beta2` `=` $beta2^)? (`eps` `=` $eps^)?
    (`weight_decay` `=` $weight_decay^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // MOEC_DIALECT_MOE_MOEOPTIMIZEROPS_TD
