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
       kept in f32;
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

    Reductions accumulate in f32 whatever the element type; results are
    truncated to it. Every index read from data (ids, perm, offsets, token
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

#endif // MOEC_TRANSFORMS_PASSES_TD
