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

//===----------------------------------------------------------------------===//
// Planning for Ascend-like cube/vector targets (docs/npu-plan.md)
//===----------------------------------------------------------------------===//

def MoENpuSelectTiles : Pass<"moe-npu-select-tiles", "::mlir::ModuleOp"> {
  let summary = "Choose cube and vector tiles from the module's NPU target";
  let description = [{
    For every GEMM (`linalg.matmul`, `moe.grouped_matmul`) and every vector
    op (`moe.router`, `moe.swiglu`, `moe.combine`) of a decomposed layer,
    chooses tiles that fit the buffers of the module's `moe.target` (an
    `npu` target, set by `--moe-set-target` or `moe-opt --moe-target`) and
    records them as a `moe_npu.tiling` attribute (`#moe_npu.gemm_tiling` or
    `#moe_npu.vector_tiling`). An op that already carries one keeps it, so
    tests can pin tiles; `--moe-npu-verify-plan` rejects pinned tiles that
    do not fit.

    GEMM tiles `bm x bn x bk` are multiples of the cube fractal of the
    operand type and of the 16-row x 32-byte L1 block. The A and B tiles,
    double-buffered, fit L0A and L0B; the f32 C tile fits L0C; the
    double-buffered L1 stage of A and B fits L1. Among the tiles that fit,
    the one the cost model expects to need the fewest cycles per
    multiply-accumulate wins: a K step takes the longest of its mmads, its
    GM loads (bytes over the core's share of GM bandwidth plus one burst per
    load, or per row when the rows are gathered through the dispatch's token
    list) and its L1 -> L0 copies, plus the FixPipe drain of each output
    tile spread over its K steps. Ties go to the larger `bk`, then the
    smaller `bm` (less of the cube wasted on the partial tiles of small
    expert groups). Vector tiles take as many rows as fit UB with every live
    buffer of the op, double-buffered.
  }];
  let dependentDialects = ["::mlir::moe_npu::MoENpuDialect"];
}

