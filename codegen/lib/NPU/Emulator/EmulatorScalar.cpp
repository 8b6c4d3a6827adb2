//===- EmulatorScalar.cpp - load_scalar, dispatch_metadata ----------------===//
//
// The scalar unit: single integer reads, and the dispatch metadata (the
// expert-sorted order of the (token, slot) pairs and its tiling) that lets
// the grouped GEMMs loop over a static number of tiles.
//
//===----------------------------------------------------------------------===//

#include "EmulatorOps.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

namespace {

/// Elements [0, count) of a 1-D buffer.
Footprint prefix(int64_t count) {
  Footprint region;
  region.rowCount = 1;
  region.colCount = count;
  return region;
}

llvm::Error checkIntegers(const Instruction &instr,
                          std::initializer_list<const Buffer *> buffers) {
  for (const Buffer *buffer : buffers)
    if (isFloat(buffer->kind()))
      return instr.error(buffer->name() + " must hold integers");
  return llvm::Error::success();
}

} // namespace

llvm::Expected<int64_t> moec::npu::emu::runLoadScalar(const Instruction &instr,
                                                      LoadScalarOp op) {
  Buffer &src = instr.buffer(op.getSrc());
  if (llvm::Error err = checkIntegers(instr, {&src}))
    return std::move(err);
  llvm::Expected<Instruction::Position> at =
      instr.position(src, op.getIndices());
  if (!at)
    return at.takeError();
  if (at->row >= src.rows() || at->col >= src.cols())
    return instr.error(llvm::formatv("row {0}, column {1} is outside the "
                                     "{2}x{3} matrix of {4}",
                                     at->row, at->col, src.rows(), src.cols(),
                                     src.name()));
  Footprint one;
  one.matrix = at->matrix;
  one.rowBegin = at->row;
  one.rowCount = 1;
  one.colBegin = at->col;
  one.colCount = 1;
  if (llvm::Error err = instr.read(src, one))
    return std::move(err);
  return src.loadInt(src.at(at->matrix, at->row, at->col));
}

llvm::Error moec::npu::emu::runDispatchMetadata(const Instruction &instr,
                                                DispatchMetadataOp op) {
  Buffer &ids = instr.buffer(op.getIds());
  Buffer &tokens = instr.buffer(op.getTokens());
  Buffer &rows = instr.buffer(op.getRows());
  Buffer &tiles = instr.buffer(op.getTiles());
  if (llvm::Error err = checkIntegers(instr, {&ids, &tokens, &rows, &tiles}))
    return err;
  int64_t k = ids.cols(), pairs = ids.rows() * k;
  int64_t experts = op.getExperts(), tileRows = op.getTileRows();
  for (const Buffer *list : {&tokens, &rows})
    if (list->cols() < pairs)
      return instr.error(llvm::formatv("{0} has {1} entries, fewer than the "
                                       "{2} (token, slot) pairs",
                                       list->name(), list->cols(), pairs));
  int64_t needed = (pairs + tileRows - 1) / tileRows + experts;
  if (tiles.rows() < needed || tiles.cols() != 3)
    return instr.error(llvm::formatv(
        "{0} has {1} entries of {2}, but {3} pairs among {4} experts in tiles "
        "of {5} rows need {6} entries of 3",
        tiles.name(), tiles.rows(), tiles.cols(), pairs, experts, tileRows,
        needed));

  Footprint allIds;
  allIds.rowCount = ids.rows();
  allIds.colCount = k;
  if (llvm::Error err = instr.read(ids, allIds))
    return err;
  if (llvm::Error err = instr.write(tokens, prefix(pairs)))
    return err;
  if (llvm::Error err = instr.write(rows, prefix(pairs)))
    return err;
  if (llvm::Error err = instr.write(tiles, wholeSlot(tiles, 0)))
    return err;

  // A stable counting sort: the groups in expert order, pairs in increasing
  // t*k + j within a group, the pairs with an invalid id after all groups.
  auto expertOf = [&](int64_t pair) {
    return ids.loadInt(ids.at(0, pair / k, pair % k));
  };
  std::vector<int64_t> begin(experts + 1, 0);
  for (int64_t p = 0; p < pairs; ++p)
    if (int64_t e = expertOf(p); e >= 0 && e < experts)
      ++begin[e + 1];
  for (int64_t e = 0; e < experts; ++e)
    begin[e + 1] += begin[e];
  std::vector<int64_t> next(begin.begin(), begin.end() - 1);
  int64_t invalid = begin[experts];
  for (int64_t p = 0; p < pairs; ++p) {
    int64_t e = expertOf(p);
    bool valid = e >= 0 && e < experts;
    int64_t row = valid ? next[e]++ : invalid++;
    tokens.storeInt(tokens.at(0, 0, row), valid ? p / k : -1);
    rows.storeInt(rows.at(0, 0, p), valid ? row : -1);
  }

  // Tiles of at most tile_rows rows of one group; the rest count 0 rows.
  int64_t entry = 0;
  auto writeTile = [&](int64_t expert, int64_t first, int64_t count) {
    tiles.storeInt(tiles.at(0, entry, 0), expert);
    tiles.storeInt(tiles.at(0, entry, 1), first);
    tiles.storeInt(tiles.at(0, entry, 2), count);
    ++entry;
  };
  for (int64_t e = 0; e < experts; ++e)
    for (int64_t first = begin[e]; first < begin[e + 1]; first += tileRows)
      writeTile(e, first, std::min(tileRows, begin[e + 1] - first));
  while (entry < tiles.rows())
    writeTile(0, 0, 0);
  return llvm::Error::success();
}
