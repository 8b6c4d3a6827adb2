//===- MoENpuOps.td - moe_npu plan dialect -----------------*- tablegen -*-===//
//
// The kernel plan for Ascend-like cube/vector targets: explicit memory
// spaces, copies on the target's copy edges, cube and vector instructions on
// tiles, and set/wait synchronisation between pipes and cores. Close to
// AscendNPU-IR's HIVM (address spaces, pipes, set_flag/wait_flag,
// sync_block_set/wait, mixed cube/vector kernels) so that a backend is a
// translation.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOENPU_MOENPUOPS_TD
#define MOEC_DIALECT_MOENPU_MOENPUOPS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def MoENpu_Dialect : Dialect {
  let name = "moe_npu";
  let cppNamespace = "::mlir::moe_npu";
  let summary = "Kernel plans for Ascend-like cube/vector accelerators";
  let description = [{
    A plan is a `func.func` whose arguments are buffers in global memory
    (`#moe_npu.space<gm>`): the layer's inputs, then its results as
    out-parameters. Its body allocates GM workspaces (`moe_npu.workspace`)
    and launches kernels (`moe_npu.kernel`) one after the other; a launch
    starts when the previous one has finished.

    A kernel runs on `grid` blocks. A block is one cube core (AIC), which
    runs the `cube` region, and `subblocks` vector cores (AIV), each running
    the `vector` region. Inside a region, local buffers are allocated at
    static byte offsets in L1, L0A, L0B, L0C or UB (`moe_npu.alloc`), loops
    are `scf.for` with bounds that depend on shapes and block ids only
    (never on data), and every instruction issues on one pipe:

    | pipe | instructions |
    | --- | --- |
    | `mte2` | `moe_npu.load`: GM to L1 (ND to fractal NZ) or GM to UB |
    | `mte1` | `moe_npu.copy`: L1 to L0A/L0B |
    | `m` | `moe_npu.mmad`: L0C (f32) += L0A x L0B |
    | `fix` | `moe_npu.fixpipe`: L0C to GM (NZ to ND, cast) |
    | `v` | `moe_npu.vswiglu`, `moe_npu.vroute`, `moe_npu.vaxpy`, `moe_npu.vcast` on UB |
    | `mte3` | `moe_npu.store`: UB to GM |
    | `s` | `moe_npu.load_scalar`, `moe_npu.dispatch_metadata` |

    Pipes run concurrently. Within a core, an instruction that reads what
    another pipe wrote must be ordered after it by
    `moe_npu.set_flag src -> dst [id]` (issued on `src` after the write) and
    a matching `moe_npu.wait_flag` (on `dst`, before the read); the same
    holds for overwriting a buffer another pipe still reads. Between the cube
    core and the vector cores of a block, `moe_npu.sync_block_set` and
    `moe_npu.sync_block_wait` order work handed off through GM workspaces.
    Flags count: each set is consumed by one wait.

    Local buffers are rank 3: `[slots, rows, cols]`; a slot is one tile, and
    two slots make a double buffer. Instructions address one slot. Buffers
    in L1, L0A, L0B and L0C hold tiles in the cube's fractal layout (NZ);
    GM and UB hold row-major (ND) data.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::moe::MoEDialect"
  ];
}

// The routing of `moe.router`, shared rather than redefined.
def MoENpu_RoutingAttr
    : Attr<CPred<"::llvm::isa<::mlir::moe::RoutingAttr>($_self)">,
           "`#moe.routing` attribute"> {
  let storageType = "::mlir::moe::RoutingAttr";
  let returnType = "::mlir::moe::RoutingAttr";
  let convertFromStorage = "$_self";
}

class MoENpu_Op<string mnemonic, list<Trait> traits = []>
    : Op<MoENpu_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def MoENpu_MemorySpace : I32EnumAttr<"MemorySpace",
    "a memory of the cube/vector target", [
      I32EnumAttrCase<"gm", 0>,
      I32EnumAttrCase<"l1", 1>,
      I32EnumAttrCase<"l0a", 2>,
      I32EnumAttrCase<"l0b", 3>,
      I32EnumAttrCase<"l0c", 4>,
      I32EnumAttrCase<"ub", 5>
    ]> {
  let cppNamespace = "::mlir::moe_npu";
  let genSpecializedAttr = 0;
}

