//===- EmulatorRouting.h - #moe.routing of one token in f32 -----*- C++ -*-===//
//
// The routing math of moe.router (dialects/include/moec/Dialect/MoE/
// MoEAttrs.td, docs/cpu-numerics.md) as the vector unit runs it: scoring,
// selection bias, group limit, top-k, normalisation and scaling, in f32.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_EMULATORROUTING_H
#define MOEC_NPU_EMULATOR_EMULATORROUTING_H

#include "moec/Dialect/MoE/MoEAttrs.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>

namespace moec::npu::emu {

/// Empty when `routing` can pick among `experts` experts, else what is
/// wrong (the checks of RoutingAttr::verifyForExperts, without a diagnostic
/// engine, so that concurrent emulations stay independent).
std::string routingProblem(mlir::moe::RoutingAttr routing, int64_t experts);

/// Routes one token: `logits` and `bias` (empty for none) have one entry
/// per expert; `weights` and `ids` get the k picks in descending order of
/// selection score. `routing` must suit the expert count (routingProblem).
void routeToken(mlir::moe::RoutingAttr routing, llvm::ArrayRef<float> logits,
                llvm::ArrayRef<float> bias,
                llvm::MutableArrayRef<float> weights,
                llvm::MutableArrayRef<int32_t> ids);

} // namespace moec::npu::emu

#endif // MOEC_NPU_EMULATOR_EMULATORROUTING_H
