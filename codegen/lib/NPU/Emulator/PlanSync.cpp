//===- PlanSync.cpp - flags and cross-core syncs of one kernel ------------===//

#include "PlanSync.h"
#include "PlanErrors.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::detail;

namespace {

std::string flagName(Pipe src, Pipe dst, int64_t event) {
  return llvm::formatv("{0} -> {1} [event {2}]", pipeName(src), pipeName(dst),
                       event);
}

} // namespace

llvm::Error KernelSync::checkId(Operation *op, const CoreRef &core, int64_t id,
                                bool crossCore) const {
  int64_t limit = -1;
  std::string what = crossCore ? "cross-core event ids" : "event ids";
  if (budget)
    limit = crossCore ? budget->crossCoreEventIds : budget->eventIds;
  if (id >= 0 && (limit < 0 || id < limit))
    return llvm::Error::success();
  if (id < 0)
    return coreError(op, core, llvm::formatv("event id {0} is negative", id));
  return coreError(op, core,
                   llvm::formatv("event id {0} is outside the {1} {2} of "
                                 "target '{3}'",
                                 id, limit, what, budget->target));
}

llvm::Error KernelSync::checkOtherSide(Operation *op,
                                       const CoreRef &core) const {
  bool other = core.isCube() ? hasVector : hasCube;
  if (other)
    return llvm::Error::success();
  return coreError(op, core,
                   llvm::formatv("kernel '{0}' has no {1} region, so no core "
                                 "is on the other side of this cross-core "
                                 "sync",
                                 kernelName,
                                 core.isCube() ? "vector" : "cube"));
}

llvm::Error KernelSync::raise(Operation *op, const CoreRef &core,
                              std::deque<Pending> &queue) {
  uint64_t token = nextToken++;
  if (llvm::Error err = handler.signal(op, core, token))
    return err;
  queue.push_back({token, op});
  return llvm::Error::success();
}

llvm::Error KernelSync::consume(Operation *op, const CoreRef &core,
                                std::deque<Pending> &queue) {
  Pending pending = queue.front();
  queue.pop_front();
  return handler.await(op, core, pending.token);
}

llvm::Error KernelSync::setFlag(SetFlagOp op, const CoreRef &core,
                                int64_t event) {
  if (llvm::Error err = checkId(op, core, event, /*crossCore=*/false))
    return err;
  FlagKey key{core.block, core.sub, static_cast<int>(op.getSrc()),
              static_cast<int>(op.getDst()), event};
  return raise(op, core, flags[key]);
}

llvm::Error KernelSync::waitFlag(WaitFlagOp op, const CoreRef &core,
                                 int64_t event) {
  if (llvm::Error err = checkId(op, core, event, /*crossCore=*/false))
    return err;
  FlagKey key{core.block, core.sub, static_cast<int>(op.getSrc()),
              static_cast<int>(op.getDst()), event};
  auto it = flags.find(key);
  if (it == flags.end() || it->second.empty())
    return coreError(
        op, core,
        llvm::formatv("no set_flag {0} is pending, so pipe {1} would wait "
                      "forever",
                      flagName(op.getSrc(), op.getDst(), event),
                      pipeName(op.getDst())));
  return consume(op, core, it->second);
}

const std::deque<KernelSync::Pending> *
KernelSync::blockQueue(int64_t block, int64_t sub, bool towardsCube,
                       int64_t flag) const {
  auto it = blockSignals.find(BlockKey{block, sub, towardsCube, flag});
  return it == blockSignals.end() ? nullptr : &it->second;
}

llvm::Error KernelSync::blockSet(SyncBlockSetOp op, const CoreRef &core,
                                 int64_t flag) {
  if (llvm::Error err = checkId(op, core, flag, /*crossCore=*/true))
    return err;
  if (llvm::Error err = checkOtherSide(op, core))
    return err;
  if (!core.isCube())
    return raise(op, core,
                 blockSignals[BlockKey{core.block, core.sub, true, flag}]);
  // The cube core signals each vector core of its block; each consumes its
  // own token.
  for (int64_t sub = 0; sub < subblocks; ++sub)
    if (llvm::Error err = raise(
            op, core, blockSignals[BlockKey{core.block, sub, false, flag}]))
      return err;
  return llvm::Error::success();
}

llvm::Expected<bool> KernelSync::blockWait(SyncBlockWaitOp op,
                                           const CoreRef &core, int64_t flag) {
  if (llvm::Error err = checkId(op, core, flag, /*crossCore=*/true))
    return std::move(err);
  if (llvm::Error err = checkOtherSide(op, core))
    return std::move(err);
  if (!missingSignals(core, flag).empty())
    return false;
  if (!core.isCube()) {
    if (llvm::Error err =
            consume(op, core,
                    blockSignals[BlockKey{core.block, core.sub, false, flag}]))
      return std::move(err);
    return true;
  }
  // The cube core waits for one signal from every vector core of the block.
  for (int64_t sub = 0; sub < subblocks; ++sub)
    if (llvm::Error err = consume(
            op, core, blockSignals[BlockKey{core.block, sub, true, flag}]))
      return std::move(err);
  return true;
}

std::string KernelSync::missingSignals(const CoreRef &core,
                                       int64_t flag) const {
  auto empty = [&](int64_t sub, bool towardsCube) {
    const std::deque<Pending> *queue =
        blockQueue(core.block, sub, towardsCube, flag);
    return !queue || queue->empty();
  };
  if (!core.isCube())
    return empty(core.sub, false) ? CoreRef{core.block, -1}.str() : "";
  std::string missing;
  for (int64_t sub = 0; sub < subblocks; ++sub)
    if (empty(sub, true))
      missing += (missing.empty() ? "" : ", ") + CoreRef{core.block, sub}.str();
  return missing;
}

llvm::Error KernelSync::checkAllConsumed() const {
  auto unbalanced = [&](size_t count, Operation *last,
                        const llvm::Twine &what) {
    return planError(
        llvm::formatv("unbalanced sync in kernel '{0}': {1} {2} never "
                      "consumed by a wait (last raised by {3})",
                      kernelName, count, what.str(), describeOp(last)));
  };
  for (const auto &[key, queue] : flags) {
    if (queue.empty())
      continue;
    auto [block, sub, src, dst, event] = key;
    return unbalanced(
        queue.size(), queue.back().set,
        "set_flag " +
            flagName(static_cast<Pipe>(src), static_cast<Pipe>(dst), event) +
            " on " + CoreRef{block, sub}.str());
  }
  for (const auto &[key, queue] : blockSignals) {
    if (queue.empty())
      continue;
    auto [block, sub, towardsCube, flag] = key;
    CoreRef cube{block, -1}, vector{block, sub};
    return unbalanced(queue.size(), queue.back().set,
                      llvm::formatv("signal(s) of cross-core flag {0} from {1} "
                                    "to {2}",
                                    flag, (towardsCube ? vector : cube).str(),
                                    (towardsCube ? cube : vector).str())
                          .str());
  }
  return llvm::Error::success();
}
