//===- PlanInterpreter.cpp - walk a moe_npu plan core by core -------------===//
//
// The plan body runs once: workspaces, then kernels in order. A kernel runs
// every core of every block as a resumable context (its values and a stack
// of loop and branch frames), so that a core waiting on a cross-core flag
// can yield to the others. The scheduler runs the cores round-robin, each
// until it finishes or blocks, in a fixed order (a block's cube core, then
// its vector cores, block by block): results are deterministic, and when
// every unfinished core is blocked the plan has a deadlock, reported rather
// than hung on.
//
//===----------------------------------------------------------------------===//

#include "PlanErrors.h"
#include "PlanSync.h"
#include "ScalarEval.h"

#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <deque>
#include <memory>

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::detail;

OperandValues::~OperandValues() = default;
InstructionHandler::~InstructionHandler() = default;

namespace {

/// A region body being executed: the block, the next op to run and, for a
/// loop, its induction variable.
struct Frame {
  Block *block;
  Block::iterator next;
  /// The scf.for or scf.if whose region this is; null for a kernel region.
  Operation *owner = nullptr;
  int64_t iv = 0, upper = 0, step = 0;
};

/// One core of a launch, resumable between any two ops.
struct Core {
  Core(CoreRef ref, const ValueEnv &host) : ref(ref), env(&host) {}
  CoreRef ref;
  ValueEnv env;
  llvm::SmallVector<Frame, 4> frames;
  /// The sync_block_wait it is blocked on, and its flag.
  SyncBlockWaitOp blockedOn;
  int64_t blockedFlag = 0;
  bool finished() const { return frames.empty(); }
};

/// What running one op did to the core's control flow.
enum class Step { Next, Entered, Blocked };

/// The handler's view of a core's values; every operand has been checked to
/// have one before the handler is called.
class CoreOperands final : public OperandValues {
public:
  CoreOperands(const ValueEnv &env, const std::deque<BufferInfo> &buffers)
      : env(env), buffers(buffers) {}
  int64_t index(Value value) const override {
    return env.lookupScalar(value).value_or(0);
  }
  const BufferInfo &buffer(Value value) const override {
    return buffers[*env.lookupBuffer(value)];
  }

private:
  const ValueEnv &env;
  const std::deque<BufferInfo> &buffers;
};

/// "L1 'l1_a'", "GM workspace 'gate_up'".
std::string bufferName(MemorySpace space, StringRef name, bool workspace) {
  return (getLevelName(space) + (workspace ? " workspace '" : " '") + name +
          "'")
      .str();
}

class PlanRunner {
public:
  PlanRunner(func::FuncOp plan, InstructionHandler &handler,
             const InterpreterOptions &options)
      : plan(plan), handler(handler), options(options) {}

  llvm::Error run(ArrayRef<SmallVector<int64_t>> argShapes);

private:
  llvm::Error createArguments(ArrayRef<SmallVector<int64_t>> argShapes);
  llvm::Error createWorkspace(WorkspaceOp op);
  llvm::Error runKernel(KernelOp kernel);
  /// Places `core` at the start of its kernel region.
  void startCore(Core &core, Region &region);
  /// Runs `core` until it finishes or blocks; true when it ran anything.
  llvm::Expected<bool> runCore(Core &core, KernelSync &sync);
  llvm::Expected<Step> execute(Operation &op, Core &core, KernelSync &sync);
  llvm::Expected<Step> enterFor(scf::ForOp op, Core &core);
  llvm::Expected<Step> enterIf(scf::IfOp op, Core &core);
  llvm::Error yield(scf::YieldOp op, Core &core);
  llvm::Error allocate(AllocOp op, Core &core);
  llvm::Expected<Step> synchronise(Operation &op, Core &core, KernelSync &sync);
  llvm::Error checkOperands(Operation *op, const Core &core) const;
  llvm::Error deadlock(KernelOp kernel, const KernelSync &sync,
                       ArrayRef<std::unique_ptr<Core>> cores) const;
  BufferId addBuffer(BufferInfo info);
  const BufferInfo &info(BufferId id) const { return buffers[id]; }
  llvm::Error coreError(Operation *op, const Core &core,
                        const llvm::Twine &message) const {
    return moec::npu::detail::coreError(op, core.ref, message);
  }

