//===- PlanBuffers.h - local buffers of a plan's kernel regions -*- C++ -*-===//
//
// What the verifier and the cost model both read off a kernel region: its
// allocations per memory space, their sizes, and how to name them in a
// message. Private to MoECNpuAnalysis.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_LIB_NPU_ANALYSIS_PLANBUFFERS_H
#define MOEC_LIB_NPU_ANALYSIS_PLANBUFFERS_H

#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>

namespace moec::npu {

/// Bytes of one element of `type`, or std::nullopt for types without a
/// whole-byte size (index, i1, ...), which no NPU memory holds.
std::optional<int64_t> elementBytes(mlir::Type type);

/// Bytes of one slot (`rows x cols`) and of all slots of an alloc, or
/// std::nullopt when its element type has no byte size.
std::optional<int64_t> slotBytes(mlir::moe_npu::AllocOp alloc);
std::optional<int64_t> allocBytes(mlir::moe_npu::AllocOp alloc);

/// The allocs of one kernel region, in program order.
llvm::SmallVector<mlir::moe_npu::AllocOp> regionAllocs(mlir::Region &region);

/// "cube core" or "vector core".
llvm::StringRef coreKindName(bool cube);

/// "kernel 'gemm' (cube core)".
std::string regionLabel(mlir::moe_npu::KernelOp kernel, bool cube);

/// "l1_a 2x128x64xbf16": the buffer's name and its type's shape.
std::string describeAlloc(mlir::moe_npu::AllocOp alloc);

/// The kernel's `moe_npu.tiling` attribute as text, or "" when it has none.
std::string kernelTiling(mlir::moe_npu::KernelOp kernel);

} // namespace moec::npu

#endif // MOEC_LIB_NPU_ANALYSIS_PLANBUFFERS_H
