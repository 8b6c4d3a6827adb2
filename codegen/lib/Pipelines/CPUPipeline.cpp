//===- CPUPipeline.cpp - moe ops to LLVM for the host CPU -----------------===//

#include "moec/Pipelines/CPUPipeline.h"

#include "moec/Codegen/Passes.h"
#include "moec/Target/CPUTarget.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/BitVector.h"

using namespace mlir;

//===----------------------------------------------------------------------===//
// In-place results (moe.in_place)
//===----------------------------------------------------------------------===//
//
// A public function may declare that result N is written into the buffer of
// argument M: `-> (tensor<...> {moe.in_place = M : i64}, ...)`. It is how a
// training step updates caller-owned parameters and optimizer state without
// copies (docs/training-design.md, "In place"). The contract, made true here
// around one-shot bufferisation:
//  - only tied arguments may be written; every other tensor argument of a
//    public function is read-only (`bufferization.writable = false`), so that
//    a caller's inputs are never modified behind its back;
//  - after bufferisation, each tied result must be its argument's buffer
//    itself; if bufferisation had to give it a buffer of its own (the
//    argument is read after the update, or the result is not computed in
//    the argument's tensor), compilation fails naming the result and the
//    argument rather than silently copying;
//  - the tied results are then dropped from the function: the caller's
//    argument buffer already holds them, so they need no out-parameter and
//    no copy. The C entry point takes the arguments, then the out-parameters
//    of the other results only.

namespace {

constexpr llvm::StringLiteral kInPlaceAttrName = "moe.in_place";

/// Result `result` of a function is written into argument `argument`.
struct Tie {
  unsigned result;
  unsigned argument;
};

/// The function's `moe.in_place` result attributes, checked (errors are
/// reported at the function's location without printing its body): an integer
/// argument index, on a public function with a body, the same (ranked
/// tensor or, after bufferisation, memref) type as the argument, at most one
/// result per argument.
FailureOr<SmallVector<Tie>> readTies(func::FuncOp function) {
  SmallVector<Tie> ties;
  StringRef name = function.getSymName();
  for (unsigned result = 0, e = function.getNumResults(); result < e;
       ++result) {
    Attribute attr = function.getResultAttr(result, kInPlaceAttrName);
    if (!attr)
      continue;
    auto index = dyn_cast<IntegerAttr>(attr);
    if (!index || !isa<IntegerType>(index.getType()))
      return emitError(function.getLoc())
             << "@" << name << " result " << result << ": " << kInPlaceAttrName
             << " must be the index of an argument (an integer), got " << attr;
    int64_t argument = index.getInt();
    if (!function.isPublic() || function.isExternal())
      return emitError(function.getLoc())
             << "@" << name << " result " << result << ": " << kInPlaceAttrName
             << " is supported on public functions with a body only (the "
                "entry points a caller runs)";
    if (argument < 0 || argument >= function.getNumArguments())
      return emitError(function.getLoc())
             << "@" << name << " result " << result << ": " << kInPlaceAttrName
             << " = " << argument << " is not an argument index (the function "
             << "has " << function.getNumArguments() << " arguments)";
    Type argumentType = function.getArgument(argument).getType();
    Type resultType = function.getResultTypes()[result];
    if (!isa<RankedTensorType, MemRefType>(resultType) ||
        resultType != argumentType)
      return emitError(function.getLoc())
             << "@" << name << " result " << result << " (" << kInPlaceAttrName
             << " = " << argument << ") must have argument " << argument
             << "'s type " << argumentType << " to be written into its "
             << "buffer, got " << resultType;
    for (const Tie &other : ties)
      if (other.argument == argument)
        return emitError(function.getLoc())
               << "@" << name << " results " << other.result << " and "
               << result << " are both " << kInPlaceAttrName << " = "
               << argument << "; an argument's buffer can hold one result";
    ties.push_back({result, static_cast<unsigned>(argument)});
  }
  return ties;
}

/// Before one-shot bufferisation: checks the ties and lets bufferisation
/// write into tied arguments only.
struct MarkInPlaceArgumentsPass
    : PassWrapper<MarkInPlaceArgumentsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MarkInPlaceArgumentsPass)
  StringRef getArgument() const override {
    return "moe-cpu-mark-in-place-arguments";
  }
  StringRef getDescription() const override {
    return "Check moe.in_place result attributes and make every untied "
           "argument of a public function read-only for bufferisation";
  }

  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      FailureOr<SmallVector<Tie>> ties = readTies(function);
      if (failed(ties))
        return signalPassFailure();
      if (!function.isPublic() || function.isExternal())
        continue;
      MLIRContext *context = function.getContext();
      for (BlockArgument argument : function.getArguments()) {
        unsigned index = argument.getArgNumber();
        // An explicit choice in the input wins.
        if (!isa<TensorType>(argument.getType()) ||
            function.getArgAttr(
                index, bufferization::BufferizationDialect::kWritableAttrName))
          continue;
        bool tied = llvm::any_of(
            *ties, [&](const Tie &tie) { return tie.argument == index; });
        function.setArgAttr(
            index, bufferization::BufferizationDialect::kWritableAttrName,
            BoolAttr::get(context, tied));
      }
    }
  }
};

