//===- MoERouterGradOps.td - backward of the router --------*- tablegen -*-===//
//
// Included from MoEOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_MOEROUTERGRADOPS_TD
#define MOEC_DIALECT_MOE_MOEROUTERGRADOPS_TD

//===----------------------------------------------------------------------===//
// moe.router_grad
//===----------------------------------------------------------------------===//

def MoE_RouterGradOp : MoE_Op<"router_grad", [Pure]> {
  let summary = "backward of moe.router: logits' cotangent from d_weights";
  let description = [{
    The vector-Jacobian product of `moe.router`'s `weights` with respect to
    `logits`, with the forward's selected `ids` held fixed: top-k, the group
    limit and hash routing are piecewise constant, so only the selected
    entries carry gradient and `bias` (which steers selection only) gets
    none. Per token, with `s` the scores (`softmax`, `sigmoid` or
    `sqrt(softplus)` of the logits, exactly as the forward computes them),
    `rho = routed_scaling_factor` and `J` the slots `j` whose id lies in
    `[0, E)`:

    ```
    g[j]  = rho * d_weights[t, j]                          (j in J)
    with norm_topk_prob:
      D     = sum_{j in J} s[ids[j]]   (+ 1e-20 unless softmax)
      beta  = sum_{j in J} (s[ids[j]] / D) * g[j]
      ds[j] = (g[j] - beta) / D
    without:
      ds[j] = g[j]
    dS[e] = sum_{j in J, ids[j] = e} ds[j]      (repeated ids accumulate)

    softmax:      d_logits[e] = p[e] * (dS[e] - sum_{j in J} s[ids[j]] ds[j])
    sigmoid:      d_logits[e] = dS[e] * s[e] * (1 - s[e])
    sqrtsoftplus: d_logits[e] = dS[e] * sigmoid(l[e]) / (2 s[e])  (0 where s = 0)
    ```

    A slot whose id lies outside `[0, E)` (a hash-table miss) has the
    constant weight 0 in the forward: its `d_weights` is ignored. A token
    with a NaN logit has NaN weights in the forward and gets a NaN row here.

    Every reduction runs in a fixed order (experts, then slots `j = 0 ..
    k-1`), so the result is deterministic. Arithmetic is in f32 (f16 and
    bf16 are extended and rounded once at the end), or in f64 for f64
    logits.

    - `logits : [T, E]`: f32, f64, f16 or bf16, `E` static.
    - `bias : [E]` (optional): as in `moe.router`; it does not change the
      result, and is accepted so that the op mirrors its forward.
    - `ids : [T, k]`, i32 or i64: the forward's ids.
    - `d_weights : [T, k]`: the cotangent of the forward's weights, with
      their element type (that of `logits`).
    - `routing`: the forward's `#moe.routing`.
    - `d_logits` has exactly the type of `logits`.

    ```mlir
    %d_logits = moe.router_grad %logits bias %b ids %ids d_weights %dw
        routing <k = 8, scoring = sigmoid, n_group = 8, topk_group = 4,
                 norm_topk_prob = true, routed_scaling_factor = 2.5>
        : (tensor<?x256xf32>, tensor<256xf32>, tensor<?x8xi32>,
           tensor<?x8xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$logits,
    Optional<AnyRankedTensor>:$bias,
    AnyRankedTensor:$ids,
    AnyRankedTensor:$d_weights,
    MoE_RoutingAttr:$routing
  );
  let results = (outs AnyRankedTensor:$d_logits);
  let assemblyFormat = [{
    $logits (`bias` $bias^)? `ids` $ids `d_weights` $d_weights
    `routing` $routing attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // MOEC_DIALECT_MOE_MOEROUTERGRADOPS_TD