  func::FuncOp plan;
  InstructionHandler &handler;
  const InterpreterOptions &options;
  std::optional<EventBudget> budget;
  ValueEnv host;
  /// Every buffer created, indexed by its id; a deque so that references
  /// handed to the handler stay valid.
  std::deque<BufferInfo> buffers;
  uint64_t nextToken = 1;
};

BufferId PlanRunner::addBuffer(BufferInfo info) {
  info.id = static_cast<BufferId>(buffers.size());
  buffers.push_back(std::move(info));
  return buffers.back().id;
}

llvm::Error
PlanRunner::createArguments(ArrayRef<SmallVector<int64_t>> argShapes) {
  std::string fn = "@" + plan.getSymName().str();
  if (argShapes.size() != plan.getNumArguments())
    return planError(
        llvm::formatv("{0} takes {1} argument(s), got {2} shape(s)", fn,
                      plan.getNumArguments(), argShapes.size()));
  for (auto [index, arg] : llvm::enumerate(plan.getArguments())) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || getMemorySpace(type) != MemorySpace::gm)
      return planError(llvm::formatv("argument {0} of {1} is not a GM memref "
                                     "but {2}",
                                     index, fn, arg.getType()));
    ArrayRef<int64_t> shape = argShapes[index];
    auto fits = [&](auto dimAndSize) {
      auto [dim, size] = dimAndSize;
      return size >= 0 &&
             (type.isDynamicDim(dim) || type.getDimSize(dim) == size);
    };
    if (static_cast<int64_t>(shape.size()) != type.getRank() ||
        !llvm::all_of(llvm::enumerate(shape), fits)) {
      std::string given;
      llvm::raw_string_ostream os(given);
      llvm::interleave(shape, os, "x");
      return planError(llvm::formatv("argument {0} of {1} has type {2} but "
                                     "shape [{3}] was given",
                                     index, fn, type, given));
    }
    BufferInfo info;
    info.space = MemorySpace::gm;
    info.shape.assign(shape.begin(), shape.end());
    info.elementType = type.getElementType();
    info.argument = static_cast<int64_t>(index);
    info.name = "GM argument " + std::to_string(index);
    BufferId id = addBuffer(std::move(info));
    host.setBuffer(arg, id);
    if (llvm::Error err = handler.createBuffer(this->info(id)))
      return err;
  }
  return llvm::Error::success();
}

llvm::Error PlanRunner::createWorkspace(WorkspaceOp op) {
  MemRefType type = op.getResult().getType();
  BufferInfo info;
  info.space = MemorySpace::gm;
  info.elementType = type.getElementType();
  info.definingOp = op;
  info.name = bufferName(MemorySpace::gm, op.getBufferName(), true);
  auto sizes = op.getDynamicSizes().begin();
  for (int64_t size : type.getShape()) {
    if (!ShapedType::isDynamic(size)) {
      info.shape.push_back(size);
      continue;
    }
    llvm::Expected<int64_t> value = scalarOperand(op, *sizes++, host);
    if (!value)
      return value.takeError();
    if (*value < 0)
      return opError(op, "negative size " + std::to_string(*value) + " for " +
                             info.name);
    info.shape.push_back(*value);
  }
  BufferId id = addBuffer(std::move(info));
  host.setBuffer(op.getResult(), id);
  return handler.createBuffer(this->info(id));
}

