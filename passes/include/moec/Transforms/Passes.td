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

#endif // MOEC_TRANSFORMS_PASSES_TD
