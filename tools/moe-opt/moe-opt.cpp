//===- moe-opt.cpp - mlir-opt with moec's dialect and passes ----*- C++ -*-===//

#include "moec/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  moec::registerAllPasses();
  mlir::DialectRegistry registry;
  moec::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "moec optimizer driver\n\n"
      "Runs passes on MLIR that may contain the moe dialect (Mixture-of-"
      "Experts layers).\nmoec's own passes are named --moe-*.\n",
      registry));
}
