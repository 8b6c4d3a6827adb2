//===- MoEBase.td - moe dialect definition -----------------*- tablegen -*-===//

#ifndef MOEC_DIALECT_MOE_MOEBASE_TD
#define MOEC_DIALECT_MOE_MOEBASE_TD

include "mlir/IR/OpBase.td"

def MoE_Dialect : Dialect {
  let name = "moe";
  let cppNamespace = "::mlir::moe";
  let summary = "Mixture-of-Experts layers: routing, dispatch, grouped expert "
                "GEMMs, SwiGLU and combine";
  let description = [{
    The `moe` dialect captures a Mixture-of-Experts (MoE) layer at the level a
    model author thinks about it, on builtin `tensor` values with value
    semantics, so that it composes with `linalg`, `tensor`, `arith`, `scf` and
    one-shot bufferisation.

    A layer is either one `moe.layer` op or its decomposition:

    ```
    logits          = x @ router_weight                 (linalg.matmul)
    weights, ids    = moe.router logits ...             (score + top-k)
    xs, perm, offs  = moe.dispatch x, ids ...           (sort pairs by expert)
    g               = moe.grouped_matmul xs, w_gate, offs
    u               = moe.grouped_matmul xs, w_up, offs
    h               = moe.swiglu g, u
    ys              = moe.grouped_matmul h, w_down, offs
    y               = moe.combine ys, perm, weights     (+ shared expert)
    ```

    Element types: floating-point operands may be `f32`, `f16` or `bf16`.
    Whatever the storage type, every reduction (GEMM accumulation, softmax
    sums, top-k normalisation, combine sums) accumulates in `f32`; results are
    rounded to the result element type once, at the end. Integer index
    tensors (expert ids, permutations, offsets) are `i32` or `i64`.

    Weights use the `[in, out]` layout (`y = x @ W`). Token counts are usually
    dynamic (`?`); hidden, intermediate and expert counts are static.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
  let hasCanonicalizer = 0;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class MoE_Op<string mnemonic, list<Trait> traits = []>
    : Op<MoE_Dialect, mnemonic, traits>;

#endif // MOEC_DIALECT_MOE_MOEBASE_TD