def MoENpu_MemorySpaceAttr
    : EnumAttr<MoENpu_Dialect, MoENpu_MemorySpace, "space"> {
  let summary = "memory space of a plan buffer (a memref memory space)";
  let assemblyFormat = "`<` $value `>`";
}

def MoENpu_Pipe : I32EnumAttr<"Pipe", "an instruction pipe of a core", [
      I32EnumAttrCase<"s", 0>,
      I32EnumAttrCase<"v", 1>,
      I32EnumAttrCase<"m", 2>,
      I32EnumAttrCase<"mte1", 3>,
      I32EnumAttrCase<"mte2", 4>,
      I32EnumAttrCase<"mte3", 5>,
      I32EnumAttrCase<"fix", 6>
    ]> {
  let cppNamespace = "::mlir::moe_npu";
  let genSpecializedAttr = 0;
}

def MoENpu_PipeAttr : EnumAttr<MoENpu_Dialect, MoENpu_Pipe, "pipe"> {
  let summary = "an instruction pipe (S, V, M, MTE1, MTE2, MTE3, FIX)";
  let assemblyFormat = "`<` $value `>`";
}

def MoENpu_GemmTilingAttr : AttrDef<MoENpu_Dialect, "GemmTiling"> {
  let mnemonic = "gemm_tiling";
  let summary = "cube tiles of one GEMM";
  let description = [{
    `bm x bn` output tiles, K in steps of `bk`; A tiles are `bm x bk`, B
    tiles `bk x bn`, both double-buffered in L1 and in L0A/L0B, and the f32
    C tile `bm x bn` lives in L0C. Set by `--moe-npu-select-tiles` as the
    `moe_npu.tiling` attribute of the GEMM, or pinned by hand.

    ```mlir
    #moe_npu.gemm_tiling<bm = 128, bn = 256, bk = 64>
    ```
  }];
  let parameters = (ins "int64_t":$bm, "int64_t":$bn, "int64_t":$bk);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def MoENpu_VectorTilingAttr : AttrDef<MoENpu_Dialect, "VectorTiling"> {
  let mnemonic = "vector_tiling";
  let summary = "UB tiles of one vector op";
  let description = [{
    `rows x cols` element tiles of every operand of the op, double-buffered
    in UB.

    ```mlir
    #moe_npu.vector_tiling<rows = 16, cols = 1024>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Interface
//===----------------------------------------------------------------------===//

def MoENpu_PipeOpInterface : OpInterface<"PipeOpInterface"> {
  let cppNamespace = "::mlir::moe_npu";
  let description = [{
    An instruction of a plan: the pipe it issues on. Verifier, cost model
    and emulator all read the pipe from here.
  }];
  let methods = [
    InterfaceMethod<"The pipe this instruction issues on.",
                    "::mlir::moe_npu::Pipe", "getPipe">
  ];
}

class MoENpu_PipeOp<string mnemonic, list<Trait> traits = []>
    : MoENpu_Op<mnemonic,
                !listconcat(traits, [DeclareOpInterfaceMethods<
                                         MoENpu_PipeOpInterface>])>;

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

def MoENpu_KernelOp : MoENpu_Op<"kernel", [NoTerminator]> {
  let summary = "one kernel launch: a cube program and a vector program";
  let description = [{
    Runs on `grid` blocks. In each block the cube core runs `cube` (block
    argument: the block id) and `subblocks` vector cores run `vector` (block
    arguments: the block id and the vector core's index within the block).
    Either region may be empty (a cube-only or vector-only kernel); a kernel
    with both is a mixed kernel whose cores hand data over through GM
    workspaces, ordered by `moe_npu.sync_block_set`/`sync_block_wait`.

    ```mlir
    moe_npu.kernel "expert_ffn" grid = 24 subblocks = 2 cube {
    ^bb0(%block: index):
      ...
    } vector {
    ^bb0(%block: index, %sub: index):
      ...
    }
    ```
  }];
  let arguments = (ins
    StrAttr:$kernel_name,
    ConfinedAttr<I64Attr, [IntPositive]>:$grid,
    ConfinedAttr<I64Attr, [IntPositive]>:$subblocks
  );
  let regions = (region AnyRegion:$cube, AnyRegion:$vector);
  let assemblyFormat = [{
    $kernel_name `grid` `=` $grid `subblocks` `=` $subblocks
    (`cube` $cube^)? (`vector` $vector^)? attr-dict
  }];
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    bool hasCube() { return !getCube().empty(); }
    bool hasVector() { return !getVector().empty(); }
  }];
}

def MoENpu_WorkspaceOp : MoENpu_Op<"workspace"> {
  let summary = "a GM buffer the host allocates for one plan call";
  let description = [{
    Scratch memory in GM that kernels hand data over through (router logits,
    expert outputs, SwiGLU results, dispatch metadata). Dynamic sizes follow
    the token count.

    ```mlir
    %g = moe_npu.workspace "gate_up" (%rows) : memref<?x2048xf32, #moe_npu.space<gm>>
    ```
  }];
  let arguments = (ins StrAttr:$buffer_name, Variadic<Index>:$dynamic_sizes);
  let results = (outs AnyMemRef:$result);
  let assemblyFormat = [{
    $buffer_name (`(` $dynamic_sizes^ `)`)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def MoENpu_AllocOp : MoENpu_Op<"alloc"> {
  let summary = "a local buffer at a static byte offset of L1, L0A/B/C or UB";
  let description = [{
    `[slots, rows, cols]`: `slots` tiles of `rows x cols` elements, stored
    at `offset` bytes into the memory space of the result type, for the
    lifetime of the enclosing kernel region. Two slots make a double buffer.
    The plan verifier checks offsets, alignment and capacity against the
    module's `moe.target`.

    ```mlir
    %a = moe_npu.alloc "l1_a" offset = 0
        : memref<2x128x64xbf16, #moe_npu.space<l1>>
    ```
  }];
  let arguments = (ins
    StrAttr:$buffer_name, ConfinedAttr<I64Attr, [IntNonNegative]>:$offset);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = [{
    $buffer_name `offset` `=` $offset attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getSlots() { return getResult().getType().getDimSize(0); }
    int64_t getRows() { return getResult().getType().getDimSize(1); }
    int64_t getCols() { return getResult().getType().getDimSize(2); }
    /// Bytes of all slots.
    int64_t getSizeInBytes();
    MemorySpace getSpace();
  }];
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def MoENpu_LoadOp : MoENpu_PipeOp<"load", [AttrSizedOperandSegments]> {
  let summary = "copy a tile from GM into L1 (fractal layout) or UB";
  let description = [{
    Fills slot `slot` of `dst` (`[rows_t, cols_t]` per slot) from `src`.
    `indices` address the tile's first element in `src` (one per dimension;
    the last two are row and column, a leading one picks a matrix of a
    rank-3 source). Row `i < rows` of the tile is source row `row + i`, or
    with `gather`, source row `idx[position + i * stride]` (an index below
    zero gives a zero row). Columns past the end of the source, and rows
    `i >= rows`, are zero. Into L1 the tile is stored in fractal (NZ)
    layout: this is the ND-to-NZ copy of the MTE2 pipe.

    ```mlir
    moe_npu.load %x[%r, %k] -> %a[%slot] rows %n gather %tokens[%begin] stride %c1
        : memref<?x2048xbf16, #moe_npu.space<gm>>,
          memref<2x128x64xbf16, #moe_npu.space<l1>>, memref<?xi32, #moe_npu.space<gm>>
    ```
  }];
  let arguments = (ins
    AnyMemRef:$src, Variadic<Index>:$indices, AnyMemRef:$dst, Index:$slot,
    Index:$rows, Optional<AnyMemRef>:$gather, Optional<Index>:$position,
    Optional<Index>:$stride
  );
  let assemblyFormat = [{
    $src `[` $indices `]` `->` $dst `[` $slot `]` `rows` $rows
    (`gather` $gather^ `[` $position `]` `stride` $stride)?
    attr-dict `:` type($src) `,` type($dst) (`,` type($gather)^)?
  }];
  let hasVerifier = 1;
}

def MoENpu_CopyOp : MoENpu_PipeOp<"copy"> {
  let summary = "copy a fractal tile from L1 into L0A or L0B";
  let description = [{
    Moves one slot of an L1 buffer into one slot of an L0A or L0B buffer of
    the same tile shape and element type, on the MTE1 pipe.

    ```mlir
    moe_npu.copy %l1a[%s] -> %l0a[%t]
        : memref<2x128x64xbf16, #moe_npu.space<l1>>,
          memref<2x128x64xbf16, #moe_npu.space<l0a>>
    ```
  }];
  let arguments = (ins AnyMemRef:$src, Index:$src_slot, AnyMemRef:$dst,
                   Index:$dst_slot);
  let assemblyFormat = [{
    $src `[` $src_slot `]` `->` $dst `[` $dst_slot `]` attr-dict `:`
    type($src) `,` type($dst)
  }];
  let hasVerifier = 1;
}

def MoENpu_MmadOp : MoENpu_PipeOp<"mmad"> {
  let summary = "cube matrix multiply-accumulate on fractal tiles";
  let description = [{
    `C = (init ? 0 : C) + A x B` with `A : [m, k]` in L0A, `B : [k, n]` in
    L0B and `C : [m, n]` f32 in L0C; each operand is one slot. Tile
    dimensions are multiples of the target's fractal for the operand type,
    which the plan verifier checks.

    ```mlir
    moe_npu.mmad %l0a[%s], %l0b[%s] -> %l0c[%c0] init %first
        : memref<2x128x64xbf16, #moe_npu.space<l0a>>,
          memref<2x64x256xbf16, #moe_npu.space<l0b>>,
          memref<1x128x256xf32, #moe_npu.space<l0c>>
    ```
  }];
  let arguments = (ins AnyMemRef:$a, Index:$a_slot, AnyMemRef:$b,
                   Index:$b_slot, AnyMemRef:$c, Index:$c_slot, I1:$init);
  let assemblyFormat = [{
    $a `[` $a_slot `]` `,` $b `[` $b_slot `]` `->` $c `[` $c_slot `]`
    `init` $init attr-dict `:` type($a) `,` type($b) `,` type($c)
  }];
  let hasVerifier = 1;
}

def MoENpu_FixpipeOp : MoENpu_PipeOp<"fixpipe"> {
  let summary = "move an accumulator tile from L0C to GM (NZ to ND, cast)";
  let description = [{
    Writes rows `0 .. rows-1` of one L0C slot to `dst` at `indices` (row,
    column last), converting f32 to the element type of `dst`; columns past
    the end of `dst` are not written. Runs on the FIX pipe.

    ```mlir
    moe_npu.fixpipe %l0c[%c0] -> %g[%r, %n] rows %m
        : memref<1x128x256xf32, #moe_npu.space<l0c>>,
          memref<?x1408xf32, #moe_npu.space<gm>>
    ```
  }];
  let arguments = (ins AnyMemRef:$src, Index:$slot, AnyMemRef:$dst,
                   Variadic<Index>:$indices, Index:$rows);
  let assemblyFormat = [{
    $src `[` $slot `]` `->` $dst `[` $indices `]` `rows` $rows attr-dict `:`
    type($src) `,` type($dst)
  }];
  let hasVerifier = 1;
}

def MoENpu_StoreOp : MoENpu_PipeOp<"store"> {
  let summary = "copy a tile from UB to GM";
  let description = [{
    Writes rows `0 .. rows-1` of one UB slot to `dst` at `indices` (row,
    column last); columns past the end of `dst` are not written. Runs on
    the MTE3 pipe.
  }];
  let arguments = (ins AnyMemRef:$src, Index:$slot, AnyMemRef:$dst,
                   Variadic<Index>:$indices, Index:$rows);
  let assemblyFormat = [{
    $src `[` $slot `]` `->` $dst `[` $indices `]` `rows` $rows attr-dict `:`
    type($src) `,` type($dst)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Vector unit
//===----------------------------------------------------------------------===//

def MoENpu_VSwigluOp : MoENpu_PipeOp<"vswiglu"> {
  let summary = "SwiGLU on UB tiles: h = silu(g) * u";
  let description = [{
    Elementwise over one slot of each operand (same tile shape), computed in
    f32 and rounded to the element type of `h`. With `limit`, the inputs are
    clamped first as in `moe.swiglu`.
  }];
  let arguments = (ins AnyMemRef:$gate, Index:$gate_slot, AnyMemRef:$up,
                   Index:$up_slot, AnyMemRef:$result, Index:$result_slot,
                   OptionalAttr<F64Attr>:$limit);
  let assemblyFormat = [{
    $gate `[` $gate_slot `]` `,` $up `[` $up_slot `]` `->` $result `[`
    $result_slot `]` (`limit` `=` $limit^)? attr-dict `:` type($gate) `,`
    type($up) `,` type($result)
  }];
  let hasVerifier = 1;
}

def MoENpu_VRouteOp : MoENpu_PipeOp<"vroute", [AttrSizedOperandSegments]> {
  let summary = "score experts and pick k per row of a UB logits tile";
  let description = [{
    For every row of one `[rows, E]` slot of `logits`, computes the
    `#moe.routing` of `moe.router` (scoring, optional selection `bias` from
    a `[1, E]` tile, group limit, top-k, normalisation, scaling) and writes
    `[rows, k]` weights (f32) and expert ids (i32). Runs on the vector unit.
  }];
  let arguments = (ins AnyMemRef:$logits, Index:$logits_slot,
                   Optional<AnyMemRef>:$bias, Optional<Index>:$bias_slot,
                   AnyMemRef:$weights, AnyMemRef:$ids, Index:$out_slot,
                   MoENpu_RoutingAttr:$routing);
  let assemblyFormat = [{
    $logits `[` $logits_slot `]` (`bias` $bias^ `[` $bias_slot `]`)? `->`
    $weights `,` $ids `[` $out_slot `]` `routing` $routing attr-dict `:`
    type($logits) (`,` type($bias)^)? `->` type($weights) `,` type($ids)
  }];
  let hasVerifier = 1;
}

