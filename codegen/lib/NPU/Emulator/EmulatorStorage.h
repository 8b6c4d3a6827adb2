//===- EmulatorStorage.h - the emulator's buffers ---------------*- C++ -*-===//
//
// What a buffer holds and where each element lies. Floats are kept as f32
// values, rounded to bf16/f16 when written to a buffer of that type;
// integers as 64-bit values wrapped to their width. Local buffers of the
// cube (L1, L0A, L0B, L0C) place their tiles in the fractal NZ layout, GM
// and UB are row-major, so the copies between them really relayout.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_EMULATORSTORAGE_H
#define MOEC_NPU_EMULATOR_EMULATORSTORAGE_H

#include "moec/NPU/PlanInterpreter.h"

#include "llvm/ADT/ArrayRef.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace moec::npu::emu {

enum class ElementKind { F32, F16, BF16, I32, I64 };

/// The kind of a plan element type, or an error naming it.
llvm::Expected<ElementKind> elementKindOf(mlir::Type type);
bool isFloat(ElementKind kind);

/// IEEE half and bfloat16 bit patterns (round to nearest even; NaN stays
/// NaN).
uint16_t toF16Bits(float value);
uint16_t toBF16Bits(float value);
float fromF16Bits(uint16_t bits);
float fromBF16Bits(uint16_t bits);
/// The f32 value nearest to what an element of `kind` can hold.
float roundTo(ElementKind kind, float value);

/// Where element (row, col) of one matrix (a slot, or one matrix of a
/// rank-3 GM buffer) lies in its storage.
struct Layout {
  int64_t rows = 0, cols = 0;
  /// log2 of the fractal's rows and columns (powers of two: 16 rows of 32
  /// bytes), 0 for row-major.
  unsigned rowShift = 0, colShift = 0;

  bool isFractal() const { return rowShift != 0; }
  int64_t fractalRows() const { return int64_t(1) << rowShift; }
  int64_t fractalCols() const { return int64_t(1) << colShift; }
  /// Fractals are ordered column-block-major ("N" outside) and hold their
  /// elements row by row ("Z" inside).
  int64_t offset(int64_t row, int64_t col) const {
    if (!isFractal())
      return row * cols + col;
    int64_t rowBlocks = rows >> rowShift;
    int64_t fractal = (col >> colShift) * rowBlocks + (row >> rowShift);
    return (fractal << (rowShift + colShift)) +
           ((row & (fractalRows() - 1)) << colShift) +
           (col & (fractalCols() - 1));
  }
};

/// A set of elements of one matrix an instruction reads or writes: rows
/// (a range, or a gathered list) times a column range.
struct Footprint {
  int64_t matrix = 0;
  int64_t rowBegin = 0, rowCount = 0;
  /// When not empty, the rows (rowBegin/rowCount are ignored).
  std::vector<int64_t> rowList;
  int64_t colBegin = 0, colCount = 0;

  int64_t numRows() const {
    return rowList.empty() ? rowCount : static_cast<int64_t>(rowList.size());
  }
  int64_t row(int64_t i) const {
    return rowList.empty() ? rowBegin + i : rowList[i];
  }
  bool empty() const { return numRows() == 0 || colCount == 0; }
};

class Buffer {
public:
  /// A zero-filled buffer; an error when a fractal buffer's tile is not a
  /// whole number of fractals. `spare`, a buffer no longer used, lends its
  /// storage: memory already mapped costs no page faults, which dominate
  /// when every core of every kernel allocates its local buffers afresh.
  static llvm::Expected<std::unique_ptr<Buffer>>
  create(const BufferInfo &info, std::unique_ptr<Buffer> spare = nullptr);
  /// Elements the storage holds without growing.
  size_t capacity() const {
    return std::max(floats.capacity(), ints.capacity());
  }

  const BufferInfo &info() const { return bufferInfo; }
  ElementKind kind() const { return elementKind; }
  /// The buffer as `matrices` matrices of `rows x cols`: a local buffer's
  /// slots; a rank-1 GM buffer is one row.
  int64_t matrices() const { return numMatrices; }
  int64_t rows() const { return layout.rows; }
  int64_t cols() const { return layout.cols; }
  int64_t numElements() const {
    return numMatrices * layout.rows * layout.cols;
  }
  /// "L1 'l1_a'".
  const std::string &name() const { return bufferInfo.name; }

  /// The element's index in storage.
  int64_t at(int64_t matrix, int64_t row, int64_t col) const {
    return matrix * layout.rows * layout.cols + layout.offset(row, col);
  }
  /// The element's index in row-major order (the ordering shadows use it,
  /// whatever the layout).
  int64_t logical(int64_t matrix, int64_t row, int64_t col) const {
    return (matrix * layout.rows + row) * layout.cols + col;
  }

  float loadFloat(int64_t index) const {
    return isFloat(elementKind) ? floats[index]
                                : static_cast<float>(ints[index]);
  }
  /// Rounds to the element type.
  void storeFloat(int64_t index, float value);
  int64_t loadInt(int64_t index) const {
    return isFloat(elementKind) ? static_cast<int64_t>(floats[index])
                                : ints[index];
  }
  /// Wraps to the element type's width.
  void storeInt(int64_t index, int64_t value);
  /// Copies one element of a buffer of the same kind as is.
  void copyFrom(int64_t index, const Buffer &source, int64_t sourceIndex) {
    written = true;
    if (isFloat(elementKind))
      floats[index] = source.floats[sourceIndex];
    else
      ints[index] = source.ints[sourceIndex];
  }
  void zero(int64_t index) {
    written = true;
    if (isFloat(elementKind))
      floats[index] = 0;
    else
      ints[index] = 0;
  }

  /// Copies a whole slot of a buffer with the same element type and tile
  /// layout, as stored.
  void copySlot(int64_t slot, const Buffer &source, int64_t sourceSlot);
  bool sameLayout(const Buffer &other) const {
    return elementKind == other.elementKind &&
           layout.rows == other.layout.rows &&
           layout.cols == other.layout.cols &&
           layout.rowShift == other.layout.rowShift &&
           layout.colShift == other.layout.colShift;
  }

  /// Row-major f32 copy of one matrix (or slot), and its write back, for
  /// the compute instructions.
  std::vector<float> readMatrix(int64_t matrix) const;
  void writeMatrix(int64_t matrix, llvm::ArrayRef<float> values);

  /// Ordering shadows, per element in logical order: the last write and
  /// the last reads (access ids of the OrderingChecker); empty until the
  /// buffer is first written.
  std::vector<uint32_t> lastWrite, lastRead;
  /// Whether any instruction wrote it (arguments are copied back only then).
  bool written = false;

private:
  Buffer(const BufferInfo &info, ElementKind kind, Layout layout,
         int64_t matrices, std::unique_ptr<Buffer> spare);

  BufferInfo bufferInfo;
  ElementKind elementKind;
  Layout layout;
  int64_t numMatrices;
  std::vector<float> floats;
  std::vector<int64_t> ints;
};

} // namespace moec::npu::emu

#endif // MOEC_NPU_EMULATOR_EMULATORSTORAGE_H
