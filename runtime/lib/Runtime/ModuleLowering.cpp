//===- ModuleLowering.cpp - .mlir text to the LLVM dialect ----------------===//

#include "ModuleLowering.h"
#include "SignatureAnalysis.h"

#include "moec/Pipelines/CPUPipeline.h"
#include "moec/Pipelines/NPUPipeline.h"
#include "moec/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace moec;

const DialectRegistry &moec::compilerRegistry() {
  static const DialectRegistry *registry = [] {
    auto *result = new DialectRegistry();
    moec::registerAllDialects(*result);
    registerAllToLLVMIRTranslations(*result);
    return result;
  }();
  return *registry;
}

static llvm::Error diagnosticsError(const llvm::Twine &what,
                                    llvm::StringRef diagnostics) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 what + ":\n" + diagnostics.rtrim());
}

/// Runs a pass manager on a parsed module; the error carries the
/// diagnostics with file:line:col.
using PassRunner = llvm::function_ref<llvm::Error(PassManager &)>;

/// Parses `source`, reads the entry's signature and runs `lower` on the
/// module while the parser's diagnostics handler is alive.
static llvm::Expected<LoweredModule> parseAndLower(
    llvm::StringRef source, llvm::StringRef bufferName,
    const CompileOptions &options,
    llvm::function_ref<llvm::Error(LoweredModule &, PassRunner)> lower) {
  llvm::StringRef entry = options.entry;
  LoweredModule result;
  // A context per compilation keeps compilations independent, so they can
  // run on several threads without sharing anything but the registry.
  result.context = std::make_unique<MLIRContext>(
      compilerRegistry(), MLIRContext::Threading::DISABLED);
  MLIRContext &context = *result.context;

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagStream);

  result.module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!result.module)
    return diagnosticsError("cannot parse " + bufferName, diagnostics);

  auto func = result.module->lookupSymbol<func::FuncOp>(entry);
  if (!func) {
    SmallVector<std::string> names;
    for (auto f : result.module->getOps<func::FuncOp>())
      names.push_back("@" + f.getSymName().str());
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "%s has no function @%s (functions: %s)", bufferName.str().c_str(),
        entry.str().c_str(),
        names.empty() ? "none" : llvm::join(names, ", ").c_str());
  }
  auto signature = analyzeSignature(func);
  if (!signature)
    return signature.takeError();
  result.signature = std::move(*signature);
  auto run = [&](PassManager &pm) -> llvm::Error {
    if (failed(pm.run(*result.module)))
      return diagnosticsError("cannot compile " + bufferName, diagnostics);
    return llvm::Error::success();
  };
  if (llvm::Error err = lower(result, run))
    return std::move(err);
  return result;
}

llvm::Expected<LoweredModule>
moec::lowerToLLVMDialect(llvm::StringRef source, llvm::StringRef bufferName,
                         const CompileOptions &options) {
  return parseAndLower(
      source, bufferName, options,
      [&](LoweredModule &lowered, PassRunner run) -> llvm::Error {
        MLIRContext *context = lowered.context.get();
        PassManager pm(context);
        CPUPipelineOptions pipeline;
        pipeline.target = options.target;
        pipeline.threads = options.threads;
        // Resolved in the process: KernelAllocator.cpp.
        pipeline.runtimeAllocator = true;
        buildCPULowerToLinalgPipeline(pm, pipeline);
        buildCPUBufferizePipeline(pm);
        if (llvm::Error err = run(pm))
          return err;
        // The pack-once entry points exist once results are
        // out-parameters, and their buffer types say what to allocate for
        // the packed weights.
        auto packing = analyzePacking(*lowered.module, options.entry);
        if (!packing)
          return packing.takeError();
        lowered.packing = std::move(*packing);
        PassManager lowerToLLVM(context);
        buildCPULowerToLLVMPipeline(lowerToLLVM, pipeline);
        return run(lowerToLLVM);
      });
}

llvm::Expected<LoweredModule> moec::planForNPU(llvm::StringRef source,
                                               llvm::StringRef bufferName,
                                               const CompileOptions &options) {
  return parseAndLower(
      source, bufferName, options,
      [&](LoweredModule &planned, PassRunner run) -> llvm::Error {
        PassManager pm(planned.context.get());
        NPUPipelineOptions pipeline;
        pipeline.target = options.target;
        buildNPUPipeline(pm, pipeline);
        return run(pm);
      });
}
