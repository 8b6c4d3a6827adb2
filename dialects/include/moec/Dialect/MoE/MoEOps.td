//===- MoEOps.td - moe dialect operations ------------------*- tablegen -*-===//

#ifndef MOEC_DIALECT_MOE_MOEOPS_TD
#define MOEC_DIALECT_MOE_MOEOPS_TD

include "moec/Dialect/MoE/MoEAttrs.td"
include "moec/Dialect/MoE/MoEInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Operand types are checked in the C++ verifiers rather than by ODS type
// constraints, so that every diagnostic can name the operand, the dimension
// and the values involved.

//===----------------------------------------------------------------------===//
// moe.router
//===----------------------------------------------------------------------===//

def MoE_RouterOp : MoE_Op<"router", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "score experts from router logits and pick k per token";
  let description = [{
    Turns router logits `[T, E]` into per-token expert weights `[T, k]` and
    expert ids `[T, k]`, following the `#moe.routing` attribute (softmax,
    sigmoid or sqrt-softplus scoring; optional group limit; optional
    renormalisation and scaling).

    - `bias` (`[E]`, optional): the selection bias of DeepSeek-V3/V4
      (`e_score_correction_bias`). It changes which experts are chosen, never
      the weights.
    - `hash(token_ids, table)` (optional): hash routing of DeepSeek-V4's first
      layers. `ids[t] = table[token_ids[t]]` (`token_ids : [T]`,
      `table : [vocab, k]`, integers) instead of a top-k; the weights are the
      scores at those ids, renormalised and scaled as usual. A token id
      outside `[0, vocab)` or a table entry outside `[0, E)` gives that slot
      id `-1` and weight 0, and renormalisation runs over the other slots;
      it is never an out-of-bounds access.

    Ids are sorted by descending selection score; ties go to the lower id.
    NaN selection scores count as `-inf`, so the ids are always `k` distinct
    experts in `[0, E)`; a token with a NaN logit gets NaN weights.
    Scores are computed and normalised in f32 (in f64 for f64 logits);
    `weights` has the element type of `logits`. The exact CPU numerics are
    in `docs/cpu-numerics.md`.

    Implements `GradientOpInterface`: the cotangent of `weights` gives the
    logits' cotangent through `moe.router_grad` (the ids held fixed); the
    ids, the bias and the hash operands get none.

    Example (DeepSeek-V3):

    ```mlir
    %w, %ids = moe.router %logits bias %b routing <k = 8, scoring = sigmoid,
        n_group = 8, topk_group = 4, norm_topk_prob = true,
        routed_scaling_factor = 2.5>
        : (tensor<?x256xf32>, tensor<256xf32>)
        -> (tensor<?x8xf32>, tensor<?x8xi32>)
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$logits,
    Optional<AnyRankedTensor>:$bias,
    Optional<AnyRankedTensor>:$token_ids,
    Optional<AnyRankedTensor>:$hash_table,
    MoE_RoutingAttr:$routing
  );
  let results = (outs AnyRankedTensor:$weights, AnyRankedTensor:$ids);
  let assemblyFormat = [{
    $logits (`bias` $bias^)? (`hash` `(` $token_ids^ `,` $hash_table `)`)?
    `routing` $routing attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    int64_t getNumExperts();
    bool isHashRouting() { return getTokenIds() != nullptr; }
  }];
}

//===----------------------------------------------------------------------===//
// moe.dispatch
//===----------------------------------------------------------------------===//

def MoE_DispatchOp : MoE_Op<"dispatch", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "sort (token, slot) pairs by expert and gather their rows";
  let description = [{
    Given tokens `x : [T, H]` and their expert ids `ids : [T, k]`, sorts the
    `T*k` pairs `(t, j)` by expert (stably: by `t*k + j` within an expert) and
    returns:

    - `xs : [R, H]`: the token rows in that order, `xs[i] = x[perm[i] / k]`;
    - `perm : [R]`: the pair index `t*k + j` of row `i`, or `-1` for a
      padding row;
    - `offsets : [E + 1]`: rows of expert `e` are `offsets[e] ..
      offsets[e+1]`; `offsets[0] = 0`, `offsets[E] <= R`.

    A pair whose id lies outside `[0, E)` goes to no expert: it takes a
    padding row after all the groups (`perm = -1`, a zero row), so
    `offsets[E]` counts only the rows of the groups.

    Without padding `R = T*k`. With `block B`, each expert's group is padded
    with zero rows up to a multiple of `B` (the tile height of the grouped
    GEMM that follows), so `R` is data dependent. With `capacity C`, every
    expert gets exactly `C` rows: groups are padded with zero rows or cut
    (the pairs beyond the first `C` of an expert are dropped and contribute
    nothing to `moe.combine`), so `R = E*C`; pairs with an invalid id are
    dropped too.

    Experts that get no token have an empty group; that is not an error.

    Adjoint: `x` gets the cotangent of `xs` summed back onto each token over
    its slots `j = 0 .. k-1` in order, that is `moe.combine` of it with unit
    weights (padding and dropped pairs contribute nothing); `ids` gets none.

    ```mlir
    %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 64
        : tensor<?x2048xf32>, tensor<?x6xi32>
        -> tensor<?x2048xf32>, tensor<?xi32>, tensor<65xi32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$x,
    AnyRankedTensor:$ids,
    ConfinedAttr<I64Attr, [IntPositive]>:$num_experts,
    OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$block,
    OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$capacity
  );
  let results = (outs
    AnyRankedTensor:$xs, AnyRankedTensor:$perm, AnyRankedTensor:$offsets);
  let assemblyFormat = [{
    $x `,` $ids `experts` `=` $num_experts (`block` `=` $block^)?
    (`capacity` `=` $capacity^)? attr-dict `:` type($x) `,` type($ids) `->`
    type($xs) `,` type($perm) `,` type($offsets)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// moe.grouped_matmul
//===----------------------------------------------------------------------===//

def MoE_GroupedMatmulOp : MoE_Op<"grouped_matmul", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "one GEMM per expert over contiguous row groups";
  let description = [{
    `result[i] = input[i] @ weight[e]` for every row `i` in
    `offsets[e] .. offsets[e+1]` (`input : [R, K]`, `weight : [E, K, N]`,
    `offsets : [E + 1]`, `result : [R, N]`). Group sizes are data dependent;
    `K`, `N` and `E` are static. Accumulation is in f32 (f64 for f64).

    The offsets are non-decreasing with `offsets[0] = 0` and
    `offsets[E] <= R`, as `moe.dispatch` produces them; rows in no group are
    zero. Lowerings clamp them to `[0, R]`, so bad offsets give wrong rows,
    never out-of-bounds accesses.

    A single expert (`E = 1`) canonicalises to `linalg.matmul`.

    Implements `GradientOpInterface`: `d_input` is a `moe.grouped_matmul` of
    the cotangent with the weight transposed to `[E, N, K]`
    (`linalg.transpose`), `d_weight` is `moe.grouped_matmul_wgrad`; the
    offsets get none.

    ```mlir
    %y = moe.grouped_matmul %xs, %w_gate, %offsets
        : tensor<?x2048xf32>, tensor<64x2048x1408xf32>, tensor<65xi32>
        -> tensor<?x1408xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input, AnyRankedTensor:$weight, AnyRankedTensor:$offsets);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $offsets attr-dict `:` type($input) `,`
    type($weight) `,` type($offsets) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// moe.swiglu
//===----------------------------------------------------------------------===//

def MoE_SwigluOp : MoE_Op<"swiglu", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "SwiGLU activation: silu(gate) * up, optionally clamped";
  let description = [{
    `result = silu(gate) * up` elementwise, `silu(a) = a * sigmoid(a)`.

    Two forms:
    - `moe.swiglu %gate, %up`: two tensors of the same shape;
    - `moe.swiglu %gate_up`: one tensor whose last dimension is `2*I`, gate in
      the first half and up in the second (a fused gate/up projection); the
      result's last dimension is `I`.

    With `limit L` (DeepSeek-V4's `swiglu_limit`), the inputs are clamped
    first: `silu(min(gate, L)) * clamp(up, -L, L)`. Computed in f32.

    The two-operand form implements `GradientOpInterface`: its adjoint is
    `moe.swiglu_grad`. The fused form has no adjoint yet.

    ```mlir
    %h = moe.swiglu %g, %u limit = 10.0
        : tensor<?x2048xbf16>, tensor<?x2048xbf16> -> tensor<?x2048xbf16>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$gate,
    Optional<AnyRankedTensor>:$up,
    OptionalAttr<F64Attr>:$limit
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $gate (`,` $up^)? (`limit` `=` $limit^)? attr-dict `:` type($gate)
    (`,` type($up)^)? `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    bool isFused() { return getUp() == nullptr; }
  }];
}

//===----------------------------------------------------------------------===//
// moe.combine
//===----------------------------------------------------------------------===//

def MoE_CombineOp : MoE_Op<"combine", [Pure,
    DeclareOpInterfaceMethods<MoE_GradientOpInterface>]> {
  let summary = "unpermute expert outputs and sum them weighted per token";
  let description = [{
    `result[t] = sum_j weights[t, j] * expert_out[i]` over the rows `i` with
    `perm[i] = t*k + j` (`expert_out : [R, H]`, `perm : [R]` as produced by
    `moe.dispatch`, `weights : [T, k]`, `result : [T, H]`). Rows whose
    `perm[i]` lies outside `[0, T*k)` (padding: `-1`) are ignored, and so are
    slots whose pair was dropped by a capacity: they contribute zero. If two
    rows name the same pair, the later row wins.

    The sum is deterministic: each token gathers its k rows and reduces them
    in slot order `j = 0 .. k-1`, in f32; there are no atomics.

    Implements `GradientOpInterface`: its adjoint is `moe.combine_grad`,
    giving the cotangents of `expert_out` and `weights` (none for `perm`).

    ```mlir
    %y = moe.combine %ys, %perm, %w
        : tensor<?x2048xf32>, tensor<?xi32>, tensor<?x6xf32>
        -> tensor<?x2048xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$expert_out, AnyRankedTensor:$perm,
    AnyRankedTensor:$weights);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $expert_out `,` $perm `,` $weights attr-dict `:` type($expert_out) `,`
    type($perm) `,` type($weights) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// moe.layer
//===----------------------------------------------------------------------===//

def MoE_LayerOp : MoE_Op<"layer", [Pure, AttrSizedOperandSegments]> {
  let summary = "a whole MoE layer: router, routed experts, shared experts";
  let description = [{
    `result[t] = sum_j w[t,j] * ffn_{ids[t,j]}(x[t]) + shared(x[t])`, where
    `w, ids` come from `moe.router` on `x @ router_weight`,
    `ffn_e(x) = swiglu(x @ w_gate[e], x @ w_up[e]) @ w_down[e]` and `shared` is
    a dense SwiGLU FFN of width `S` (absent unless `shared(...)` is given).

    | operand | shape |
    | --- | --- |
    | `x` | `[T, H]` |
    | `router_weight` | `[H, E]` |
    | `w_gate`, `w_up` | `[E, H, I]` |
    | `w_down` | `[E, I, H]` |
    | `shared_gate`, `shared_up` (optional) | `[H, S]` |
    | `shared_down` (optional) | `[S, H]` |
    | `bias` (optional) | `[E]` selection bias |
    | `hash(token_ids, table)` (optional) | `[T]`, `[vocab, k]` |

    `x`, the expert weights, the shared weights and the result share one
    element type; the router weight and bias may use another (routers are
    often kept in f32). `swiglu_limit` clamps the SwiGLU inputs of routed and
    shared experts alike.

    `--moe-decompose-layer` rewrites it into `linalg.matmul` (router logits,
    shared expert), `moe.router`, `moe.dispatch`, `moe.grouped_matmul`,
    `moe.swiglu` and `moe.combine`.

    ```mlir
    %y = moe.layer %x router %rw experts %wg, %wu, %wd
        shared %sg, %su, %sd routing <k = 6, routed_scaling_factor = 1.0>
        : (tensor<?x2048xf32>, tensor<2048x64xf32>, tensor<64x2048x1408xf32>,
           tensor<64x2048x1408xf32>, tensor<64x1408x2048xf32>,
           tensor<2048x2816xf32>, tensor<2048x2816xf32>,
           tensor<2816x2048xf32>) -> tensor<?x2048xf32>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$x,
    AnyRankedTensor:$router_weight,
    AnyRankedTensor:$w_gate,
    AnyRankedTensor:$w_up,
    AnyRankedTensor:$w_down,
    Optional<AnyRankedTensor>:$shared_gate,
    Optional<AnyRankedTensor>:$shared_up,
    Optional<AnyRankedTensor>:$shared_down,
    Optional<AnyRankedTensor>:$bias,
    Optional<AnyRankedTensor>:$token_ids,
    Optional<AnyRankedTensor>:$hash_table,
    MoE_RoutingAttr:$routing,
    OptionalAttr<F64Attr>:$swiglu_limit
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $x `router` $router_weight (`bias` $bias^)?
    (`hash` `(` $token_ids^ `,` $hash_table `)`)?
    `experts` $w_gate `,` $w_up `,` $w_down
    (`shared` $shared_gate^ `,` $shared_up `,` $shared_down)?
    `routing` $routing (`swiglu_limit` `=` $swiglu_limit^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    int64_t getNumExperts();
    bool hasSharedExperts() { return getSharedGate() != nullptr; }
  }];
}

// Training: the optimizer update and the auxiliary losses.
include "moec/Dialect/MoE/MoEOptimizerOps.td"
include "moec/Dialect/MoE/MoELossOps.td"
include "moec/Dialect/MoE/MoEGradientOps.td"
include "moec/Dialect/MoE/MoERouterGradOps.td"

#endif // MOEC_DIALECT_MOE_MOEOPS_TD