def MoENpu_VAxpyOp : MoENpu_PipeOp<"vaxpy"> {
  let summary = "acc[r, :] = (init ? 0 : acc[r, :]) + w[r, column] * x[r, :]";
  let description = [{
    One weighted accumulation of the combine: every row of one slot of `x`
    is scaled by the `column`-th entry of the same row of `weights` and
    added to `acc` (f32).
  }];
  let arguments = (ins AnyMemRef:$x, Index:$x_slot, AnyMemRef:$weights,
                   Index:$weights_slot, Index:$column, AnyMemRef:$acc,
                   Index:$acc_slot, I1:$init);
  let assemblyFormat = [{
    $x `[` $x_slot `]` `scale` $weights `[` $weights_slot `]` `column`
    $column `->` $acc `[` $acc_slot `]` `init` $init attr-dict `:`
    type($x) `,` type($weights) `,` type($acc)
  }];
  let hasVerifier = 1;
}

def MoENpu_VCastOp : MoENpu_PipeOp<"vcast"> {
  let summary = "convert a UB tile to another element type";
  let description = [{
    Elementwise conversion of one slot into one slot of the same tile shape
    (f32 to bf16/f16 rounds to nearest even; widening is exact), e.g. the
    f32 sum of the combine into a bf16 result before it is stored.
  }];
  let arguments = (ins AnyMemRef:$src, Index:$src_slot, AnyMemRef:$dst,
                   Index:$dst_slot);
  let assemblyFormat = [{
    $src `[` $src_slot `]` `->` $dst `[` $dst_slot `]` attr-dict `:`
    type($src) `,` type($dst)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Scalar unit
//===----------------------------------------------------------------------===//

def MoENpu_LoadScalarOp : MoENpu_PipeOp<"load_scalar"> {
  let summary = "read one integer of GM into a scalar register";
  let arguments = (ins AnyMemRef:$src, Variadic<Index>:$indices);
  let results = (outs Index:$result);
  let assemblyFormat = [{
    $src `[` $indices `]` attr-dict `:` type($src)
  }];
  let hasVerifier = 1;
}

def MoENpu_DispatchMetadataOp : MoENpu_PipeOp<"dispatch_metadata"> {
  let summary = "sort (token, slot) pairs by expert and tile the groups";
  let description = [{
    Reads the expert ids `[T, k]` and writes, in GM:
    - `tokens : [T*k]`: the token of each row of the expert-sorted order
      (stable, as `moe.dispatch`); rows of pairs with an id outside
      `[0, experts)` come after all groups and hold `-1`;
    - `rows : [T*k]`: for pair `t*k + j`, its row in that order, or `-1`
      for a pair with an invalid id;
    - `tiles : [ceil(T*k / tile_rows) + experts, 3]`: `(expert, first row,
      row count)` of each tile of at most `tile_rows` rows of one expert's
      group, in order; the rest have row count 0.

    The grouped GEMMs loop over the static number of tiles and read their
    tile's entry, so their loop bounds never depend on data. Runs on the
    scalar unit of one vector core.
  }];
  let arguments = (ins AnyMemRef:$ids, AnyMemRef:$tokens, AnyMemRef:$rows,
                   AnyMemRef:$tiles,
                   ConfinedAttr<I64Attr, [IntPositive]>:$experts,
                   ConfinedAttr<I64Attr, [IntPositive]>:$tile_rows);
  let assemblyFormat = [{
    $ids `->` $tokens `,` $rows `,` $tiles `experts` `=` $experts
    `tile_rows` `=` $tile_rows attr-dict `:` type($ids) `->` type($tokens)
    `,` type($rows) `,` type($tiles)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Synchronisation
//===----------------------------------------------------------------------===//

def MoENpu_SetFlagOp : MoENpu_PipeOp<"set_flag"> {
  let summary = "signal event `event` from pipe `src` to pipe `dst`";
  let description = [{
    Issued on `src` after the instructions before it on that pipe; one
    matching `moe_npu.wait_flag` on `dst` consumes it. Flags count: two sets
    need two waits, and a kernel must consume every flag it sets. The event
    id is an index value (ping-pong buffers use the slot) that must stay
    below the target's `event_ids`; the plan verifier bounds it.

    ```mlir
    moe_npu.set_flag <mte2> -> <mte1> [%slot]
    ```
  }];
  let arguments = (ins MoENpu_PipeAttr:$src, MoENpu_PipeAttr:$dst,
                   Index:$event);
  let assemblyFormat = "$src `->` $dst `[` $event `]` attr-dict";
  let hasVerifier = 1;
}

def MoENpu_WaitFlagOp : MoENpu_PipeOp<"wait_flag"> {
  let summary = "hold pipe `dst` until event `event` from pipe `src` is set";
  let arguments = (ins MoENpu_PipeAttr:$src, MoENpu_PipeAttr:$dst,
                   Index:$event);
  let assemblyFormat = "$src `->` $dst `[` $event `]` attr-dict";
  let hasVerifier = 1;
}

def MoENpu_SyncBlockSetOp : MoENpu_PipeOp<"sync_block_set"> {
  let summary = "signal cross-core flag `flag` to the other cores of the block";
  let description = [{
    Issued on `pipe` after the instructions before it on that pipe. From
    the cube core it signals every vector core of the block; from a vector
    core it signals the cube core, whose `sync_block_wait` waits for all
    vector cores of the block. The flag id stays below the target's
    `cross_core_event_ids`.
  }];
  let arguments = (ins MoENpu_PipeAttr:$on_pipe, Index:$flag);
  let assemblyFormat = "$on_pipe `[` $flag `]` attr-dict";
}

def MoENpu_SyncBlockWaitOp : MoENpu_PipeOp<"sync_block_wait"> {
  let summary = "hold `pipe` until cross-core flag `flag` is signalled";
  let arguments = (ins MoENpu_PipeAttr:$on_pipe, Index:$flag);
  let assemblyFormat = "$on_pipe `[` $flag `]` attr-dict";
}

#endif // MOEC_DIALECT_MOENPU_MOENPUOPS_TD
