//===- CheckEventIds.cpp - flag ids within the target's budgets -----------===//
//
// Event ids are index values, often computed (a ping-pong slot), so the
// check is on their range over every execution: IndexBounds gives it from
// the kernel's grid, loop bounds and arithmetic. An id whose range cannot
// be bounded is an error too: the plan cannot be shown to fit.
//
//===----------------------------------------------------------------------===//

#include "IndexBounds.h"
#include "PlanChecks.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

/// The id operand of a flag or cross-core sync op, what it is called, and
/// the number of ids the target has for it.
struct FlagId {
  Value id;
  const char *kind;
  unsigned budget;
  const char *budgetName;
};

std::optional<FlagId> flagIdOf(Operation *op, const TargetDesc &target) {
  auto event = [&](Value id) {
    return FlagId{id, "event id", target.eventIds, "event ids"};
  };
  auto crossCore = [&](Value id) {
    return FlagId{id, "cross-core flag id", target.crossCoreEventIds,
                  "cross-core event ids"};
  };
  return llvm::TypeSwitch<Operation *, std::optional<FlagId>>(op)
      .Case<SetFlagOp, WaitFlagOp>([&](auto flag) {
        return std::optional<FlagId>(event(flag.getEvent()));
      })
      .Case<SyncBlockSetOp, SyncBlockWaitOp>([&](auto sync) {
        return std::optional<FlagId>(crossCore(sync.getFlag()));
      })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace

LogicalResult checkEventIds(const RegionScope &scope) {
  IndexBounds bounds(scope.kernel);
  bool ok = true;
  scope.region.walk([&](Operation *op) {
    std::optional<FlagId> flag = flagIdOf(op, scope.target);
    if (!flag)
      return;
    IndexRange range = bounds.range(flag->id);
    int64_t budget = flag->budget;
    std::string allowed =
        budget == 0 ? std::string("none") : "0.." + std::to_string(budget - 1);
    if (!range.isBounded()) {
      op->emitError() << "cannot bound the " << flag->kind << " of "
                      << op->getName() << " (its "
                      << (range.hi ? "lower" : "upper")
                      << " end is unknown); target '" << scope.target.name
                      << "' has " << budget << " " << flag->budgetName << " ("
                      << allowed << ")";
      ok = false;
      return;
    }
    if (*range.lo >= 0 && *range.hi < budget)
      return;
    op->emitError() << "the " << flag->kind << " of " << op->getName()
                    << " ranges over [" << *range.lo << ", " << *range.hi
                    << "], beyond the " << budget << " " << flag->budgetName
                    << " (" << allowed << ") of target '" << scope.target.name
                    << "'";
    ok = false;
  });
  return success(ok);
}

} // namespace moec::npu
