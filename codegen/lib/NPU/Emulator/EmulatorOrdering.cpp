//===- EmulatorOrdering.cpp - happens-before checks of a plan -------------===//

#include "EmulatorOrdering.h"
#include "PlanErrors.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

namespace {

/// "a..b", or "a" for one.
std::string span(int64_t first, int64_t count) {
  if (count == 1)
    return std::to_string(first);
  return std::to_string(first) + ".." + std::to_string(first + count - 1);
}

/// "rows 0..15", "row 3" or "rows 7, 2, 9, ... (16 rows)".
std::string describeRows(const Footprint &region) {
  int64_t count = region.numRows();
  bool contiguous = true;
  for (int64_t i = 1; i < count; ++i)
    contiguous &= region.row(i) == region.row(0) + i;
  std::string plural = count == 1 ? "row " : "rows ";
  if (contiguous)
    return plural + span(region.row(0), count);
  std::string text = plural;
  for (int64_t i = 0; i < std::min<int64_t>(count, 4); ++i)
    text += (i ? ", " : "") + std::to_string(region.row(i));
  return text + (count > 4 ? ", ..." : "") + " (" + std::to_string(count) +
         " rows)";
}

/// "[slot 1, rows 0..15, cols 0..1023]", "[elements 4..7]".
std::string describeRegion(const Buffer &buffer, const Footprint &region) {
  const BufferInfo &info = buffer.info();
  std::string text = "[";
  if (info.space == MemorySpace::gm && info.shape.size() <= 1)
    return text + (region.colCount == 1 ? "element " : "elements ") +
           span(region.colBegin, region.colCount) + "]";
  if (info.space != MemorySpace::gm && buffer.matrices() > 1)
    text += "slot " + std::to_string(region.matrix) + ", ";
  if (info.space == MemorySpace::gm && info.shape.size() >= 3)
    text += "matrix " + std::to_string(region.matrix) + ", ";
  return text + describeRows(region) +
         (region.colCount == 1 ? ", col " : ", cols ") +
         span(region.colBegin, region.colCount) + "]";
}

} // namespace

void OrderingChecker::beginKernel() {
  base += static_cast<uint32_t>(accesses.size());
  accesses.clear();
  agents.clear();
  agentIds.clear();
  snapshots.clear();
}

uint32_t OrderingChecker::agentOf(const CoreRef &core, Pipe pipe) {
  auto [it, inserted] = agentIds.try_emplace(
      std::make_tuple(core.block, core.sub, static_cast<int>(pipe)),
      static_cast<uint32_t>(agents.size()));
  if (inserted)
    agents.push_back({core, pipe, {}});
  return it->second;
}

uint32_t OrderingChecker::issue(Operation *op, const CoreRef &core, Pipe pipe) {
  uint32_t agent = agentOf(core, pipe);
  std::vector<uint32_t> &clock = agents[agent].clock;
  if (clock.size() <= agent)
    clock.resize(agent + 1, 0);
  ++clock[agent];
  accesses.push_back({agent, clock[agent], op, {}});
  return base + static_cast<uint32_t>(accesses.size()) - 1;
}

bool OrderingChecker::ordered(uint32_t id, uint32_t agent) const {
  if (id < base)
    return true; // none, or an earlier kernel's
  const Access &earlier = access(id);
  if (earlier.agent == agent)
    return true; // a pipe runs its instructions in order
  const std::vector<uint32_t> &clock = agents[agent].clock;
  return earlier.agent < clock.size() && clock[earlier.agent] >= earlier.clock;
}

void OrderingChecker::signal(uint64_t token, const CoreRef &core, Pipe pipe) {
  snapshots[token] = agents[agentOf(core, pipe)].clock;
}

void OrderingChecker::await(uint64_t token, const CoreRef &core, Pipe pipe) {
  auto it = snapshots.find(token);
  if (it == snapshots.end())
    return;
  std::vector<uint32_t> &clock = agents[agentOf(core, pipe)].clock;
  const std::vector<uint32_t> &seen = it->second;
  if (clock.size() < seen.size())
    clock.resize(seen.size(), 0);
  for (size_t i = 0; i < seen.size(); ++i)
    clock[i] = std::max(clock[i], seen[i]);
  snapshots.erase(it);
}

uint32_t OrderingChecker::mergeRead(uint32_t prior, uint32_t reader) {
  uint32_t agent = access(reader).agent;
  llvm::SmallVector<uint32_t, 4> members;
  if (prior >= base) {
    if (access(prior).agent == kReadSet)
      members.assign(access(prior).members.begin(),
                     access(prior).members.end());
    else
      members.push_back(prior);
  }
  // Reads ordered before this one need no remembering: whatever is ordered
  // after this read is ordered after them too.
  llvm::erase_if(members, [&](uint32_t m) { return ordered(m, agent); });
  if (members.empty())
    return reader;
  members.push_back(reader);
  accesses.push_back({kReadSet, 0, nullptr, std::move(members)});
  return base + static_cast<uint32_t>(accesses.size()) - 1;
}

