//===- Passes.td - moec code generation passes -------------*- tablegen -*-===//

#ifndef MOEC_CODEGEN_PASSES_TD
#define MOEC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoECopiesToLoops : Pass<"moe-copies-to-loops"> {
  let summary = "Turn memref.copy into linalg.copy, so copies become loops";
  let description = [{
    Bufferisation inserts `memref.copy` between buffers whose layouts are
    strided or dynamically sized. The LLVM lowering turns those into calls to
    `memrefCopy` from MLIR's C runner utilities, a library that neither a
    JIT-compiled kernel nor an object linked by a plain C program has. This
    pass rewrites every `memref.copy` into `linalg.copy`, which
    `--convert-linalg-to-loops` then lowers to ordinary loops, so the
    generated code depends on libc and libm only.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MoEMatmulRowMajorLoops : Pass<"moe-matmul-row-major-loops"> {
  let summary = "Order matmul loops (m, k, n) so the innermost loop is "
                "unit-stride";
  let description = [{
    `--convert-linalg-to-loops` nests a `linalg.matmul` as (m, n, k): the
    innermost loop walks a column of the right-hand side, one cache line per
    multiply-add, and is a reduction LLVM cannot vectorise without
    reassociating floating-point sums. This pass generalises every
    `linalg.matmul` and interchanges its loops to (m, k, n): the innermost
    loop then reads a row of the right-hand side and updates a row of the
    result, both contiguous, which LLVM vectorises with no change to the
    order of any sum (each result element still accumulates over k in
    order). It is the stop-gap scalar path; tiled, packed and vectorised
    kernels replace it.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // MOEC_CODEGEN_PASSES_TD
