//===- VerifyPlan.cpp - --moe-npu-verify-plan -----------------------------===//
//
// Checks every kernel of a plan against the module's NPU target: the
// kernel's grid against the cores, then each region (cube, vector) for
// memory, fractals, copy edges and event ids. All problems are reported,
// not only the first.
//
//===----------------------------------------------------------------------===//

#include "PlanBuffers.h"
#include "PlanChecks.h"

#include "moec/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOENPUVERIFYPLAN
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {

std::string RegionScope::label() const { return regionLabel(kernel, cube); }

LogicalResult checkGrid(KernelOp kernel, const TargetDesc &target) {
  int64_t cubeCores = target.matrixCores;
  if (cubeCores == 0)
    return kernel.emitError()
           << "target '" << target.name
           << "' has no cube cores, so no block of kernel '"
           << kernel.getKernelName() << "' has a core to run on";
  bool ok = true;
  int64_t grid = kernel.getGrid(), subblocks = kernel.getSubblocks();
  if (grid > cubeCores) {
    kernel.emitError() << "kernel '" << kernel.getKernelName()
                       << "' has grid = " << grid << " but target '"
                       << target.name << "' has " << cubeCores << " cube cores";
    ok = false;
  }
  int64_t perBlock = target.vectorCores / cubeCores;
  if (subblocks > perBlock) {
    kernel.emitError() << "kernel '" << kernel.getKernelName()
                       << "' has subblocks = " << subblocks << " but target '"
                       << target.name << "' has " << perBlock
                       << " vector cores per cube core (" << target.vectorCores
                       << " / " << cubeCores << ")";
    ok = false;
  }
  return success(ok);
}

} // namespace moec::npu

namespace {

using namespace moec::npu;

struct MoENpuVerifyPlan
    : mlir::moe::impl::MoENpuVerifyPlanBase<MoENpuVerifyPlan> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    // Event ids are bounded through loop bounds and index arithmetic.
    arith::registerValueBoundsOpInterfaceExternalModels(registry);
    scf::registerValueBoundsOpInterfaceExternalModels(registry);
  }

  void runOnOperation() override {
    llvm::Expected<moec::TargetDesc> target = moec::npuTargetOf(getOperation());
    if (!target) {
      getOperation().emitError()
          << "--moe-npu-verify-plan: " << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    bool ok = true;
    getOperation().walk([&](KernelOp kernel) {
      ok &= succeeded(checkGrid(kernel, *target));
      for (bool cube : {true, false}) {
        Region &region = cube ? kernel.getCube() : kernel.getVector();
        if (region.empty())
          continue;
        RegionScope scope{kernel, region, cube, *target};
        ok &= succeeded(checkMemory(scope));
        ok &= succeeded(checkFractals(scope));
        ok &= succeeded(checkCopyEdges(scope));
        ok &= succeeded(checkEventIds(scope));
      }
    });
    if (!ok)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace
