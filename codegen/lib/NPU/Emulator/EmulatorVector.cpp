//===- EmulatorVector.cpp - vswiglu, vaxpy, vroute, vcast -----------------===//
//
// The vector unit works on UB tiles in f32 and rounds what it writes to the
// element type of the destination.
//
//===----------------------------------------------------------------------===//

#include "EmulatorOps.h"
#include "EmulatorRouting.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

namespace {

/// An operand tile: its buffer and checked slot.
struct Tile {
  Buffer *buffer = nullptr;
  int64_t slot = 0;
};

llvm::Expected<Tile> tileOf(const Instruction &instr, Value buffer,
                            Value slot) {
  Tile tile{&instr.buffer(buffer), 0};
  llvm::Expected<int64_t> index = instr.slot(*tile.buffer, slot);
  if (!index)
    return index.takeError();
  tile.slot = *index;
  return tile;
}

llvm::Error readTile(const Instruction &instr, const Tile &tile) {
  return instr.read(*tile.buffer, wholeSlot(*tile.buffer, tile.slot));
}

llvm::Error writeTile(const Instruction &instr, const Tile &tile) {
  return instr.write(*tile.buffer, wholeSlot(*tile.buffer, tile.slot));
}

/// min/max that return a NaN operand, as arith.minimumf/maximumf do.
float minimum(float a, float b) { return std::isnan(a) ? a : std::min(a, b); }
float maximum(float a, float b) { return std::isnan(a) ? a : std::max(a, b); }

float swiglu(float gate, float up, std::optional<float> limit) {
  if (limit) {
    gate = minimum(gate, *limit);
    up = maximum(minimum(up, *limit), -*limit);
  }
  return gate / (1.0f + std::exp(-gate)) * up;
}

} // namespace

llvm::Error moec::npu::emu::runVSwiglu(const Instruction &instr, VSwigluOp op) {
  llvm::Expected<Tile> gate = tileOf(instr, op.getGate(), op.getGateSlot());
  if (!gate)
    return gate.takeError();
  llvm::Expected<Tile> up = tileOf(instr, op.getUp(), op.getUpSlot());
  if (!up)
    return up.takeError();
  llvm::Expected<Tile> result =
      tileOf(instr, op.getResult(), op.getResultSlot());
  if (!result)
    return result.takeError();
  for (const Tile &tile : {*gate, *up, *result})
    if (!isFloat(tile.buffer->kind()) ||
        tile.buffer->rows() != result->buffer->rows() ||
        tile.buffer->cols() != result->buffer->cols())
      return instr.error("vswiglu needs float tiles of one shape");
  if (llvm::Error err = readTile(instr, *gate))
    return err;
  if (llvm::Error err = readTile(instr, *up))
    return err;
  if (llvm::Error err = writeTile(instr, *result))
    return err;

  std::optional<float> limit;
  if (FloatAttr attr = op.getLimitAttr())
    limit = static_cast<float>(attr.getValueAsDouble());
  std::vector<float> g = gate->buffer->readMatrix(gate->slot);
  std::vector<float> u = up->buffer->readMatrix(up->slot);
  for (size_t i = 0; i < g.size(); ++i)
    g[i] = swiglu(g[i], u[i], limit);
  result->buffer->writeMatrix(result->slot, g);
  return llvm::Error::success();
}

llvm::Error moec::npu::emu::runVCast(const Instruction &instr, VCastOp op) {
  llvm::Expected<Tile> src = tileOf(instr, op.getSrc(), op.getSrcSlot());
  if (!src)
    return src.takeError();
  llvm::Expected<Tile> dst = tileOf(instr, op.getDst(), op.getDstSlot());
  if (!dst)
    return dst.takeError();
  if (!isFloat(src->buffer->kind()) || !isFloat(dst->buffer->kind()) ||
      src->buffer->rows() != dst->buffer->rows() ||
      src->buffer->cols() != dst->buffer->cols())
    return instr.error("vcast needs float tiles of one shape");
  if (llvm::Error err = readTile(instr, *src))
    return err;
  if (llvm::Error err = writeTile(instr, *dst))
    return err;
  // Writing rounds to the destination's element type.
  dst->buffer->writeMatrix(dst->slot, src->buffer->readMatrix(src->slot));
  return llvm::Error::success();
}

