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

def MoE_LoadBalancingLossOp : MoE_Op<"load_balancing_loss", [Pure]> {
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

def MoE_RouterZLossOp : MoE_Op<"router_z_loss", [Pure]> {
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
