//===- VectorKernels.h - vector-unit kernels of the plan --------*- C++ -*-===//

#ifndef MOEC_NPU_PLANNING_VECTORKERNELS_H
#define MOEC_NPU_PLANNING_VECTORKERNELS_H

#include "CoreBuilder.h"

#include "moec/Dialect/MoE/MoEAttrs.h"

namespace moec::npu {

/// The router: `vroute` on tiles of `rows` logit rows, dealt to every
/// vector core; writes `weights` [T, k] and `ids` [T, k].
void emitRouterKernel(mlir::OpBuilder &b, mlir::Location loc,
                      const TargetDesc &target, mlir::Value logits,
                      mlir::Value bias, mlir::Value weights, mlir::Value ids,
                      mlir::moe::RoutingAttr routing, int64_t rows,
                      mlir::Attribute tiling);

/// The dispatch: `dispatch_metadata` on one vector core.
void emitDispatchKernel(mlir::OpBuilder &b, mlir::Location loc, mlir::Value ids,
                        mlir::Value tokens, mlir::Value rows, mlir::Value tiles,
                        int64_t experts, int64_t tileRows);

/// The combine: for each tile of `rows` tokens x `cols` columns, gathers the
/// k expert-output rows of its tokens (through `pairRows`, the sorted row
/// of each pair) and sums them weighted, starting from `init` (the shared
/// experts' output) when given.
void emitCombineKernel(mlir::OpBuilder &b, mlir::Location loc,
                       const TargetDesc &target, mlir::Value expertOut,
                       mlir::Value pairRows, mlir::Value weights,
                       mlir::Value init, mlir::Value out, int64_t rows,
                       int64_t cols, mlir::Attribute tiling);

} // namespace moec::npu

#endif // MOEC_NPU_PLANNING_VECTORKERNELS_H