Value stripCasts(Value value) {
  while (auto cast = value.getDefiningOp<memref::CastOp>())
    value = cast.getSource();
  return value;
}

/// Explains why tied result `tie` of `function` (bufferised) was not
/// written into its argument: `returned` is the buffer it got instead.
void explainNotInPlace(func::FuncOp function, const Tie &tie, Value returned) {
  InFlightDiagnostic diag = emitError(function.getLoc());
  diag << "@" << function.getSymName() << " result " << tie.result << " ("
       << kInPlaceAttrName << " = " << tie.argument
       << ") cannot be written in place into argument " << tie.argument << ": ";
  if (auto other = dyn_cast<BlockArgument>(returned);
      other && other.getOwner() == &function.getBody().front()) {
    diag << "it is argument " << other.getArgNumber() << "'s buffer";
    return;
  }
  // One-shot bufferisation copies the argument into a new buffer when the
  // update may not overwrite it in place.
  Value argument = function.getArgument(tie.argument);
  memref::CopyOp copy;
  function.walk([&](memref::CopyOp op) {
    if (stripCasts(op.getSource()) == argument &&
        stripCasts(op.getTarget()) == returned)
      copy = op;
  });
  if (copy) {
    diag << "argument " << tie.argument
         << " is still read after the update (or is not writable), so "
            "bufferisation had to update a copy of it; read it before it is "
            "updated, or drop the tie";
    diag.attachNote(copy.getLoc())
        << "argument " << tie.argument << " is copied for this update";
    return;
  }
  diag << "it is computed in a new buffer, not in argument " << tie.argument
       << "'s tensor; a tied result must come from ops that write into "
          "their destination operand, starting from argument "
       << tie.argument << " (e.g. moe.adamw's results, from its param, m "
       << "and v)";
}

/// After one-shot bufferisation, before results become out-parameters:
/// checks that every tied result is its argument's buffer and drops it from
/// the function and its calls.
struct DropInPlaceResultsPass
    : PassWrapper<DropInPlaceResultsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DropInPlaceResultsPass)
  StringRef getArgument() const override {
    return "moe-cpu-drop-in-place-results";
  }
  StringRef getDescription() const override {
    return "Check that every moe.in_place result was bufferised into its "
           "argument's buffer and drop it from the function";
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto function :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      FailureOr<SmallVector<Tie>> ties = readTies(function);
      if (failed(ties))
        return signalPassFailure();
      if (ties->empty())
        continue;
      SmallVector<func::ReturnOp> returns;
      function.walk([&](func::ReturnOp op) { returns.push_back(op); });
      llvm::BitVector dropped(function.getNumResults());
      bool inPlace = true;
      for (const Tie &tie : *ties) {
        dropped.set(tie.result);
        for (func::ReturnOp op : returns) {
          Value returned = stripCasts(op.getOperand(tie.result));
          if (returned != function.getArgument(tie.argument)) {
            explainNotInPlace(function, tie, returned);
            inPlace = false;
            break;
          }
        }
      }
      if (!inPlace)
        return signalPassFailure();
      if (!dropCalls(function, *ties, dropped))
        return signalPassFailure();
      for (func::ReturnOp op : returns)
        op->eraseOperands(dropped);
      if (failed(function.eraseResults(dropped)))
        return signalPassFailure();
    }
  }

  /// Calls of `function` in the module use the tied argument's buffer in
  /// place of each dropped result.
  bool dropCalls(func::FuncOp function, ArrayRef<Tie> ties,
                 const llvm::BitVector &dropped) {
    std::optional<SymbolTable::UseRange> uses =
        SymbolTable::getSymbolUses(function, getOperation());
    if (!uses) {
      emitError(function.getLoc())
          << "cannot find the uses of @" << function.getSymName();
      return false;
    }
    for (const SymbolTable::SymbolUse &use : *uses) {
      auto call = dyn_cast<func::CallOp>(use.getUser());
      if (!call) {
        emitError(use.getUser()->getLoc())
            << "@" << function.getSymName() << " has " << kInPlaceAttrName
            << " results, so it may only be called by func.call";
        return false;
      }
      for (const Tie &tie : ties)
        call.getResult(tie.result)
            .replaceAllUsesWith(call.getOperand(tie.argument));
      SmallVector<Type> kept;
      for (auto [index, type] : llvm::enumerate(call.getResultTypes()))
        if (!dropped.test(index))
          kept.push_back(type);
      OpBuilder b(call);
      auto replacement = func::CallOp::create(
          b, call.getLoc(), kept, call.getCallee(), call.getOperands());
      unsigned next = 0;
      for (auto [index, result] : llvm::enumerate(call.getResults()))
        if (!dropped.test(index))
          result.replaceAllUsesWith(replacement.getResult(next++));
      call.erase();
    }
    return true;
  }
};

} // namespace

