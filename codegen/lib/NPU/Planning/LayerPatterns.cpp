//===- LayerPatterns.cpp - the op groups the NPU plan fuses ---------------===//

#include "LayerPatterns.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace moec;
using namespace moec::npu;

bool moec::npu::isZeroInitMatmul(linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op.getDpsInits().size() != 1)
    return false;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  return matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ||
         matchPattern(fill.getInputs()[0], m_Zero());
}

std::optional<GateUpPattern> moec::npu::matchGateUp(moe::SwigluOp swiglu) {
  if (swiglu.isFused())
    return std::nullopt;
  Operation *gate = swiglu.getGate().getDefiningOp();
  Operation *up = swiglu.getUp().getDefiningOp();
  if (!gate || !up || gate == up || !gate->hasOneUse() || !up->hasOneUse())
    return std::nullopt;
  if (auto g = dyn_cast<moe::GroupedMatmulOp>(gate)) {
    auto u = dyn_cast<moe::GroupedMatmulOp>(up);
    if (u && g.getInput() == u.getInput() && g.getOffsets() == u.getOffsets())
      return GateUpPattern{swiglu, gate, up, /*grouped=*/true};
    return std::nullopt;
  }
  auto g = dyn_cast<linalg::MatmulOp>(gate);
  auto u = dyn_cast<linalg::MatmulOp>(up);
  if (g && u && isZeroInitMatmul(g) && isZeroInitMatmul(u) &&
      g.getDpsInputs()[0] == u.getDpsInputs()[0])
    return GateUpPattern{swiglu, gate, up, /*grouped=*/false};
  return std::nullopt;
}

linalg::AddOp moec::npu::matchCombineAdd(moe::CombineOp combine) {
  if (!combine->hasOneUse())
    return {};
  auto add = dyn_cast<linalg::AddOp>(*combine->getUsers().begin());
  if (!add || !add.hasPureTensorSemantics())
    return {};
  return add;
}

Value moec::npu::gemmLhs(Operation *gemm) {
  if (auto grouped = dyn_cast<moe::GroupedMatmulOp>(gemm))
    return grouped.getInput();
  return cast<linalg::MatmulOp>(gemm).getDpsInputs()[0];
}

Value moec::npu::gemmRhs(Operation *gemm) {
  if (auto grouped = dyn_cast<moe::GroupedMatmulOp>(gemm))
    return grouped.getWeight();
  return cast<linalg::MatmulOp>(gemm).getDpsInputs()[1];
}

bool moec::npu::readsDispatchedRows(Operation *gemm) {
  auto grouped = dyn_cast<moe::GroupedMatmulOp>(gemm);
  return grouped && grouped.getInput().getDefiningOp<moe::DispatchOp>();
}

FailureOr<TargetDesc> moec::npu::planningTarget(ModuleOp module) {
  auto target = npuTargetOf(module);
  if (!target) {
    module.emitError(llvm::toString(target.takeError()));
    return failure();
  }
  return std::move(*target);
}
