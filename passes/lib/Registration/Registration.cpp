//===- Registration.cpp - what every moec tool registers --------*- C++ -*-===//

#include "moec/Registration.h"

#include "moec/Dialect/MoE/MoEDialect.h"
#include "moec/Dialect/MoENpu/MoENpuDialect.h"
#include "moec/Pipelines/CPUPipeline.h"
#include "moec/Pipelines/NPUPipeline.h"
#include "moec/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void moec::registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::moe::MoEDialect, mlir::moe_npu::MoENpuDialect>();
}

void moec::registerAllPasses() {
  static bool registered = [] {
    mlir::registerAllPasses();
    mlir::moe::registerMoEPasses();
    registerCPUPipelines();
    registerNPUPipelines();
    return true;
  }();
  (void)registered;
}
