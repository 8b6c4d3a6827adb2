//===- KernelBuilders.cpp - memref-level builders for CPU kernels ---------===//

#include "KernelBuilders.h"

#include "moec/Conversion/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::moe::lowering;

Value moec::cpu::readBuffer(ImplicitLocOpBuilder &b, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, bufferType, tensor,
                                           /*read_only=*/b.getUnitAttr());
}

Value moec::cpu::allocBuffer(ImplicitLocOpBuilder &b, RankedTensorType type,
                             ValueRange dynamicSizes) {
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  // 64-byte alignment: every row of a packed panel starts a cache line.
  return memref::AllocOp::create(b, bufferType, dynamicSizes,
                                 b.getI64IntegerAttr(64));
}

Value moec::cpu::bufferAsTensor(ImplicitLocOpBuilder &b, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  auto tensorType =
      RankedTensorType::get(type.getShape(), type.getElementType());
  return bufferization::ToTensorOp::create(b, tensorType, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

VectorType moec::cpu::f32Vector(MLIRContext *context, int64_t lanes) {
  return VectorType::get({lanes}, Float32Type::get(context));
}

Value moec::cpu::loadF32(ImplicitLocOpBuilder &b, Value buffer,
                         ValueRange indices) {
  return extendToF32(b, memref::LoadOp::create(b, buffer, indices));
}

Value moec::cpu::loadF32Vector(ImplicitLocOpBuilder &b, Value buffer,
                               ValueRange indices, int64_t lanes) {
  Type element = cast<MemRefType>(buffer.getType()).getElementType();
  Value vector = vector::LoadOp::create(b, VectorType::get({lanes}, element),
                                        buffer, indices);
  if (element.isF32())
    return vector;
  return arith::ExtFOp::create(b, f32Vector(b.getContext(), lanes), vector);
}

void moec::cpu::storeF32Vector(ImplicitLocOpBuilder &b, Value vector,
                               Value buffer, ValueRange indices) {
  Type element = cast<MemRefType>(buffer.getType()).getElementType();
  if (!element.isF32()) {
    auto lanes = cast<VectorType>(vector.getType()).getDimSize(0);
    vector =
        arith::TruncFOp::create(b, VectorType::get({lanes}, element), vector);
  }
  vector::StoreOp::create(b, vector, buffer, indices);
}

void moec::cpu::zeroRows(ImplicitLocOpBuilder &b, Value buffer, Value from,
                         Value count) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<OpFoldResult> offsets = {from, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {count, b.getIndexAttr(type.getDimSize(1))};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  Value rows = memref::SubViewOp::create(b, buffer, offsets, sizes, strides);
  linalg::FillOp::create(b, ValueRange{zeroConstant(b, type.getElementType())},
                         ValueRange{rows});
}
