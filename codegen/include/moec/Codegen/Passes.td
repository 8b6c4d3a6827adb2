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

def MoESelectCPUTiling : Pass<"moe-cpu-select-tiling", "::mlir::ModuleOp"> {
  let summary = "Attach register and cache tile sizes, chosen from the CPU "
                "target description, to every GEMM the CPU kernels generate";
  let description = [{
    Sets the discardable attribute `moe.cpu_tiling` (a dictionary, see
    `moec/Target/CPUTarget.h`: `lanes`, `mr`, `nv`, `mt`, `kc`, `bf16_dot`)
    on every `moe.grouped_matmul` and `linalg.matmul` that does not carry one
    yet. The sizes come from the target description (`cpu-host`: ISA
    features, vector width, register count and cache sizes detected at run
    time), optionally overridden: `target=cpu-host:vector-bits=256,l2=512K`.
    Ops that already carry `moe.cpu_tiling` keep it, so tests and users can
    pin a tiling in the IR.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu-host\"",
           "CPU target description: 'cpu-host', optionally followed by "
           "':key=value,...' overrides (see docs/cpu-target.md)">,
  ];
}

def MoELowerToCPUKernels : Pass<"moe-cpu-lower-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower expert GEMMs, the SwiGLU FFN and moe.combine to "
                "packed, register-blocked, multi-threaded CPU kernels";
  let description = [{
    Rewrites, on tensors and before `--moe-lower-to-linalg`:

    - a `moe.swiglu` of two `moe.grouped_matmul`s (gate and up) over the
      same rows and offsets into one kernel that computes both in one pass
      over the input rows and applies the SwiGLU in the epilogue; when the
      rows come from a plain `moe.dispatch`, the gather is folded into the
      loads (row `i` reads token `perm[i] / k` of the dispatch input);
    - every other `moe.grouped_matmul` (the down projection) and every
      `linalg.matmul` into a zero-filled output (the router, shared
      experts) into the same kernel with one weight;
    - `moe.combine` into a vectorised per-token weighted sum in slot order.

    Weights are packed into panels of `lanes * nv` columns by private
    functions tagged `moe.weight_pack` (k interleaved in pairs when bf16
    operands use AVX512_BF16 dot products). Register and work tiles come
    from each op's `moe.cpu_tiling` attribute (set by
    `--moe-cpu-select-tiling`); ops without one, or whose shapes the
    tiling does not divide, are left for `--moe-lower-to-linalg`. Work is
    expressed as `scf.parallel` loops over (expert, panel, row block) items;
    `--convert-scf-to-openmp` or `--scf-to-cf` runs them later.

    The kernels are explicit loops on buffers reached through
    `bufferization.to_buffer` and handed back with `to_tensor restrict
    writable`, which one-shot bufferisation accepts as opaque producers.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu-host\"",
           "CPU target description the vector width of moe.combine is taken "
           "from (see docs/cpu-target.md)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::x86vector::X86VectorDialect",
  ];
}

def MoEApproximateMath : Pass<"moe-approximate-math"> {
  let summary = "Replace math.exp and friends by inline polynomial "
                "approximations that vectorise";
  let description = [{
    LLVM lowers a vector `math.exp` to one libm call per lane, which makes
    the SwiGLU epilogue and the router's softmax call-bound. This pass
    applies MLIR's f32 polynomial approximations (the same ones upstream
    tests under `-test-math-polynomial-approximation`) so the code stays in
    vector registers. Their error is a few ulp; see docs/cpu-numerics.md.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MoESetTarget : Pass<"moe-set-target", "::mlir::ModuleOp"> {
  let summary = "Attach a target description from the registry to the module "
                "as `moe.target`";
  let description = [{
    Resolves `target` (a registry name, `cpu-host`, `ascend-910b` or
    `ascend-910c`, optionally followed by `:key=value,...` overrides; see
    docs/target-description.md) and sets the module's `moe.target`
    attribute to it as a `#moe.target`, replacing any it had. Passes that
    plan for a target read it from there. `moe-opt --moe-target=SPEC` runs
    this pass before the others. A bad spec is an error at the module that
    names the bad part.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu-host\"",
           "Target: a registry name with optional ':key=value,...' "
           "overrides">,
  ];
  let dependentDialects = ["::mlir::moe::MoEDialect"];
}

def MoERequestCWrappers : Pass<"moe-request-c-wrappers", "::mlir::ModuleOp"> {
  let summary = "Ask for `_mlir_ciface_` wrappers of the public functions "
                "only";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func`, so that the
    LLVM lowering emits a C-callable `_mlir_ciface_<name>` for it (what the
    runtime and ahead-of-time C callers use). Upstream
    `--llvm-request-c-wrappers` marks every function, and the wrapper of a
    private helper (a weight-packing function, say) is emitted with external
    linkage: two objects compiled from layers with the same weight shapes
    then both define `_mlir_ciface___moe_pack_...` and cannot be linked into
    one program.
  }];
}

def MoESplitWeightPacking : Pass<"moe-cpu-split-weight-packing",
                                 "::mlir::ModuleOp"> {
  let summary = "Give each public function that packs weight arguments a "
                "pack-once entry point and a pre-packed variant";
  let description = [{
    Runs on buffers, after results became out-parameters. The CPU kernels
    read weights packed by calls to private functions tagged
    `moe.weight_pack`, each writing into a static allocation. A public
    function `@f` that packs its own arguments is split:

    - `@f__prepack(%w..., %packed...)`: the weight arguments of `@f` (in
      argument order, each once; `moe.weight_of = <index in @f>`) in, the
      packed buffers (one per pack call) as out-parameters; run once, when
      the weights are loaded;
    - `@f__packed(%packed..., <@f's arguments>)`: `@f` with each pack call
      and its allocation replaced by a leading argument.

    `@f` keeps its signature and meaning: it allocates the packed buffers,
    calls `@f__prepack`, then `@f__packed`, so the layer's code is compiled
    once. The runtime (`Kernel::prepareWeights`) calls the two directly.
    `moe.prepack_of` / `moe.packed_of` name `@f` on its two companions.
  }];
}

#endif // MOEC_CODEGEN_PASSES_TD
