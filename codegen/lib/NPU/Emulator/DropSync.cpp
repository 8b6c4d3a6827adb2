//===- DropSync.cpp - delete one wait from a plan (testing aid) -----------===//
//
// Tests show the emulator's ordering checks at work by removing one
// synchronisation from a correct plan: the read it guarded is no longer
// ordered after its write, which the emulator reports before it would
// complain about the set that nobody consumes.
//
//===----------------------------------------------------------------------===//

#include "moec/Codegen/Passes.h"
#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOENPUDROPSYNC
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;

namespace {

struct MoENpuDropSync : moe::impl::MoENpuDropSyncBase<MoENpuDropSync> {
  using Base::Base;

  void runOnOperation() override {
    // Waits have no regions, so pre- and post-order walks list them alike:
    // in the order they appear in the text.
    SmallVector<Operation *> waits;
    getOperation()->walk([&](Operation *op) {
      if (isa<moe_npu::WaitFlagOp, moe_npu::SyncBlockWaitOp>(op))
        waits.push_back(op);
    });
    int64_t wanted = index;
    if (wanted < 0 || wanted >= static_cast<int64_t>(waits.size())) {
      getOperation()->emitError()
          << "--moe-npu-drop-sync: cannot drop wait " << wanted
          << ", the module has " << waits.size()
          << " moe_npu.wait_flag/sync_block_wait op(s) (index counts from "
             "0)";
      return signalPassFailure();
    }
    waits[wanted]->erase();
  }
};

} // namespace
