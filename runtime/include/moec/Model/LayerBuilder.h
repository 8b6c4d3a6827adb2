//===- LayerBuilder.h - moe.layer functions from a config -------*- C++ -*-===//

#ifndef MOEC_MODEL_LAYERBUILDER_H
#define MOEC_MODEL_LAYERBUILDER_H

#include "moec/Model/LayerConfig.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace moec {

/// Builds, at the builder's insertion point,
///
///   func.func @<name>(%x: tensor<?xHxT>, %router_w: tensor<HxExT>,
///       %w_gate: tensor<ExHxIxT>, %w_up: tensor<ExHxIxT>,
///       %w_down: tensor<ExIxHxT>
///       [, %shared_gate: tensor<HxSxT>, %shared_up: tensor<HxSxT>,
///          %shared_down: tensor<SxHxT>]
///       [, %bias: tensor<ExT>]) -> tensor<?xHxT>
///
/// holding one moe.layer. The config must be valid (see validate()).
mlir::func::FuncOp buildLayerFunction(mlir::OpBuilder &builder,
                                      mlir::Location loc,
                                      const MoELayerConfig &config,
                                      llvm::StringRef name = "moe_layer");

/// A new module holding buildLayerFunction(config, name); checks the config
/// first and verifies the result.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildLayerModule(mlir::MLIRContext &context, const MoELayerConfig &config,
                 llvm::StringRef name = "moe_layer");

} // namespace moec

#endif // MOEC_MODEL_LAYERBUILDER_H
