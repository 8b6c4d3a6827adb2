//===- ObjectEmitter.cpp - ahead-of-time objects and shared libraries
//------===//

#include "moec/Runtime/Compiler.h"

#include "HostTarget.h"
#include "ModuleLowering.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace moec;

static llvm::Error emitError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error Compiler::emitObjectFile(llvm::StringRef source,
                                     llvm::StringRef path,
                                     const CompileOptions &options) {
  auto lowered = lowerToLLVMDialect(source, "<source>", options);
  if (!lowered)
    return lowered.takeError();
  auto machine = createHostTargetMachine(options.optLevel, /*forJIT=*/false);
  if (!machine)
    return machine.takeError();

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> module =
      mlir::translateModuleToLLVMIR(*lowered->module, llvmContext);
  if (!module)
    return emitError("cannot translate the LLVM dialect to LLVM IR");
  module->setTargetTriple((*machine)->getTargetTriple());
  module->setDataLayout((*machine)->createDataLayout());
  if (llvm::Error err = mlir::makeOptimizingTransformer(
          options.optLevel, /*sizeLevel=*/0, machine->get())(module.get()))
    return err;

  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return emitError("cannot write " + path + ": " + ec.message());
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, out.os(), nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return emitError("the host target cannot emit object files");
  codegen.run(*module);
  out.keep();
  return llvm::Error::success();
}

/// The C compiler used as a linker driver: LLVM 22's clang when installed
/// (it is the toolchain moec is built with), otherwise the system's cc.
static llvm::Expected<std::string> findLinkerDriver() {
  for (const char *name : {"clang-22", "clang", "cc"})
    if (auto program = llvm::sys::findProgramByName(name))
      return *program;
  if (auto program =
          llvm::sys::findProgramByName("clang", {"/usr/lib/llvm-22/bin"}))
    return *program;
  return emitError("cannot link a shared library: none of clang-22, clang or "
                   "cc is on PATH");
}

llvm::Error Compiler::emitSharedLibrary(llvm::StringRef source,
                                        llvm::StringRef path,
                                        const CompileOptions &options) {
  llvm::SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("moec-kernel", "o", object))
    return emitError("cannot create a temporary object file: " + ec.message());
  llvm::FileRemover removeObject(object);
  if (llvm::Error err = emitObjectFile(source, object, options))
    return err;
  auto driver = findLinkerDriver();
  if (!driver)
    return driver.takeError();

  std::string outputPath = path.str();
  llvm::SmallVector<llvm::StringRef> args = {*driver,    "-shared", "-o",
                                             outputPath, object,    "-lm"};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*driver, args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0)
    return emitError("linking " + path + " with " + *driver + " failed" +
                     (message.empty() ? "" : ": " + message));
  return llvm::Error::success();
}
