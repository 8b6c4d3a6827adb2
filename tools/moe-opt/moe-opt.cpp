//===- moe-opt.cpp - mlir-opt with moec's dialect and passes ----*- C++ -*-===//

#include "moec/Registration.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/WithColor.h"

namespace {

llvm::cl::opt<bool> listTargets(
    "moe-list-targets",
    llvm::cl::desc("Print the registered targets (cpu-host, ascend-910b, "
                   "ascend-910c) with their parameters, in the key=value "
                   "spelling of overrides, and exit"));

int printTargets() {
  for (llvm::StringRef name : moec::registeredTargets()) {
    llvm::Expected<moec::TargetDesc> target = moec::resolveTarget(name);
    if (!target) {
      llvm::WithColor::error(llvm::errs(), "moe-opt")
          << llvm::toString(target.takeError()) << "\n";
      return 1;
    }
    target->print(llvm::outs());
  }
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
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, input, output, registry));
}