unsigned moec::resolvedThreadCount(const CPUPipelineOptions &options) {
  if (options.threads != 0)
    return options.threads;
  // An invalid target is reported by the passes that read it.
  llvm::Expected<CPUTargetDesc> target = resolveCPUTarget(options.target);
  if (!target) {
    llvm::consumeError(target.takeError());
    return 1;
  }
  return target->numCores;
}

void moec::buildCPULowerToLinalgPipeline(OpPassManager &pm,
                                         const CPUPipelineOptions &options) {
  pm.addPass(moe::createMoEInlinePrivateCalls());
  pm.addPass(moe::createMoEDecomposeLayer());
  pm.addPass(moe::createMoESelectCPUTiling({options.target}));
  pm.addPass(moe::createMoELowerToCPUKernels({options.target}));
  pm.addPass(moe::createMoELowerToLinalg());
  // The decomposition rounds dense f32 products to bf16/f16 with
  // elementwise arith ops on tensors (shared experts), which bufferisation
  // does not take; as linalg.generic it does.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void moec::buildCPUBufferizePipeline(OpPassManager &pm) {
  pm.addPass(std::make_unique<MarkInPlaceArgumentsPass>());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Callers hand in plain row-major buffers; identity layouts let the code
  // use static strides instead of reading them from every descriptor.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Tied results are their arguments' buffers now; they must not become
  // out-parameters (which would copy them).
  pm.addPass(std::make_unique<DropInPlaceResultsPass>());

  // Results are written straight into memory the caller owns: the entry
  // point of a framework-facing kernel must not hand back allocations.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.modifyPublicFunctions = true;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(moe::createMoESplitWeightPacking());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
}

void moec::buildCPULowerToLLVMPipeline(OpPassManager &pm,
                                       const CPUPipelineOptions &options) {
  pm.addPass(moe::createMoECopiesToLoops());
  pm.addPass(moe::createMoEMatmulRowMajorLoops());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(moe::createMoEApproximateMath());
  unsigned threads = resolvedThreadCount(options);
  if (threads > 1) {
    ConvertSCFToOpenMPPassOptions openMP;
    openMP.numThreads = threads;
    pm.addPass(createConvertSCFToOpenMPPass(openMP));
    // Parallel bodies are wrapped in memref.alloca_scope, which must hold a
    // single block; the kernels allocate nothing there, so canonicalisation
    // inlines the scopes before loops become branches.
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // LLVM lowers f32 -> bf16 truncation to __truncsfbf2, which Debian 12's
  // libgcc lacks; expanded into integer arithmetic it needs no library.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(moe::createMoERequestCWrappers());
  // convert-to-llvm does not know x86vector; this lowers the AVX512_BF16
  // dot products (and every other vector op) first.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = options.runtimeAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void moec::buildCPUPipeline(OpPassManager &pm,
                            const CPUPipelineOptions &options) {
  buildCPULowerToLinalgPipeline(pm, options);
  buildCPUBufferizePipeline(pm);
  buildCPULowerToLLVMPipeline(pm, options);
}

void moec::registerCPUPipelines() {
  moe::registerMoECodegenPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "moe-cpu-lower-to-linalg",
      "CPU stage 1: inline calls of private functions, decompose moe.layer "
      "and lower every moe op to linalg, "
      "tensor, scf, arith and math on tensors; expert GEMMs, the SwiGLU "
      "FFN and combine become packed, tiled CPU kernels",
      buildCPULowerToLinalgPipeline);
  PassPipelineRegistration<>(
      "moe-cpu-bufferize",
      "CPU stage 2: one-shot bufferisation with identity-layout function "
      "boundaries (only moe.in_place arguments writable, their results "
      "dropped), results as caller-provided out-parameters, deallocation",
      buildCPUBufferizePipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "moe-cpu-lower-to-llvm",
      "CPU stage 3: loops, parallel loops (OpenMP unless threads=1), "
      "vectors, control flow and memrefs to the LLVM dialect with "
      "_mlir_ciface_ C entry points",
      buildCPULowerToLLVMPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "moe-cpu-pipeline",
      "Compile moe functions for the host CPU down to the LLVM dialect (all "
      "three moe-cpu-* stages)",
      buildCPUPipeline);
}
