//===- moe-translate.cpp - moec's translations ------------------*- C++ -*-===//

#include "moec/Model/HFConfigTranslation.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  moec::registerHFConfigImport();
  return mlir::failed(mlir::mlirTranslateMain(
      argc, argv,
      "moec translation driver\n\n"
      "  moe-translate --import-hf-config config.json > layer.mlir\n"
      "writes the MoE layer a Hugging Face config.json describes as a "
      "moe.layer function.\n"));
}
