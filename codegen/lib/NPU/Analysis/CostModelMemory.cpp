//===- CostModelMemory.cpp - the integers a timed plan reads --------------===//

#include "CostModelMemory.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

/// Integer GM buffers larger than this get no storage: they would be data,
/// not metadata, and a timing run must not allocate gigabytes.
constexpr int64_t kMaxStoredElements = int64_t(1) << 26;

int64_t elementCount(const BufferInfo &info) {
  int64_t count = 1;
  for (int64_t size : info.shape)
    count *= size;
  return count;
}

llvm::Error bufferError(const BufferInfo &info, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 info.name + ": " + message);
}

} // namespace

llvm::Error IntegerMemory::create(const BufferInfo &info) {
  if (info.space != MemorySpace::gm || !info.elementType.isInteger())
    return llvm::Error::success();
  int64_t count = elementCount(info);
  if (count > kMaxStoredElements)
    return llvm::Error::success();
  storage[info.id].assign(count, 0);
  return llvm::Error::success();
}

std::vector<int64_t> *IntegerMemory::storageOf(const BufferInfo &buffer) {
  auto it = storage.find(buffer.id);
  return it == storage.end() ? nullptr : &it->second;
}

llvm::Expected<int64_t>
IntegerMemory::read(const BufferInfo &buffer,
                    llvm::ArrayRef<int64_t> indices) const {
  auto it = storage.find(buffer.id);
  if (it == storage.end())
    return 0;
  if (indices.size() != buffer.shape.size())
    return bufferError(buffer,
                       llvm::formatv("read with {0} indices, but it "
                                     "has rank {1}",
                                     indices.size(), buffer.shape.size()));
  int64_t flat = 0;
  for (auto [index, size] : llvm::zip(indices, buffer.shape)) {
    if (index < 0 || index >= size)
      return bufferError(
          buffer, llvm::formatv("index {0} is outside [0, {1})", index, size));
    flat = flat * size + index;
  }
  return it->second[flat];
}

llvm::Error IntegerMemory::dispatchMetadata(DispatchMetadataOp op,
                                            const OperandValues &operands) {
  const BufferInfo &ids = operands.buffer(op.getIds());
  int64_t pairs = ids.shape[0] * ids.shape[1];
  int64_t experts = op.getExperts(), tileRows = op.getTileRows();

  // Pair p goes to expert p mod E; sorted stably by expert, expert e's
  // group is the pairs e, e + E, e + 2E, ... in that order.
  std::vector<int64_t> groupSize(experts, 0);
  for (int64_t e = 0; e < experts && e < pairs; ++e)
    groupSize[e] = (pairs - e - 1) / experts + 1;

  std::vector<int64_t> *tokens = storageOf(operands.buffer(op.getTokens()));
  std::vector<int64_t> *rows = storageOf(operands.buffer(op.getRows()));
  std::vector<int64_t> *tiles = storageOf(operands.buffer(op.getTiles()));
  auto put = [](std::vector<int64_t> *buffer, int64_t at, int64_t value) {
    if (buffer && at >= 0 && at < static_cast<int64_t>(buffer->size()))
      (*buffer)[at] = value;
  };

  int64_t row = 0, tile = 0, k = ids.shape[1];
  for (int64_t e = 0; e < experts; ++e) {
    for (int64_t first = row; first < row + groupSize[e]; first += tileRows) {
      int64_t count = std::min(tileRows, row + groupSize[e] - first);
      put(tiles, 3 * tile, e);
      put(tiles, 3 * tile + 1, first);
      put(tiles, 3 * tile + 2, count);
      ++tile;
    }
    for (int64_t p = e; p < pairs; p += experts) {
      put(tokens, row, p / k);
      put(rows, p, row);
      ++row;
    }
  }
  // The rest of the tile table holds empty tiles.
  if (tiles)
    for (int64_t t = tile; 3 * t < static_cast<int64_t>(tiles->size()); ++t)
      for (int64_t field = 0; field < 3; ++field)
        put(tiles, 3 * t + field, 0);
  return llvm::Error::success();
}

} // namespace moec::npu