llvm::Error moec::npu::emu::runVAxpy(const Instruction &instr, VAxpyOp op) {
  llvm::Expected<Tile> x = tileOf(instr, op.getX(), op.getXSlot());
  if (!x)
    return x.takeError();
  llvm::Expected<Tile> weights =
      tileOf(instr, op.getWeights(), op.getWeightsSlot());
  if (!weights)
    return weights.takeError();
  llvm::Expected<Tile> acc = tileOf(instr, op.getAcc(), op.getAccSlot());
  if (!acc)
    return acc.takeError();
  Buffer &w = *weights->buffer, &xs = *x->buffer, &sum = *acc->buffer;
  int64_t rows = xs.rows(), cols = xs.cols();
  if (sum.rows() != rows || sum.cols() != cols || w.rows() != rows ||
      !isFloat(sum.kind()) || !isFloat(w.kind()))
    return instr.error("vaxpy needs x and acc tiles of one shape and float "
                       "weights with as many rows");
  int64_t column = instr.index(op.getColumn());
  if (column < 0 || column >= w.cols())
    return instr.error(llvm::formatv("column {0} is outside the {1} columns "
                                     "of a tile of {2}",
                                     column, w.cols(), w.name()));
  bool init = instr.index(op.getInit()) != 0;

  Footprint scale;
  scale.matrix = weights->slot;
  scale.rowCount = rows;
  scale.colBegin = column;
  scale.colCount = 1;
  if (llvm::Error err = readTile(instr, *x))
    return err;
  if (llvm::Error err = instr.read(w, scale))
    return err;
  if (!init)
    if (llvm::Error err = readTile(instr, *acc))
      return err;
  if (llvm::Error err = writeTile(instr, *acc))
    return err;

  std::vector<float> in = xs.readMatrix(x->slot);
  std::vector<float> out =
      init ? std::vector<float>(in.size(), 0.0f) : sum.readMatrix(acc->slot);
  for (int64_t r = 0; r < rows; ++r) {
    float factor = w.loadFloat(w.at(weights->slot, r, column));
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] += factor * in[r * cols + c];
  }
  sum.writeMatrix(acc->slot, out);
  return llvm::Error::success();
}

llvm::Error moec::npu::emu::runVRoute(const Instruction &instr, VRouteOp op) {
  llvm::Expected<Tile> logits =
      tileOf(instr, op.getLogits(), op.getLogitsSlot());
  if (!logits)
    return logits.takeError();
  llvm::Expected<Tile> weights =
      tileOf(instr, op.getWeights(), op.getOutSlot());
  if (!weights)
    return weights.takeError();
  llvm::Expected<Tile> ids = tileOf(instr, op.getIds(), op.getOutSlot());
  if (!ids)
    return ids.takeError();
  std::optional<Tile> bias;
  if (op.getBias()) {
    llvm::Expected<Tile> tile = tileOf(instr, op.getBias(), op.getBiasSlot());
    if (!tile)
      return tile.takeError();
    bias = *tile;
  }
  Buffer &in = *logits->buffer, &w = *weights->buffer, &id = *ids->buffer;
  int64_t rows = in.rows(), experts = in.cols(), k = op.getRouting().getK();
  if (w.rows() != rows || id.rows() != rows || w.cols() != k ||
      id.cols() != k || (bias && bias->buffer->cols() != experts) ||
      isFloat(id.kind()) || !isFloat(w.kind()) || !isFloat(in.kind()))
    return instr.error(llvm::formatv("vroute needs [{0}, {1}] float logits "
                                     "and [{0}, {2}] float weights and "
                                     "integer ids",
                                     rows, experts, k));
  if (std::string problem = routingProblem(op.getRouting(), experts);
      !problem.empty())
    return instr.error(problem);

  if (llvm::Error err = readTile(instr, *logits))
    return err;
  if (bias)
    if (llvm::Error err = readTile(instr, *bias))
      return err;
  if (llvm::Error err = writeTile(instr, *weights))
    return err;
  if (llvm::Error err = writeTile(instr, *ids))
    return err;

  std::vector<float> scores = in.readMatrix(logits->slot);
  std::vector<float> biasRow;
  if (bias)
    biasRow = bias->buffer->readMatrix(bias->slot);
  std::vector<float> rowWeights(k);
  std::vector<int32_t> rowIds(k);
  for (int64_t r = 0; r < rows; ++r) {
    routeToken(op.getRouting(),
               llvm::ArrayRef<float>(scores).slice(r * experts, experts),
               biasRow, rowWeights, rowIds);
    for (int64_t j = 0; j < k; ++j) {
      w.storeFloat(w.at(weights->slot, r, j), rowWeights[j]);
      id.storeInt(id.at(ids->slot, r, j), rowIds[j]);
    }
  }
  return llvm::Error::success();
}
