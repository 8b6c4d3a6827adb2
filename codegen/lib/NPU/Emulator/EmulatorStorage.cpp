//===- EmulatorStorage.cpp - the emulator's buffers -----------------------===//

#include "EmulatorStorage.h"
#include "PlanErrors.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

//===----------------------------------------------------------------------===//
// Element types and rounding
//===----------------------------------------------------------------------===//

llvm::Expected<ElementKind> moec::npu::emu::elementKindOf(Type type) {
  if (type.isF32())
    return ElementKind::F32;
  if (type.isF16())
    return ElementKind::F16;
  if (type.isBF16())
    return ElementKind::BF16;
  if (type.isInteger(32))
    return ElementKind::I32;
  if (type.isInteger(64))
    return ElementKind::I64;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return moec::npu::detail::planError(
      "element type " + text +
      " is not supported by the emulator (f32, f16, "
      "bf16, i32 and i64 are)");
}

bool moec::npu::emu::isFloat(ElementKind kind) {
  return kind == ElementKind::F32 || kind == ElementKind::F16 ||
         kind == ElementKind::BF16;
}

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

int64_t byteSize(ElementKind kind) {
  switch (kind) {
  case ElementKind::F16:
  case ElementKind::BF16:
    return 2;
  case ElementKind::F32:
  case ElementKind::I32:
    return 4;
  case ElementKind::I64:
    return 8;
  }
  return 4;
}

} // namespace

uint16_t moec::npu::emu::toBF16Bits(float value) {
  uint32_t bits = bitsOf(value);
  if (std::isnan(value))
    return static_cast<uint16_t>((bits >> 16) | 0x40); // keep it a quiet NaN
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float moec::npu::emu::fromBF16Bits(uint16_t bits) {
  return floatOf(static_cast<uint32_t>(bits) << 16);
}

uint16_t moec::npu::emu::toF16Bits(float value) {
  uint32_t bits = bitsOf(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN: quiet, keeping the top payload bits
    return sign | 0x7e00 | ((magnitude >> 13) & 0x3ff);
  if (magnitude >= 0x47800000) // 65536 and above, and infinity
    return sign | 0x7c00;
  if (magnitude < 0x38800000) {
    // Below the smallest normal half (2^-14): a multiple of 2^-24. Scaling
    // by 2^24 is exact; nearbyint rounds to nearest even.
    float scaled = floatOf(magnitude) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t exponent = (magnitude >> 23) - 127 + 15;
  uint32_t mantissa = magnitude & 0x7fffff;
  uint32_t half = (exponent << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fff;
  // Round to nearest even; a carry out of the mantissa bumps the exponent,
  // up to infinity.
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return sign | static_cast<uint16_t>(half);
}

float moec::npu::emu::fromF16Bits(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  if (exponent == 0) {
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31)
    return floatOf(sign | 0x7f800000 | (mantissa << 13));
  return floatOf(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

float moec::npu::emu::roundTo(ElementKind kind, float value) {
  switch (kind) {
  case ElementKind::BF16:
    return fromBF16Bits(toBF16Bits(value));
  case ElementKind::F16:
    return fromF16Bits(toF16Bits(value));
  default:
    return value;
  }
}

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

Buffer::Buffer(const BufferInfo &info, ElementKind kind, Layout layout,
               int64_t matrices, std::unique_ptr<Buffer> spare)
    : bufferInfo(info), elementKind(kind), layout(layout),
      numMatrices(matrices) {
  if (spare) {
    floats = std::move(spare->floats);
    ints = std::move(spare->ints);
    lastWrite = std::move(spare->lastWrite);
    lastRead = std::move(spare->lastRead);
    lastWrite.clear();
    lastRead.clear();
    (isFloat(kind) ? ints.clear() : floats.clear());
  }
  size_t size = static_cast<size_t>(numElements());
  if (isFloat(kind))
    floats.assign(size, 0.0f);
  else
    ints.assign(size, 0);
}

llvm::Expected<std::unique_ptr<Buffer>>
Buffer::create(const BufferInfo &info, std::unique_ptr<Buffer> spare) {
  auto where = [&](const llvm::Twine &message) {
    return info.definingOp
               ? moec::npu::detail::opError(info.definingOp,
                                            info.name + ": " + message)
               : moec::npu::detail::planError(info.name + ": " + message);
  };
  llvm::Expected<ElementKind> kind = elementKindOf(info.elementType);
  if (!kind)
    return where(llvm::toString(kind.takeError()));
  ArrayRef<int64_t> shape = info.shape;
  Layout layout;
  int64_t matrices = 1;
  layout.rows = shape.size() >= 2 ? shape[shape.size() - 2] : 1;
  layout.cols = shape.empty() ? 1 : shape.back();
  for (size_t i = 0; i + 2 < shape.size(); ++i)
    matrices *= shape[i];
  bool cube = info.space == MemorySpace::l1 || info.space == MemorySpace::l0a ||
              info.space == MemorySpace::l0b || info.space == MemorySpace::l0c;
  if (cube) {
    // A fractal is 16 rows of 32 bytes; L0C's f32 accumulator fractals are
    // 16x16, matching the cube's output.
    int64_t fractalCols =
        info.space == MemorySpace::l0c ? 16 : 32 / byteSize(*kind);
    if (layout.rows % 16 || layout.cols % fractalCols) {
      std::string type;
      llvm::raw_string_ostream os(type);
      os << info.elementType;
      return where(llvm::formatv("a tile of {0}x{1} {2} is not a whole "
                                 "number of 16x{3} fractals",
                                 layout.rows, layout.cols, type, fractalCols)
                       .str());
    }
    layout.rowShift = 4;
    layout.colShift = llvm::Log2_64(fractalCols);
  }
  return std::unique_ptr<Buffer>(
      new Buffer(info, *kind, layout, matrices, std::move(spare)));
}

void Buffer::storeFloat(int64_t index, float value) {
  written = true;
  if (isFloat(elementKind))
    floats[index] = roundTo(elementKind, value);
  else
    ints[index] = std::isnan(value) ? 0 : static_cast<int64_t>(value);
}

void Buffer::storeInt(int64_t index, int64_t value) {
  written = true;
  if (isFloat(elementKind))
    floats[index] = roundTo(elementKind, static_cast<float>(value));
  else if (elementKind == ElementKind::I32)
    ints[index] = static_cast<int32_t>(static_cast<uint32_t>(value));
  else
    ints[index] = value;
}

void Buffer::copySlot(int64_t slot, const Buffer &source, int64_t sourceSlot) {
  written = true;
  int64_t size = layout.rows * layout.cols;
  if (isFloat(elementKind))
    std::copy_n(source.floats.begin() + sourceSlot * size, size,
                floats.begin() + slot * size);
  else
    std::copy_n(source.ints.begin() + sourceSlot * size, size,
                ints.begin() + slot * size);
}

std::vector<float> Buffer::readMatrix(int64_t matrix) const {
  std::vector<float> values(layout.rows * layout.cols);
  for (int64_t r = 0; r < layout.rows; ++r)
    for (int64_t c = 0; c < layout.cols; ++c)
      values[r * layout.cols + c] = loadFloat(at(matrix, r, c));
  return values;
}

void Buffer::writeMatrix(int64_t matrix, llvm::ArrayRef<float> values) {
  for (int64_t r = 0; r < layout.rows; ++r)
    for (int64_t c = 0; c < layout.cols; ++c)
      storeFloat(at(matrix, r, c), values[r * layout.cols + c]);
}
