//===- MoELossOps.td - moe training loss ops ----------------*- tablegen -*-===//
//
// Included from MoEOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_MOELOSSOPS_TD
#define MOEC_DIALECT_MOE_MOELOSSOPS_TD

//===----------------------------------------------------------------------===//
// moe.load_balancing_loss
//===----------------------------------------------------------------------===//

def MoE_LoadBalancingLossOp : MoE_Op<"load_balancing_loss", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "Switch/GShard auxiliary load-balancing loss";
  let description = [{
    The auxiliary loss that pushes the router towards an even load, from the
    router logits `[T, E]` and the expert ids `[T, k]` the router chose:

    ```
    p[t, e] = softmax_e(logits[t, :])          (max-subtracted, stable)
    f_e     = #{(t, j) : ids[t, j] = e} / (T * k)
    P_e     = (1 / T) * sum_t p[t, e]
    loss    = alpha * E * sum_e f_e * P_e
    ```

    A perfectly balanced router gives `loss = alpha`. An id outside `[0, E)`
    counts for no expert but still counts in `T * k`, consistently with
    `moe.dispatch`, which drops such pairs. `T = 0` gives NaN (an empty
    mean).

    The result is a rank-0 tensor: f64 for f64 logits, f32 otherwise (f16 and
    bf16 logits are computed in f32). Sums run in a fixed order (tokens, then
    experts), so the value is deterministic.

    Implements `GradientOpInterface`: its adjoint is
    `moe.load_balancing_loss_grad`, the cotangent of `logits` (none for
    `ids`).

    ```mlir
    %aux = moe.load_balancing_loss %logits, %ids alpha = 0.01
        : tensor<?x64xf32>, tensor<?x6xi32> -> tensor<f32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$ids,
                       F64Attr:$alpha);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = [{
    $logits `,` $ids `alpha` `=` $alpha attr-dict `:` type($logits) `,`
    type($ids) `->` type($loss)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.router_z_loss
//===----------------------------------------------------------------------===//

def MoE_RouterZLossOp : MoE_Op<"router_z_loss", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "ST-MoE router z-loss: mean squared logsumexp of the logits";
  let description = [{
    Penalises large router logits `[T, E]`:

    ```
    lse[t] = m[t] + log(sum_e exp(logits[t, e] - m[t])),  m[t] = max_e logits[t, e]
    loss   = (1 / T) * sum_t lse[t]^2
    ```

    Subtracting the row maximum keeps it finite for large logits; a row of
    only `-inf` has `lse = -inf` and gives `+inf`. `T = 0` gives NaN. The
    loss is not scaled: multiply by the z-loss coefficient in the graph.

    The result is a rank-0 tensor: f64 for f64 logits, f32 otherwise. Sums
    run in a fixed order, so the value is deterministic.

    Implements `GradientOpInterface`: its adjoint is `moe.router_z_loss_grad`.

    ```mlir
    %z = moe.router_z_loss %logits : tensor<?x64xf32> -> tensor<f32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$logits);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = [{
    $logits attr-dict `:` type($logits) `->` type($loss)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.load_balancing_loss_grad
//===----------------------------------------------------------------------===//

def MoE_LoadBalancingLossGradOp : MoE_Op<"load_balancing_loss_grad", [Pure]> {
  let summary = "backward of moe.load_balancing_loss";
  let description = [{
    Given the forward operands `logits : [T, E]`, `ids : [T, k]` and `alpha`
    of `moe.load_balancing_loss` and the cotangent `dloss` of its loss,
    returns the cotangent of `logits`. `f_e` counts assignments, a piecewise
    constant function of the logits, so only `P_e` carries gradient:

    ```
    p[t, e]         = softmax_e(logits[t, :])       (as in the forward)
    f_e             = #{(t, j) : ids[t, j] = e} / (T * k)
    d_logits[t, e'] = dloss * alpha * E / T * p[t, e'] * (f_e' - sum_e f_e p[t, e])
    ```

    Ids outside `[0, E)` count for no expert but still count in `T * k`, as
    in the forward. `T = 0` gives an empty `d_logits` (the scale then
    divides by 1, not by zero); `k = 0` gives NaN, the gradient of
    the forward's NaN (an empty mean), and so do rows of only `-inf` or with
    a `+inf` or NaN logit.

    Arithmetic is in f32 (f16 and bf16 logits are extended and the result
    rounded once at the end), or in f64 for f64 logits. Each reduction (the
    row maximum and sum of exponentials, `sum_e f_e p[t, e]` per token, the
    assignment counts) runs in index order, so the result is deterministic.

    - `logits`: f32, f64, f16 or bf16; `ids`: i32 or i64, `k <= E`.
    - `dloss`: a rank-0 tensor of the loss's type (f64 for f64 logits, f32
      otherwise). `d_logits` has exactly the type of `logits`.
    - `alpha`: finite and non-negative, the forward's.

    ```mlir
    %dl = moe.load_balancing_loss_grad %logits, %ids, %daux alpha = 0.01
        : tensor<?x64xbf16>, tensor<?x6xi32>, tensor<f32> -> tensor<?x64xbf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$ids,
                       AnyRankedTensor:$dloss, F64Attr:$alpha);
  let results = (outs AnyRankedTensor:$d_logits);
  let assemblyFormat = [{
    $logits `,` $ids `,` $dloss `alpha` `=` $alpha attr-dict `:`
    type($logits) `,` type($ids) `,` type($dloss) `->` type($d_logits)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.router_z_loss_grad
//===----------------------------------------------------------------------===//

def MoE_RouterZLossGradOp : MoE_Op<"router_z_loss_grad", [Pure]> {
  let summary = "backward of moe.router_z_loss";
  let description = [{
    Given the forward operand `logits : [T, E]` of `moe.router_z_loss` and
    the cotangent `dloss` of its loss, returns the cotangent of `logits`:

    ```
    lse[t]         = logsumexp_e(logits[t, :])      (max-subtracted, as in the forward)
    d_logits[t, e] = dloss * (2 / T) * lse[t] * softmax_e(logits[t, :])[e]
    ```

    `T = 0` gives an empty `d_logits` (the scale then divides by 1, not by
    zero). A row of only `-inf`, or with a `+inf` or NaN logit,
    gets NaN (the forward's loss is infinite or NaN there).

    Arithmetic is in f32 (f16 and bf16 logits are extended and the result
    rounded once at the end), or in f64 for f64 logits; the row maximum and
    sum of exponentials run in index order, so the result is deterministic.

    - `logits`: f32, f64, f16 or bf16.
    - `dloss`: a rank-0 tensor of the loss's type (f64 for f64 logits, f32
      otherwise). `d_logits` has exactly the type of `logits`.

    ```mlir
    %dl = moe.router_z_loss_grad %logits, %dz
        : tensor<?x64xf32>, tensor<f32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$dloss);
  let results = (outs AnyRankedTensor:$d_logits);
  let assemblyFormat = [{
    $logits `,` $dloss attr-dict `:` type($logits) `,` type($dloss) `->`
    type($d_logits)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.mse_loss
//===----------------------------------------------------------------------===//

def MoE_MseLossOp : MoE_Op<"mse_loss", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "mean squared error of a prediction against a target";
  let description = [{
    The regression loss of a training step, over all `N` elements of
    `input` and `target` (ranked tensors of one type, any shape, f32, f64,
    f16 or bf16):

    ```
    loss = (1 / N) * sum_i (input[i] - target[i])^2
    ```

    The result is a rank-0 tensor: f64 for f64 inputs, f32 otherwise (f16
    and bf16 are widened before subtracting). The sum runs in a fixed order,
    so the value is deterministic. `N = 0` gives NaN.

    Implements `GradientOpInterface`: `input` gets `moe.mse_loss_grad`,
    `target` its negation.

    ```mlir
    %l = moe.mse_loss %y, %target : tensor<?x4096xf32>, tensor<?x4096xf32>
        -> tensor<f32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = [{
    $input `,` $target attr-dict `:` type($input) `,` type($target) `->`
    type($loss)
  }];
  let hasVerifier = 1;
}

def MoE_MseLossGradOp : MoE_Op<"mse_loss_grad", [Pure]> {
  let summary = "backward of moe.mse_loss";
  let description = [{
    Given the forward operands `input`, `target` of `moe.mse_loss` and the
    cotangent `dloss` of its loss (rank 0, of the loss's type), returns the
    cotangent of `input`, of `input`'s type:

    ```
    d_input[i] = dloss * 2 * (input[i] - target[i]) / N
    ```

    computed in f32 (f64 for f64) and rounded once.

    ```mlir
    %dy = moe.mse_loss_grad %y, %target, %dloss
        : tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<f32>
        -> tensor<?x4096xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input, AnyRankedTensor:$target, AnyRankedTensor:$dloss);
  let results = (outs AnyRankedTensor:$d_input);
  let assemblyFormat = [{
    $input `,` $target `,` $dloss attr-dict `:` type($input) `,`
    type($target) `,` type($dloss) `->` type($d_input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.bias_update
//===----------------------------------------------------------------------===//

def MoE_BiasUpdateOp : MoE_Op<"bias_update", [Pure]> {
  let summary = "DeepSeek-V3 auxiliary-loss-free update of the routing bias";
  let description = [{
    Returns the selection bias `[E]` of the next step from the expert ids
    `[T, k]` of this one (it has no gradient and runs outside the
    differentiated graph):

    ```
    load[e]   = #{(t, j) : ids[t, j] = e}
    mean_load = T * k / E
    new[e]    = bias[e] + gamma * sign(mean_load - load[e])     (sign(0) = 0)
    ```

    Overloaded experts are pushed down, underloaded ones up. The sign is
    decided exactly in integers (`sign(T * k - E * load[e])`). Ids outside
    `[0, E)` count for no expert but still count in `T * k`. The result has
    the type of `bias`; the update is computed in f32 (f64 for an f64 bias).

    ```mlir
    %b1 = moe.bias_update %b, %ids gamma = 0.001
        : tensor<256xf32>, tensor<?x8xi32> -> tensor<256xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$bias, AnyRankedTensor:$ids,
                       F64Attr:$gamma);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $bias `,` $ids `gamma` `=` $gamma attr-dict `:` type($bias) `,`
    type($ids) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // MOEC_DIALECT_MOE_MOELOSSOPS_TD