def MoENpuPlan : Pass<"moe-npu-plan", "::mlir::ModuleOp"> {
  let summary = "Rewrite a tiled layer into a moe_npu kernel plan";
  let description = [{
    Turns each function of decomposed, tiled moe ops into a kernel plan
    (see the `moe_npu` dialect): tensor arguments become GM buffers, results
    become GM out-parameters, and the ops become kernel launches with local
    buffers in L1/L0A/L0B/L0C/UB, copies on the target's copy edges, cube
    and vector instructions, and set/wait flags:

    - dense GEMMs (router logits, shared experts): a cube kernel over
      `bm x bn` output tiles dealt round-robin to the blocks, K in steps of
      `bk`, L1 and L0 double-buffered;
    - the router: a vector kernel (`moe_npu.vroute` on UB row tiles);
    - dispatch: `moe_npu.dispatch_metadata` on one vector core, which
      writes the expert-sorted token list and per-tile metadata (expert,
      first row, row count) for the grouped GEMMs;
    - gate/up grouped GEMMs and SwiGLU: one mixed kernel; the cube core
      computes the gate and up tiles of a metadata tile (rows gathered
      from `x` through the token list) and hands them to the vector cores
      through a double-buffered GM workspace with cross-core flags; the
      vector cores apply SwiGLU and write the hidden rows;
    - the down grouped GEMM: a cube kernel over the metadata tiles;
    - combine (with the shared experts' output added when the layer has
      them): a vector kernel that gathers each token's k rows.

    Loop bounds depend on shapes only: the grouped GEMMs loop over the
    static number of metadata tiles and skip empty ones.
  }];
  let dependentDialects = [
    "::mlir::moe_npu::MoENpuDialect", "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def MoENpuVerifyPlan : Pass<"moe-npu-verify-plan", "::mlir::ModuleOp"> {
  let summary = "Check a kernel plan against the module's NPU target";
  let description = [{
    Rejects a plan that does not fit the `npu` target in the module's
    `moe.target`. For every `moe_npu.kernel` and each of its regions (cube,
    vector):

    - capacity: the allocs of a region (they live for the whole region, all
      slots counted) add up to at most the capacity of their memory, and
      none ends past it;
    - alignment: every alloc offset and slot size is a multiple of the
      memory's alignment; allocs of one memory do not overlap;
    - fractals: L0A tiles are multiples of `m0 x k0` of the matrix mode of
      their operand type, L0B of `k0 x n0`, L0C of `m0 x n0` (the mode of
      the mmads accumulating into it), L1 tiles of 16 rows x 32 bytes
      (`m0 x k0`); an operand type without a matrix mode is an error;
    - copy edges: every load, copy, fixpipe and store moves data along a
      copy edge of the target, on that edge's pipe;
    - event ids: the ids of `set_flag`/`wait_flag` stay in `[0, event_ids)`
      and those of `sync_block_set`/`sync_block_wait` in
      `[0, cross_core_event_ids)` for every value they can take (block ids,
      loop bounds and index arithmetic bound them; an id without a bound is
      an error);
    - cores: `grid` is at most the cube cores and `subblocks` at most the
      vector cores per cube core.

    Each error names the memory, the kernel, the buffers and the amount,
    e.g. `'UB' overflows by 12288 bytes (208896 of 196608) in kernel
    'swiglu' (vector core): ub_g 2x16x1024xf32 = 131072, ...` followed by
    the kernel's `moe_npu.tiling` if it has one. Every problem is reported,
    not only the first. Runs at the end of `--moe-npu-pipeline`.
  }];
}

def MoEPlanReport : Pass<"moe-plan-report", "::mlir::ModuleOp"> {
  let summary = "Print the cost model's estimate of every kernel of a plan";
  let description = [{
    For each kernel of each plan function: its tiles, the occupancy of each
    local memory, the busy time of each pipe (MTE2, MTE1, M, V, FIX, MTE3,
    S), the estimated time with the pipes overlapping as the flags allow,
    the pipe that bounds it, its cube FLOPs and GM bytes, and the roofline
    of the target (FLOPs over the cube peak, GM bytes over the bandwidth)
    with the estimate's ratio to it; then the total over the kernels.

    Block 0 of each kernel runs through the plan interpreter with the
    dynamic dimensions of the arguments set to `tokens` and a balanced
    routing (pair `t*k + j` goes to expert `(t*k + j) mod E`); FLOPs and GM
    bytes are block 0's times the grid. The model, its formulas and
    defaults are in docs/npu-cost-model.md. The IR is not changed.
  }];
  let options = [
    Option<"tokens", "tokens", "int64_t", /*default=*/"4096",
           "Token count the dynamic dimensions take">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "Where the report goes ('-': stdout)">,
    Option<"burstCycles", "burst-cycles", "double", /*default=*/"32",
           "Cycles each GM burst costs on top of its bytes">,
    Option<"loadScalarCycles", "load-scalar-cycles", "double",
           /*default=*/"100", "Cycles of one load_scalar (a GM round trip)">,
    Option<"metadataCycles", "metadata-cycles", "double", /*default=*/"8",
           "Scalar cycles of dispatch_metadata per (token, slot) pair">,
  ];
}

def MoENpuDropSync : Pass<"moe-npu-drop-sync", "::mlir::ModuleOp"> {
  let summary = "Testing aid: delete one wait from a plan";
  let description = [{
    Erases the `index`-th `moe_npu.wait_flag` or `moe_npu.sync_block_wait`
    (counting from 0 in walk order) and nothing else, so that tests can show
    the emulator catching the read that is no longer ordered after its
    write (before it would complain about the set nobody consumes).
  }];
  let options = [
    Option<"index", "index", "int64_t", /*default=*/"0",
           "Which wait to erase (0-based, walk order)">,
  ];
}

#endif // MOEC_CODEGEN_PASSES_TD
