//===- MoETargetAttrs.td - target descriptions as attributes -*- tablegen -*-===//
//
// The IR form of a target description (moec/Target/TargetDesc.h): a module
// carries one as its `moe.target` attribute, so passes that plan for a target
// read it from the IR and tests can write a variant chip inline.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_DIALECT_MOE_MOETARGETATTRS_TD
#define MOEC_DIALECT_MOE_MOETARGETATTRS_TD

// A non-negative real, 0.0 when unknown (see MoE_ScaleParameter for the
// APFloat storage).
def MoE_RealParameter : AttrParameter<"::llvm::APFloat", "a non-negative number"> {
  let defaultValue = "::llvm::APFloat(0.0)";
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let parser = "::mlir::moe::detail::parseDoubleAsAPFloat($_parser)";
  let printer =
      "::mlir::moe::detail::printShortestDouble($_printer, $_self.convertToDouble())";
}

def MoE_MemoryLevelAttr : AttrDef<MoE_Dialect, "MemoryLevel"> {
  let mnemonic = "memory";
  let summary = "one memory level of a target: capacity, alignment, bandwidth";
  let description = [{
    `#moe.memory<"UB", capacity = 196608, align = 32>`: the level's name,
    its capacity in bytes (0: unknown or unbounded), the alignment in bytes
    every buffer placed in it must keep (a power of two, default 1) and the
    bandwidth it delivers in GB/s (`bandwidth = 1600.0`; 0.0 or absent:
    unknown).
  }];
  let parameters = (ins
    StringRefParameter<"level name">:$name,
    "uint64_t":$capacity,
    DefaultValuedParameter<"uint64_t", "1">:$align,
    MoE_RealParameter:$bandwidth
  );
  let assemblyFormat = "`<` $name `,` struct($capacity, $align, $bandwidth) `>`";
  let genVerifyDecl = 1;
}

def MoE_CopyEdgeAttr : AttrDef<MoE_Dialect, "CopyEdge"> {
  let mnemonic = "copy";
  let summary = "a legal copy between two memory levels and its pipe";
  let description = [{
    `#moe.copy<"GM" -> "L1" on "MTE2">`: data may move from the first level
    to the second, and the pipe named last moves it. A plan that copies
    along any other path is invalid for the target.
  }];
  let parameters = (ins
    StringRefParameter<"source level">:$from,
    StringRefParameter<"destination level">:$to,
    StringRefParameter<"pipe">:$pipe
  );
  let assemblyFormat = "`<` $from `->` $to `on` $pipe `>`";
}

def MoE_MatrixModeAttr : AttrDef<MoE_Dialect, "MatrixMode"> {
  let mnemonic = "matrix";
  let summary = "one operand type of a matrix unit: fractal shape and rate";
  let description = [{
    `#moe.matrix<f16, m0 = 16, k0 = 16, n0 = 16, macs = 4096>`: with
    operands of this element type, one matrix instruction multiplies an
    `m0 x k0` fractal by a `k0 x n0` one; a matrix core does `macs`
    multiply-accumulates per cycle.
  }];
  let parameters = (ins
    "::mlir::Type":$elementType,
    "int64_t":$m0,
    "int64_t":$k0,
    "int64_t":$n0,
    "int64_t":$macs
  );
  let assemblyFormat =
      "`<` $elementType `,` struct($m0, $k0, $n0, $macs) `>`";
  let genVerifyDecl = 1;
}

def MoE_TargetAttr : AttrDef<MoE_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "a target description: compute units, memories, copies, cores";
  let description = [{
    What passes that plan for a target may assume (docs/target-description.md):

    | parameter | meaning |
    | --- | --- |
    | `name` | registry name, e.g. `"ascend-910b"` |
    | `kind` | `"cpu"` or `"npu"` (cube/vector accelerator) |
    | `clock_ghz` | clock; 0.0 if unknown |
    | `cube_cores`, `vector_cores` | matrix-unit and vector-unit cores |
    | `vector_width`, `vector_block` | bytes per vector instruction; alignment unit of vector operands |
    | `vector_registers` | vector registers per core (a CPU's register tiles are sized from it); optional |
    | `features` | instruction-set features, e.g. `["avx512f", "fma"]` on a CPU; optional |
    | `matrix` | `#moe.matrix` per operand type (none on a CPU) |
    | `memory` | `#moe.memory` per level, unique names |
    | `copies` | `#moe.copy` per legal copy, between levels of `memory` |
    | `pipes` | the pipes that synchronise with flags; every copy's pipe is one |
    | `event_ids`, `cross_core_event_ids` | flag ids within a core and across cube/vector cores |

    `moe-opt --moe-target=ascend-910b` (or the `--moe-set-target` pass)
    attaches the registry's entry to the module as `moe.target`.
  }];
  let parameters = (ins
    StringRefParameter<"registry name">:$name,
    StringRefParameter<"cpu or npu">:$kind,
    MoE_RealParameter:$clock_ghz,
    "uint64_t":$cube_cores,
    "uint64_t":$vector_cores,
    "uint64_t":$vector_width,
    "uint64_t":$vector_block,
    DefaultValuedParameter<"uint64_t", "0">:$vector_registers,
    OptionalParameter<"::mlir::ArrayAttr">:$features,
    "::mlir::ArrayAttr":$matrix,
    "::mlir::ArrayAttr":$memory,
    "::mlir::ArrayAttr":$copies,
    "::mlir::ArrayAttr":$pipes,
    "uint64_t":$event_ids,
    "uint64_t":$cross_core_event_ids
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // MOEC_DIALECT_MOE_MOETARGETATTRS_TD
