//===- EmulatorDataMovement.cpp - load, copy, fixpipe, store --------------===//
//
// The copies between memories. Element positions go through each buffer's
// layout, so GM/UB (row-major) to L1 (fractal) is a real relayout, and back
// out of L0C too.
//
//===----------------------------------------------------------------------===//

#include "EmulatorOps.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

namespace {

/// The `rows` operand of a tile copy: at most the tile's rows.
llvm::Expected<int64_t> tileRows(const Instruction &instr, Value rows,
                                 const Buffer &tile) {
  int64_t count = instr.index(rows);
  if (count >= 0 && count <= tile.rows())
    return count;
  return instr.error(llvm::formatv("rows {0} is outside [0, {1}], the rows of "
                                   "a tile of {2}",
                                   count, tile.rows(), tile.name()));
}

/// Columns of a tile of `tileCols` that start at column `col` of a GM
/// buffer and lie inside it.
int64_t colsInside(const Buffer &gm, int64_t col, int64_t tileCols) {
  return std::clamp<int64_t>(gm.cols() - col, 0, tileCols);
}

/// A raw element copy needs equal element types (the op verifiers ensure
/// it; this keeps an unverified plan from corrupting memory).
llvm::Error checkSameKind(const Instruction &instr, const Buffer &src,
                          const Buffer &dst) {
  if (src.kind() == dst.kind())
    return llvm::Error::success();
  return instr.error("the element types of " + src.name() + " and " +
                     dst.name() + " differ");
}

llvm::Error rowOutside(const Instruction &instr, int64_t row,
                       const Buffer &gm) {
  return instr.error(llvm::formatv("row {0} is outside the {1} rows of {2}",
                                   row, gm.rows(), gm.name()));
}

/// The source row of each tile row of a gathering load, -1 for a zero row.
llvm::Expected<std::vector<int64_t>> gatheredRows(const Instruction &instr,
                                                  LoadOp op, int64_t rows,
                                                  const Buffer &src) {
  Buffer &list = instr.buffer(op.getGather());
  int64_t position = instr.index(op.getPosition());
  int64_t stride = instr.index(op.getStride());
  std::vector<int64_t> sourceRows;
  for (int64_t i = 0; i < rows; ++i) {
    int64_t entry = position + i * stride;
    if (entry < 0 || entry >= list.cols())
      return instr.error(llvm::formatv(
          "gather entry {0} (position {1} + {2} x stride {3}) is outside "
          "the {4} entries of {5}",
          entry, position, i, stride, list.cols(), list.name()));
    Footprint one;
    one.rowCount = 1;
    one.colBegin = entry;
    one.colCount = 1;
    if (llvm::Error err = instr.read(list, one))
      return std::move(err);
    int64_t row = list.loadInt(list.at(0, 0, entry));
    if (row >= src.rows())
      return instr.error(llvm::formatv("gathered row index {0} (entry {1} "
                                       "of {2}) is outside the {3} rows of "
                                       "{4}",
                                       row, entry, list.name(), src.rows(),
                                       src.name()));
    sourceRows.push_back(row < 0 ? -1 : row);
  }
  return sourceRows;
}

/// Writes rows 0..rows-1 of slot `slotValue` of `src` to GM at `indices`,
/// converting to the destination's element type (fixpipe and store).
llvm::Error storeTile(const Instruction &instr, Buffer &src, Value slotValue,
                      Buffer &dst, ValueRange indices, Value rowsValue) {
  llvm::Expected<int64_t> slot = instr.slot(src, slotValue);
  if (!slot)
    return slot.takeError();
  llvm::Expected<int64_t> rows = tileRows(instr, rowsValue, src);
  if (!rows)
    return rows.takeError();
  llvm::Expected<Instruction::Position> at = instr.position(dst, indices);
  if (!at)
    return at.takeError();
  if (*rows > 0 && at->row + *rows > dst.rows())
    return rowOutside(instr, at->row + *rows - 1, dst);
  int64_t cols = colsInside(dst, at->col, src.cols());
  Footprint from;
  from.matrix = *slot;
  from.rowCount = *rows;
  from.colCount = cols;
  Footprint to;
  to.matrix = at->matrix;
  to.rowBegin = at->row;
  to.rowCount = *rows;
  to.colBegin = at->col;
  to.colCount = cols;
  if (llvm::Error err = instr.read(src, from))
    return err;
  if (llvm::Error err = instr.write(dst, to))
    return err;
  bool floats = isFloat(dst.kind());
  for (int64_t i = 0; i < *rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      int64_t from = src.at(*slot, i, j);
      int64_t to = dst.at(at->matrix, at->row + i, at->col + j);
      if (floats)
        dst.storeFloat(to, src.loadFloat(from));
      else
        dst.storeInt(to, src.loadInt(from));
    }
  return llvm::Error::success();
}

} // namespace

