//===- HFConfigTranslation.cpp - --import-hf-config for moe-translate -----===//

#include "moec/Model/HFConfigTranslation.h"

#include "moec/Dialect/MoE/MoEDialect.h"
#include "moec/Model/HFConfig.h"
#include "moec/Model/LayerBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {
struct ImportOptions {
  llvm::cl::opt<std::string> elementType{
      "hf-element-type",
      llvm::cl::desc("With --import-hf-config: element type of the layer "
                     "(f32, f16, bf16 or f64), overriding the config's "
                     "torch_dtype"),
      llvm::cl::init("")};
  llvm::cl::opt<std::string> functionName{
      "hf-function-name",
      llvm::cl::desc("With --import-hf-config: name of the generated "
                     "function"),
      llvm::cl::init("moe_layer")};
};
} // namespace

static ImportOptions &options() {
  static ImportOptions instance;
  return instance;
}

static OwningOpRef<Operation *> importHFConfig(llvm::SourceMgr &sourceMgr,
                                               MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  Location fileLoc =
      FileLineColLoc::get(context, buffer->getBufferIdentifier(), 1, 1);
  llvm::Expected<moec::MoELayerConfig> config =
      moec::parseHFConfig(buffer->getBuffer());
  if (!config) {
    emitError(fileLoc) << llvm::toString(config.takeError());
    return nullptr;
  }
  if (StringRef type = options().elementType; !type.empty()) {
    std::optional<moec::ElementType> parsed = moec::parseElementType(type);
    if (!parsed) {
      emitError(fileLoc) << "--hf-element-type must be f32, f16, bf16 or f64, got '"
                         << type << "'";
      return nullptr;
    }
    config->elementType = *parsed;
  }
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      moec::buildLayerModule(*context, *config, options().functionName);
  if (!module) {
    emitError(fileLoc) << llvm::toString(module.takeError());
    return nullptr;
  }
  return OwningOpRef<Operation *>(module->release());
}

void moec::registerHFConfigImport() {
  options();
  static TranslateToMLIRRegistration registration(
      "import-hf-config",
      "MoE layer function (moe.layer) from a Hugging Face config.json",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context) {
        return importHFConfig(sourceMgr, context);
      },
      [](DialectRegistry &registry) {
        registry.insert<moe::MoEDialect, func::FuncDialect>();
      });
}