std::string OrderingChecker::describeAccess(uint32_t id,
                                            const CoreRef *other) const {
  const Access &acc = access(id);
  const Agent &agent = agents[acc.agent];
  std::string text = pipeName(agent.pipe);
  if (!other || other->block != agent.core.block ||
      other->sub != agent.core.sub)
    text += " on " + agent.core.str();
  return text + " (" + describeOp(acc.op) + ")";
}

llvm::Error OrderingChecker::violation(uint32_t id, const Buffer &buffer,
                                       const Footprint &region,
                                       uint32_t earlier,
                                       Conflict conflict) const {
  const CoreRef &core = agents[access(id).agent].core;
  std::string text =
      (conflict == Conflict::ReadAfterWrite ? "read of " : "write of ") +
      buffer.name() + " " + describeRegion(buffer, region) + " by " +
      describeAccess(id, nullptr);
  std::string other = describeAccess(earlier, &core);
  switch (conflict) {
  case Conflict::ReadAfterWrite:
    text += " is not ordered after its write by " + other;
    break;
  case Conflict::WriteAfterRead:
    text += " overwrites data before the read by " + other + " completed";
    break;
  case Conflict::WriteAfterWrite:
    text += " overwrites data before the write by " + other + " completed";
    break;
  }
  return moec::npu::detail::planError(text);
}

llvm::Error OrderingChecker::read(uint32_t id, Buffer &buffer,
                                  const Footprint &region) {
  if (buffer.lastWrite.empty() || region.empty())
    return llvm::Error::success(); // never written: nothing to order after
  uint32_t agent = access(id).agent;
  // Neighbouring elements mostly share their reads: merge each distinct
  // prior read set once.
  llvm::DenseMap<uint32_t, uint32_t> merged;
  uint32_t lastPrior = kReadSet, lastMerged = 0;
  uint32_t checkedWrite = 0;
  for (int64_t i = 0, e = region.numRows(); i < e; ++i)
    for (int64_t c = 0; c < region.colCount; ++c) {
      int64_t index =
          buffer.logical(region.matrix, region.row(i), region.colBegin + c);
      uint32_t write = buffer.lastWrite[index];
      if (write != checkedWrite) {
        if (!ordered(write, agent))
          return violation(id, buffer, region, write, Conflict::ReadAfterWrite);
        checkedWrite = write;
      }
      uint32_t prior = buffer.lastRead[index];
      if (prior != lastPrior) {
        auto it = merged.find(prior);
        if (it == merged.end())
          it = merged.try_emplace(prior, mergeRead(prior, id)).first;
        lastPrior = prior;
        lastMerged = it->second;
      }
      buffer.lastRead[index] = lastMerged;
    }
  return llvm::Error::success();
}

llvm::Error OrderingChecker::write(uint32_t id, Buffer &buffer,
                                   const Footprint &region) {
  if (region.empty())
    return llvm::Error::success();
  if (buffer.lastWrite.empty()) {
    buffer.lastWrite.assign(buffer.numElements(), 0);
    buffer.lastRead.assign(buffer.numElements(), 0);
  }
  uint32_t agent = access(id).agent;
  uint32_t checkedWrite = 0, checkedRead = 0;
  for (int64_t i = 0, e = region.numRows(); i < e; ++i)
    for (int64_t c = 0; c < region.colCount; ++c) {
      int64_t index =
          buffer.logical(region.matrix, region.row(i), region.colBegin + c);
      uint32_t write = buffer.lastWrite[index];
      if (write != checkedWrite) {
        if (!ordered(write, agent))
          return violation(id, buffer, region, write,
                           Conflict::WriteAfterWrite);
        checkedWrite = write;
      }
      uint32_t reads = buffer.lastRead[index];
      if (reads != checkedRead && reads >= base) {
        llvm::SmallVector<uint32_t, 4> members;
        if (access(reads).agent == kReadSet)
          members.assign(access(reads).members.begin(),
                         access(reads).members.end());
        else
          members.push_back(reads);
        for (uint32_t m : members)
          if (!ordered(m, agent))
            return violation(id, buffer, region, m, Conflict::WriteAfterRead);
        checkedRead = reads;
      }
      buffer.lastWrite[index] = id;
      buffer.lastRead[index] = 0;
    }
  return llvm::Error::success();
}
