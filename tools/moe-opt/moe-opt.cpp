//===- moe-opt.cpp - mlir-opt with moec's dialect and passes ----*- C++ -*-===//

#include "moec/Codegen/Passes.h"
#include "moec/Registration.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace {

llvm::cl::opt<bool> listTargets(
    "moe-list-targets",
    llvm::cl::desc("Print the registered targets (cpu-host, ascend-910b, "
                   "ascend-910c) with their parameters, in the key=value "
                   "spelling of overrides, and exit"));

llvm::cl::opt<std::string> targetSpec(
    "moe-target",
    llvm::cl::desc("Attach this target (a registry name with optional "
                   "':key=value,...' overrides, docs/target-description.md) "
                   "to the module as moe.target before the passes run"),
    llvm::cl::value_desc("name[:key=value,...]"));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "moe-opt") << message << "\n";
  return 1;
}

int printTargets() {
  for (llvm::StringRef name : moec::registeredTargets()) {
    llvm::Expected<moec::TargetDesc> target = moec::resolveTarget(name);
    if (!target)
      return fail(llvm::toString(target.takeError()));
    target->print(llvm::outs());
  }
  return 0;
}

/// MlirOptMain with --moe-set-target{target=spec} ahead of the pipeline the
/// command line asks for.
int runWithTarget(llvm::StringRef input, llvm::StringRef output,
                  mlir::DialectRegistry &registry) {
  if (llvm::Expected<moec::TargetDesc> target = moec::resolveTarget(targetSpec);
      !target)
    return fail("--moe-target: " + llvm::toString(target.takeError()));
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  mlir::MlirOptMainConfig requested = config;
  std::string spec = targetSpec;
  config.setPassPipelineSetupFn(
      [requested, spec](mlir::PassManager &pm) -> mlir::LogicalResult {
        pm.addPass(mlir::moe::createMoESetTarget({spec}));
        return requested.setupPassPipeline(pm);
      });
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file =
      mlir::openInputFile(input, &message);
  if (!file)
    return fail(message);
  std::unique_ptr<llvm::ToolOutputFile> out =
      mlir::openOutputFile(output, &message);
  if (!out)
    return fail(message);
  if (mlir::failed(
          mlir::MlirOptMain(out->os(), std::move(file), registry, config)))
    return 1;
  out->keep();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  moec::registerAllPasses();
  mlir::DialectRegistry registry;
  moec::registerAllDialects(registry);
  auto [input, output] = mlir::registerAndParseCLIOptions(
      argc, argv,
      "moec optimizer driver\n\n"
      "Runs passes on MLIR that may contain the moe dialect (Mixture-of-"
      "Experts layers).\nmoec's own passes are named --moe-*.\n",
      registry);
  if (listTargets)
    return printTargets();
  if (targetSpec.getNumOccurrences())
    return runWithTarget(input, output, registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, input, output, registry));
}
