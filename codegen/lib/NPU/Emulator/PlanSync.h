//===- PlanSync.h - flags and cross-core syncs of one kernel ----*- C++ -*-===//
//
// The counting semantics of set_flag/wait_flag (per core, source pipe,
// destination pipe and event id) and of sync_block_set/sync_block_wait
// (between the cube core and the vector cores of a block), for one kernel
// launch. Every signal gets a token that the handler sees when it is raised
// and again when a wait consumes it. Private to the plan interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_PLANSYNC_H
#define MOEC_NPU_EMULATOR_PLANSYNC_H

#include "moec/NPU/PlanInterpreter.h"

#include <deque>
#include <map>
#include <optional>
#include <tuple>

namespace moec::npu::detail {

/// The event ids a core has, from the module's `moe.target`.
struct EventBudget {
  std::string target;
  int64_t eventIds = 0;
  int64_t crossCoreEventIds = 0;
};

class KernelSync {
public:
  KernelSync(mlir::moe_npu::KernelOp kernel, std::optional<EventBudget> budget,
             InstructionHandler &handler, uint64_t &nextToken)
      : kernelName(kernel.getKernelName().str()),
        subblocks(static_cast<int64_t>(kernel.getSubblocks())),
        hasCube(kernel.hasCube()), hasVector(kernel.hasVector()),
        budget(std::move(budget)), handler(handler), nextToken(nextToken) {}

  llvm::Error setFlag(mlir::moe_npu::SetFlagOp op, const CoreRef &core,
                      int64_t event);
  /// Consumes one pending set; an error when there is none, since nothing
  /// later in the core's program can raise it while the pipe waits.
  llvm::Error waitFlag(mlir::moe_npu::WaitFlagOp op, const CoreRef &core,
                       int64_t event);

  llvm::Error blockSet(mlir::moe_npu::SyncBlockSetOp op, const CoreRef &core,
                       int64_t flag);
  /// Consumes the signals the wait needs and returns true, or returns false
  /// (consuming nothing) when some are not there yet: the core must yield.
  llvm::Expected<bool> blockWait(mlir::moe_npu::SyncBlockWaitOp op,
                                 const CoreRef &core, int64_t flag);
  /// The cores a blocked sync_block_wait still waits for, "AIV 0.0, AIV 0.1".
  std::string missingSignals(const CoreRef &core, int64_t flag) const;

  /// At kernel end: an error naming a signal no wait consumed.
  llvm::Error checkAllConsumed() const;

private:
  struct Pending {
    uint64_t token;
    mlir::Operation *set;
  };
  /// (block, sub, src pipe, dst pipe, event).
  using FlagKey = std::tuple<int64_t, int64_t, int, int, int64_t>;
  /// (block, vector core, towards the cube core?, flag).
  using BlockKey = std::tuple<int64_t, int64_t, bool, int64_t>;

  llvm::Error checkId(mlir::Operation *op, const CoreRef &core, int64_t id,
                      bool crossCore) const;
  llvm::Error checkOtherSide(mlir::Operation *op, const CoreRef &core) const;
  llvm::Error raise(mlir::Operation *op, const CoreRef &core,
                    std::deque<Pending> &queue);
  llvm::Error consume(mlir::Operation *op, const CoreRef &core,
                      std::deque<Pending> &queue);
  /// The queue of signals to vector core `sub` (towardsCube false) or from it
  /// to the cube core (towardsCube true).
  const std::deque<Pending> *blockQueue(int64_t block, int64_t sub,
                                        bool towardsCube, int64_t flag) const;

  std::string kernelName;
  int64_t subblocks;
  bool hasCube, hasVector;
  std::optional<EventBudget> budget;
  InstructionHandler &handler;
  uint64_t &nextToken;
  std::map<FlagKey, std::deque<Pending>> flags;
  std::map<BlockKey, std::deque<Pending>> blockSignals;
};

} // namespace moec::npu::detail

#endif // MOEC_NPU_EMULATOR_PLANSYNC_H
