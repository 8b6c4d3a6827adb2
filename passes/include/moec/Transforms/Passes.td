//===- Passes.td - moec transformation passes --------------*- tablegen -*-===//

#ifndef MOEC_TRANSFORMS_PASSES_TD
#define MOEC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoEDecomposeLayer : Pass<"moe-decompose-layer"> {
  let summary = "Split moe.layer into router, dispatch, grouped GEMMs, "
                "SwiGLU and combine";
  let description = [{
    Rewrites every `moe.layer` into the ops it is made of:

    1. router logits `x @ router_weight` as `linalg.matmul`, accumulated and
       kept in f32 (f64 for an f64 layer);
    2. `moe.router` (weights and expert ids);
    3. `moe.dispatch` (rows sorted by expert, permutation, offsets);
    4. `moe.grouped_matmul` for the gate and up projections, `moe.swiglu`
       (with the layer's `swiglu_limit`), `moe.grouped_matmul` for the down
       projection;
    5. `moe.combine` back to token order;
    6. the shared expert, when present, as dense `linalg.matmul`s around a
       `moe.swiglu`, added to the routed output with `linalg.add`.

    Works on any op that holds `moe.layer` ops (functions, modules). Ids,
    permutations and offsets are `i32`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::moe::MoEDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def MoELowerToLinalg : Pass<"moe-lower-to-linalg"> {
  let summary = "Lower moe.router, moe.dispatch, moe.grouped_matmul, "
                "moe.swiglu and moe.combine to linalg, tensor, scf, arith and "
                "math on tensors";
  let description = [{
    Rewrites every moe op except `moe.layer` into upstream dialects on
    tensors, ready for one-shot bufferization. The numerics follow the CPU
    contract in `docs/cpu-numerics.md` exactly; in short:

    - `moe.router`: scores for all tokens as `linalg.generic`s, then per token
      (`scf.for`) the optional group limit and `k` rounds of argmax with a
      taken marker. NaN selection scores count as `-inf` and ties go to the
      lower id, so ids are always `k` distinct experts; a token with a NaN
      logit gets NaN weights. Hash routing gives id `-1` and weight 0 to a
      token id outside `[0, vocab)` or a table entry outside `[0, E)`.
    - `moe.dispatch`: a stable counting sort (count, exclusive prefix sum,
      one in-order scatter), then a row gather. Pairs with an id outside
      `[0, E)` become trailing padding rows (`perm = -1`, zero rows), or are
      dropped with a capacity.
    - `moe.grouped_matmul`: an `scf.for` over experts, one `linalg.matmul`
      on the dynamic row slice `[lo, hi)` of each expert, offsets clamped to
      `[0, R]`; rows in no group are zero, empty groups do no work.
    - `moe.swiglu`: one elementwise `linalg.generic`.
    - `moe.combine`: the inverse permutation, then per token a sum over the
      slots `j = 0 .. k-1` in order.

    Reductions accumulate in f32 (f64 for f64); results are rounded to the
    element type. Every index read from data (ids, perm, offsets, token
    ids, table entries) is range-checked or clamped before use, so no input
    value causes an out-of-bounds access. Dynamic sizes that the verifiers
    cannot compare (such as the token counts of two operands) must agree at
    run time, as for any linalg op.

    `moe.layer` must be split first by `--moe-decompose-layer`; the pass
    fails on any moe op it leaves behind.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def MoEGrad : Pass<"moe-grad", "::mlir::ModuleOp"> {
  let summary = "Add the reverse-mode gradient function of moe layers";
  let description = [{
    For each selected function `@f(inputs...) -> y` (one block, one ranked
    tensor result), adds `@f_grad(inputs..., %dy) -> (y, d_inputs...)` after
    it:

    1. the forward body, with `moe.layer` split as by
       `--moe-decompose-layer` so that every step is an op with an adjoint;
    2. the adjoint of every op in reverse order, starting from `%dy` (the
       cotangent of `y`, of `y`'s type): moe ops emit theirs through
       `GradientOpInterface` (`moe.combine_grad`, `moe.grouped_matmul_wgrad`,
       `moe.swiglu_grad`, `moe.router_grad`, ...); `linalg.matmul`,
       `linalg.add`, `linalg.fill`, `tensor.cast`, `arith.addf`/`subf`/`mulf`
       and `arith.truncf`/`extf` on tensors have built-in rules. A value used several times gets the sum of its
       uses' cotangents (`linalg.add`).
    3. results: `y`, then one gradient per argument that receives a
       cotangent, in argument order, each with the result attribute
       `moe.gradient_of = <argument index>`. For `@moe_layer` that is
       `(y, dx, d_router_weight, d_w_gate, d_w_up, d_w_down
       [, d_shared_gate, d_shared_up, d_shared_down])`; the routing bias,
       token ids and hash table get none (routing is piecewise constant).

    The forward values the adjoints need are those of step 1 (nothing is
    recomputed). The forward function is kept. A private declaration
    `func.func private @f_grad(...)` already in the module (so that a
    training step calling it parses) is replaced by the definition, which
    must have the declared type. An op with a cotangent and no
    adjoint is an error naming it.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "Functions to differentiate (default: every function that "
               "holds a moe.layer)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::moe::MoEDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def MoEInlinePrivateCalls : Pass<"moe-inline-private-calls",
                                 "::mlir::ModuleOp"> {
  let summary = "Inline every call of a private function, then drop the "
                "private functions nothing calls any more";
  let description = [{
    A training step calls the gradient of its loss, a private function that
    `--moe-grad` defined; inlining it compiles one function and lets
    canonicalisation drop what the step does not use (the gradients of the
    inputs). Only calls of private functions with a body are inlined, so the
    entry points a caller runs keep their own code; a private function that
    is called nowhere is left as it is. Recursion is an error.
  }];
}

#endif // MOEC_TRANSFORMS_PASSES_TD
