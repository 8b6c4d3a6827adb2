//===- EmulatorOrdering.h - happens-before checks of a plan -----*- C++ -*-===//
//
// Pipes run concurrently, so a plan is correct only if every read of data
// another pipe (or core) wrote is ordered after that write by flags, and
// every overwrite is ordered after the reads and writes before it. This
// checks that with vector clocks over agents, an agent being one pipe of one
// core: an instruction ticks its agent's clock; a set snapshots the setting
// agent's clock, and the wait that consumes it joins the snapshot into the
// waiting agent's.
//
// Each element of a written buffer remembers its last write and its reads
// since (the reads that are not ordered before a later one), as access ids.
// A kernel launch starts after the previous one finished, so accesses of
// earlier kernels are ordered before everything.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_EMULATORORDERING_H
#define MOEC_NPU_EMULATOR_EMULATORORDERING_H

#include "EmulatorStorage.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <map>
#include <tuple>

namespace moec::npu::emu {

class OrderingChecker {
public:
  /// Forgets agents, clocks and signals; older accesses become ordered.
  void beginKernel();

  /// Instruction `op` of `core` issues on `pipe`: ticks the agent's clock
  /// and returns the id its reads and writes are recorded under.
  uint32_t issue(mlir::Operation *op, const CoreRef &core,
                 mlir::moe_npu::Pipe pipe);

  llvm::Error read(uint32_t access, Buffer &buffer, const Footprint &region);
  llvm::Error write(uint32_t access, Buffer &buffer, const Footprint &region);

  void signal(uint64_t token, const CoreRef &core, mlir::moe_npu::Pipe pipe);
  void await(uint64_t token, const CoreRef &core, mlir::moe_npu::Pipe pipe);

private:
  struct Agent {
    CoreRef core;
    mlir::moe_npu::Pipe pipe;
    /// Its vector clock: the last instruction of each agent it is ordered
    /// after (its own entry counts its instructions).
    std::vector<uint32_t> clock;
  };
  /// An instruction of an agent, or (agent == kReadSet) a set of reads no
  /// one of which is ordered before another.
  struct Access {
    uint32_t agent;
    uint32_t clock;
    mlir::Operation *op;
    llvm::SmallVector<uint32_t, 0> members;
  };
  static constexpr uint32_t kReadSet = ~uint32_t(0);

  uint32_t agentOf(const CoreRef &core, mlir::moe_npu::Pipe pipe);
  const Access &access(uint32_t id) const { return accesses[id - base]; }
  /// Whether access `id` (a single instruction) happened before everything
  /// `agent` does from now on.
  bool ordered(uint32_t id, uint32_t agent) const;
  /// The read set after `reader` reads an element whose reads were `prior`.
  uint32_t mergeRead(uint32_t prior, uint32_t reader);
  enum class Conflict { ReadAfterWrite, WriteAfterRead, WriteAfterWrite };
  llvm::Error violation(uint32_t access, const Buffer &buffer,
                        const Footprint &region, uint32_t earlier,
                        Conflict conflict) const;
  /// "MTE2 (moe_npu.load at f:3:5)", with " on AIC 0" when `other` differs.
  std::string describeAccess(uint32_t id, const CoreRef *other) const;

  std::vector<Agent> agents;
  std::map<std::tuple<int64_t, int64_t, int>, uint32_t> agentIds;
  /// Accesses of the current kernel; ids below `base` belong to earlier
  /// kernels, id 0 means none.
  std::vector<Access> accesses;
  uint32_t base = 1;
  llvm::DenseMap<uint64_t, std::vector<uint32_t>> snapshots;
};

} // namespace moec::npu::emu

#endif // MOEC_NPU_EMULATOR_EMULATORORDERING_H
