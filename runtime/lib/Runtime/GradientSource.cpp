//===- GradientSource.cpp - Compiler::gradientSource ----------------------===//

#include "ModuleLowering.h"

#include "moec/Runtime/Compiler.h"
#include "moec/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

llvm::Expected<std::string>
moec::Compiler::gradientSource(llvm::StringRef source, llvm::StringRef function,
                               llvm::StringRef bufferName) {
  MLIRContext context(compilerRegistry(), MLIRContext::Threading::DISABLED);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagStream);
  auto fail = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + ":\n" +
                                       llvm::StringRef(diagnostics).rtrim());
  };

  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail("cannot parse " + bufferName);
  PassManager pm(&context);
  moe::MoEGradOptions options;
  options.functions.push_back(function.str());
  pm.addPass(moe::createMoEGrad(options));
  if (failed(pm.run(*module)))
    return fail("cannot differentiate @" + function + " of " + bufferName);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}