llvm::Error PlanRunner::run(ArrayRef<SmallVector<int64_t>> argShapes) {
  if (plan.isExternal())
    return planError("@" + plan.getSymName() + " has no body to interpret");
  if (auto module = plan->getParentOfType<ModuleOp>())
    if (auto attr = dyn_cast_or_null<moe::TargetAttr>(
            module->getAttr(moec::kTargetAttrName))) {
      moec::TargetDesc target = moec::fromTargetAttr(attr);
      if (target.kind == "npu")
        budget =
            EventBudget{target.name, target.eventIds, target.crossCoreEventIds};
    }
  if (llvm::Error err = createArguments(argShapes))
    return err;
  for (Operation &op : plan.getBody().front()) {
    llvm::Expected<bool> scalar = evaluateScalarOp(
        &op, host, [&](BufferId id) -> const BufferInfo & { return info(id); });
    if (!scalar)
      return scalar.takeError();
    if (*scalar)
      continue;
    if (auto workspace = dyn_cast<WorkspaceOp>(op)) {
      if (llvm::Error err = createWorkspace(workspace))
        return err;
    } else if (auto kernel = dyn_cast<KernelOp>(op)) {
      if (llvm::Error err = runKernel(kernel))
        return err;
    } else if (isa<func::ReturnOp>(op)) {
      break;
    } else {
      return opError(&op, "the plan interpreter cannot run '" +
                              op.getName().getStringRef() +
                              "' in the plan body (outside a kernel)");
    }
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Kernels and scheduling
//===----------------------------------------------------------------------===//

void PlanRunner::startCore(Core &core, Region &region) {
  Block &entry = region.front();
  core.frames.push_back({&entry, entry.begin()});
  core.env.setScalar(entry.getArgument(0), core.ref.block);
  if (!core.ref.isCube())
    core.env.setScalar(entry.getArgument(1), core.ref.sub);
}

llvm::Error PlanRunner::runKernel(KernelOp kernel) {
  if (llvm::Error err = handler.beginKernel(kernel))
    return err;
  llvm::SmallVector<int64_t> blocks;
  if (options.blocks.empty()) {
    for (int64_t b = 0; b < static_cast<int64_t>(kernel.getGrid()); ++b)
      blocks.push_back(b);
  } else {
    // Blocks outside this kernel's grid are skipped: the option names the
    // blocks of interest for every kernel of the plan.
    llvm::SmallSet<int64_t, 8> seen;
    for (int64_t b : options.blocks)
      if (b >= 0 && b < static_cast<int64_t>(kernel.getGrid()) &&
          seen.insert(b).second)
        blocks.push_back(b);
  }
  std::vector<std::unique_ptr<Core>> cores;
  for (int64_t b : blocks) {
    if (kernel.hasCube()) {
      cores.push_back(std::make_unique<Core>(CoreRef{b, -1}, host));
      startCore(*cores.back(), kernel.getCube());
    }
    if (kernel.hasVector())
      for (int64_t s = 0; s < static_cast<int64_t>(kernel.getSubblocks());
           ++s) {
        cores.push_back(std::make_unique<Core>(CoreRef{b, s}, host));
        startCore(*cores.back(), kernel.getVector());
      }
  }

  KernelSync sync(kernel, budget, handler, nextToken);
  while (true) {
    bool progress = false, done = true;
    for (std::unique_ptr<Core> &core : cores) {
      if (core->finished())
        continue;
      llvm::Expected<bool> ran = runCore(*core, sync);
      if (!ran)
        return ran.takeError();
      progress |= *ran;
      done &= core->finished();
    }
    if (done)
      break;
    if (!progress)
      return deadlock(kernel, sync, cores);
  }
  if (llvm::Error err = sync.checkAllConsumed())
    return err;
  return handler.endKernel(kernel);
}

llvm::Error PlanRunner::deadlock(KernelOp kernel, const KernelSync &sync,
                                 ArrayRef<std::unique_ptr<Core>> cores) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "deadlock in kernel '" << kernel.getKernelName()
     << "': every unfinished core waits for a cross-core flag no core can "
        "raise any more:";
  for (const std::unique_ptr<Core> &core : cores)
    if (!core->finished())
      os << "\n  " << core->ref.str() << " blocked on "
         << describeOp(core->blockedOn) << " (flag " << core->blockedFlag
         << "), waiting for "
         << sync.missingSignals(core->ref, core->blockedFlag);
  return planError(text);
}

llvm::Expected<bool> PlanRunner::runCore(Core &core, KernelSync &sync) {
  bool progress = false;
  while (!core.finished()) {
    Frame &frame = core.frames.back();
    if (frame.next == frame.block->end()) {
      // The end of a kernel region (it has no terminator).
      core.frames.pop_back();
      continue;
    }
    Operation &op = *frame.next;
    if (auto yieldOp = dyn_cast<scf::YieldOp>(op)) {
      if (llvm::Error err = yield(yieldOp, core))
        return std::move(err);
      progress = true;
      continue;
    }
    llvm::Expected<Step> step = execute(op, core, sync);
    if (!step)
      return step.takeError();
    if (*step == Step::Blocked)
      return progress;
    progress = true;
    if (*step == Step::Next)
      ++core.frames.back().next;
  }
  return progress;
}

llvm::Expected<Step> PlanRunner::execute(Operation &op, Core &core,
                                         KernelSync &sync) {
  llvm::Expected<bool> scalar =
      evaluateScalarOp(&op, core.env, [&](BufferId id) -> const BufferInfo & {
        return info(id);
      });
  if (!scalar)
    return scalar.takeError();
  if (*scalar)
    return Step::Next;
  if (auto forOp = dyn_cast<scf::ForOp>(op))
    return enterFor(forOp, core);
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    return enterIf(ifOp, core);
  if (auto alloc = dyn_cast<AllocOp>(op)) {
    if (llvm::Error err = allocate(alloc, core))
      return std::move(err);
    return Step::Next;
  }
  if (isa<SetFlagOp, WaitFlagOp, SyncBlockSetOp, SyncBlockWaitOp>(op))
    return synchronise(op, core, sync);
  if (isa<PipeOpInterface>(op)) {
    if (llvm::Error err = checkOperands(&op, core))
      return std::move(err);
    CoreOperands operands(core.env, buffers);
    if (auto load = dyn_cast<LoadScalarOp>(op)) {
      llvm::Expected<int64_t> value =
          handler.loadScalar(load, core.ref, operands);
      if (!value)
        return value.takeError();
      core.env.setScalar(load.getResult(), *value);
    } else if (llvm::Error err = handler.instruction(&op, core.ref, operands)) {
      return std::move(err);
    }
    return Step::Next;
  }
  if (isa<WorkspaceOp, KernelOp>(op))
    return coreError(&op, core,
                     "'" + op.getName().getStringRef() +
                         "' belongs in the plan body, not inside a kernel");
  return coreError(&op, core,
                   "the plan interpreter cannot run '" +
                       op.getName().getStringRef() + "'");
}

llvm::Error PlanRunner::checkOperands(Operation *op, const Core &core) const {
  for (Value operand : op->getOperands()) {
    if (isa<MemRefType>(operand.getType())) {
      if (!core.env.lookupBuffer(operand))
        return coreError(op, core,
                         "a memref operand names no buffer the plan has "
                         "created (only arguments, workspaces and allocs "
                         "do)");
      continue;
    }
    if (llvm::Expected<int64_t> value = scalarOperand(op, operand, core.env);
        !value)
      return value.takeError();
  }
  return llvm::Error::success();
}

llvm::Expected<Step> PlanRunner::enterFor(scf::ForOp op, Core &core) {
  if (!op.getInitArgs().empty())
    return coreError(op, core,
                     "scf.for with loop-carried values (iter_args) is not "
                     "supported by the plan interpreter");
  llvm::SmallVector<int64_t, 3> bounds;
  for (Value bound : {op.getLowerBound(), op.getUpperBound(), op.getStep()}) {
    llvm::Expected<int64_t> value = scalarOperand(op, bound, core.env);
    if (!value)
      return value.takeError();
    bounds.push_back(*value);
  }
  auto [lower, upper, step] = std::make_tuple(bounds[0], bounds[1], bounds[2]);
  Type type = op.getInductionVar().getType();
  bool isUnsigned = op.getUnsignedCmp();
  if (isUnsigned ? toUnsigned(step, type) == 0 : step <= 0)
    return coreError(op, core,
                     "loop step " + std::to_string(step) +
                         " is not positive, so the loop would never end");
  bool empty = isUnsigned ? toUnsigned(lower, type) >= toUnsigned(upper, type)
                          : lower >= upper;
  ++core.frames.back().next;
  if (empty)
    return Step::Entered;
  Block *body = op.getBody();
  core.frames.push_back({body, body->begin(), op, lower, upper, step});
  core.env.setScalar(op.getInductionVar(), lower);
  return Step::Entered;
}

llvm::Expected<Step> PlanRunner::enterIf(scf::IfOp op, Core &core) {
  llvm::Expected<int64_t> condition =
      scalarOperand(op, op.getCondition(), core.env);
  if (!condition)
    return condition.takeError();
  Region &region = *condition ? op.getThenRegion() : op.getElseRegion();
  ++core.frames.back().next;
  if (region.empty())
    return Step::Entered;
  Block &body = region.front();
  core.frames.push_back({&body, body.begin(), op});
  return Step::Entered;
}

llvm::Error PlanRunner::yield(scf::YieldOp op, Core &core) {
  Frame &frame = core.frames.back();
  if (auto forOp = dyn_cast_or_null<scf::ForOp>(frame.owner)) {
    Type type = forOp.getInductionVar().getType();
    // iv + step < upper, without overflowing (iv < upper holds here).
    uint64_t left =
        forOp.getUnsignedCmp()
            ? toUnsigned(frame.upper, type) - toUnsigned(frame.iv, type)
            : static_cast<uint64_t>(frame.upper) -
                  static_cast<uint64_t>(frame.iv);
    if (toUnsigned(frame.step, type) >= left) {
      core.frames.pop_back();
      return llvm::Error::success();
    }
    frame.iv += frame.step;
    frame.next = frame.block->begin();
    core.env.setScalar(forOp.getInductionVar(), frame.iv);
    return llvm::Error::success();
  }
  auto ifOp = dyn_cast_or_null<scf::IfOp>(frame.owner);
  if (!ifOp)
    return coreError(op, core, "scf.yield outside an scf.for or scf.if");
  for (auto [result, value] : llvm::zip(ifOp.getResults(), op.getResults())) {
    if (isa<MemRefType>(value.getType())) {
      std::optional<BufferId> id = core.env.lookupBuffer(value);
      if (!id)
        return coreError(op, core, "a yielded memref names no buffer");
      core.env.setBuffer(result, *id);
      continue;
    }
    if (!isScalarType(value.getType()))
      return coreError(ifOp, core,
                       "scf.if results must be index, integer or memref "
                       "values");
    llvm::Expected<int64_t> scalar = scalarOperand(op, value, core.env);
    if (!scalar)
      return scalar.takeError();
    core.env.setScalar(result, *scalar);
  }
  core.frames.pop_back();
  return llvm::Error::success();
}

llvm::Error PlanRunner::allocate(AllocOp op, Core &core) {
  MemRefType type = op.getResult().getType();
  BufferInfo info;
  info.space = op.getSpace();
  info.shape.assign(type.getShape().begin(), type.getShape().end());
  info.elementType = type.getElementType();
  info.definingOp = op;
  info.owner = core.ref;
  info.name = bufferName(info.space, op.getBufferName(), false);
  BufferId id = addBuffer(std::move(info));
  core.env.setBuffer(op.getResult(), id);
  return handler.createBuffer(this->info(id));
}

llvm::Expected<Step> PlanRunner::synchronise(Operation &op, Core &core,
                                             KernelSync &sync) {
  Value id = llvm::TypeSwitch<Operation *, Value>(&op)
                 .Case([](SetFlagOp set) { return set.getEvent(); })
                 .Case([](WaitFlagOp wait) { return wait.getEvent(); })
                 .Case([](SyncBlockSetOp set) { return set.getFlag(); })
                 .Case([](SyncBlockWaitOp wait) { return wait.getFlag(); })
                 .Default([](Operation *) { return Value(); });
  llvm::Expected<int64_t> value = scalarOperand(&op, id, core.env);
  if (!value)
    return value.takeError();
  llvm::Error err =
      llvm::TypeSwitch<Operation *, llvm::Error>(&op)
          .Case([&](SetFlagOp set) {
            return sync.setFlag(set, core.ref, *value);
          })
          .Case([&](WaitFlagOp wait) {
            return sync.waitFlag(wait, core.ref, *value);
          })
          .Case([&](SyncBlockSetOp set) {
            return sync.blockSet(set, core.ref, *value);
          })
          .Default([](Operation *) { return llvm::Error::success(); });
  if (err)
    return std::move(err);
  auto wait = dyn_cast<SyncBlockWaitOp>(op);
  if (!wait)
    return Step::Next;
  llvm::Expected<bool> done = sync.blockWait(wait, core.ref, *value);
  if (!done)
    return done.takeError();
  if (*done)
    return Step::Next;
  core.blockedOn = wait;
  core.blockedFlag = *value;
  return Step::Blocked;
}

} // namespace

llvm::Error moec::npu::interpretPlan(func::FuncOp plan,
                                     ArrayRef<SmallVector<int64_t>> argShapes,
                                     InstructionHandler &handler,
                                     const InterpreterOptions &options) {
  return PlanRunner(plan, handler, options).run(argShapes);
}