llvm::Error moec::npu::emu::runLoad(const Instruction &instr, LoadOp op) {
  Buffer &src = instr.buffer(op.getSrc());
  Buffer &dst = instr.buffer(op.getDst());
  if (llvm::Error err = checkSameKind(instr, src, dst))
    return err;
  llvm::Expected<int64_t> slot = instr.slot(dst, op.getSlot());
  if (!slot)
    return slot.takeError();
  llvm::Expected<int64_t> rows = tileRows(instr, op.getRows(), dst);
  if (!rows)
    return rows.takeError();
  llvm::Expected<Instruction::Position> at =
      instr.position(src, op.getIndices());
  if (!at)
    return at.takeError();

  // Which source row fills each tile row (-1: zeros), and the rows read.
  std::vector<int64_t> sourceRows;
  Footprint from;
  from.matrix = at->matrix;
  if (op.getGather()) {
    llvm::Expected<std::vector<int64_t>> gathered =
        gatheredRows(instr, op, *rows, src);
    if (!gathered)
      return gathered.takeError();
    sourceRows = std::move(*gathered);
    llvm::copy_if(sourceRows, std::back_inserter(from.rowList),
                  [](int64_t row) { return row >= 0; });
  } else {
    if (*rows > 0 && at->row + *rows > src.rows())
      return rowOutside(instr, at->row + *rows - 1, src);
    for (int64_t i = 0; i < *rows; ++i)
      sourceRows.push_back(at->row + i);
    from.rowBegin = at->row;
    from.rowCount = *rows;
  }
  int64_t cols = colsInside(src, at->col, dst.cols());
  from.colBegin = at->col;
  from.colCount = cols;
  if (llvm::Error err = instr.read(src, from))
    return err;
  if (llvm::Error err = instr.write(dst, wholeSlot(dst, *slot)))
    return err;

  for (int64_t i = 0; i < dst.rows(); ++i) {
    int64_t row = i < *rows ? sourceRows[i] : -1;
    for (int64_t j = 0; j < dst.cols(); ++j) {
      int64_t to = dst.at(*slot, i, j);
      if (row >= 0 && j < cols)
        dst.copyFrom(to, src, src.at(at->matrix, row, at->col + j));
      else
        dst.zero(to);
    }
  }
  return llvm::Error::success();
}

llvm::Error moec::npu::emu::runCopy(const Instruction &instr, CopyOp op) {
  Buffer &src = instr.buffer(op.getSrc());
  Buffer &dst = instr.buffer(op.getDst());
  if (llvm::Error err = checkSameKind(instr, src, dst))
    return err;
  if (src.rows() != dst.rows() || src.cols() != dst.cols())
    return instr.error("the tiles of " + src.name() + " and " + dst.name() +
                       " differ in shape");
  llvm::Expected<int64_t> from = instr.slot(src, op.getSrcSlot());
  if (!from)
    return from.takeError();
  llvm::Expected<int64_t> to = instr.slot(dst, op.getDstSlot());
  if (!to)
    return to.takeError();
  if (llvm::Error err = instr.read(src, wholeSlot(src, *from)))
    return err;
  if (llvm::Error err = instr.write(dst, wholeSlot(dst, *to)))
    return err;
  if (dst.sameLayout(src)) {
    dst.copySlot(*to, src, *from);
    return llvm::Error::success();
  }
  for (int64_t i = 0; i < dst.rows(); ++i)
    for (int64_t j = 0; j < dst.cols(); ++j)
      dst.copyFrom(dst.at(*to, i, j), src, src.at(*from, i, j));
  return llvm::Error::success();
}

llvm::Error moec::npu::emu::runFixpipe(const Instruction &instr, FixpipeOp op) {
  return storeTile(instr, instr.buffer(op.getSrc()), op.getSlot(),
                   instr.buffer(op.getDst()), op.getIndices(), op.getRows());
}

llvm::Error moec::npu::emu::runStore(const Instruction &instr, StoreOp op) {
  return storeTile(instr, instr.buffer(op.getSrc()), op.getSlot(),
                   instr.buffer(op.getDst()), op.getIndices(), op.getRows());
}
