//===- CombineKernel.cpp - vectorised deterministic combine ---------------===//

#include "CombineKernel.h"
#include "KernelBuilders.h"

#include "moec/Conversion/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::moe::lowering;
using namespace moec::cpu;

namespace {

Value dim(ImplicitLocOpBuilder &b, Value buffer, int64_t d) {
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.isDynamicDim(d))
    return indexConstant(b, type.getDimSize(d));
  return memref::DimOp::create(b, buffer, d);
}

/// `inv[p]` = the last row whose perm is `p`, or -1; perms outside
/// `[0, pairs)` are skipped.
Value invertPermutation(ImplicitLocOpBuilder &b, Value perm, Value rows,
                        Value pairs) {
  auto type = MemRefType::get({ShapedType::kDynamic}, b.getIndexType());
  Value inv = memref::AllocOp::create(b, type, ValueRange{pairs});
  buildLoop(b, pairs, ValueRange{},
            [&](ImplicitLocOpBuilder &lb, Value p, ValueRange) {
              memref::StoreOp::create(lb, indexConstant(lb, -1), inv, p);
              return SmallVector<Value>{};
            });
  buildLoop(b, rows, ValueRange{},
            [&](ImplicitLocOpBuilder &lb, Value row, ValueRange) {
              Value p = toIndex(lb, memref::LoadOp::create(lb, perm, row));
              auto ifOp = scf::IfOp::create(lb, isInRange(lb, p, pairs),
                                            /*withElseRegion=*/false);
              auto tb = ImplicitLocOpBuilder::atBlockBegin(
                  lb.getLoc(), &ifOp.getThenRegion().front());
              memref::StoreOp::create(tb, row, inv, p);
              return SmallVector<Value>{};
            });
  return inv;
}

} // namespace

void moec::cpu::buildCombine(ImplicitLocOpBuilder &b, const Combine &c) {
  Value rows = dim(b, c.expertOut, 0);
  Value tokens = dim(b, c.weights, 0), k = dim(b, c.weights, 1);
  int64_t hidden = cast<MemRefType>(c.output.getType()).getDimSize(1);
  Value pairs = arith::MulIOp::create(b, tokens, k);
  Value inv = invertPermutation(b, c.perm, rows, pairs);
  VectorType accType = f32Vector(b.getContext(), c.lanes);

  Value zero = indexConstant(b, 0), one = indexConstant(b, 1);
  scf::ParallelOp::create(
      b, ValueRange{zero}, ValueRange{tokens}, ValueRange{one},
      [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder nb(loc, nested);
        Value token = ivs[0];
        Value firstPair = arith::MulIOp::create(nb, token, k);
        scf::ForOp::create(
            nb, zero, indexConstant(nb, hidden), indexConstant(nb, c.lanes),
            ValueRange{},
            [&](OpBuilder &colNested, Location colLoc, Value column,
                ValueRange) {
              ImplicitLocOpBuilder cb(colLoc, colNested);
              Value sum = buildLoop(
                  cb, k, ValueRange{floatConstant(cb, accType, 0.0)},
                  [&](ImplicitLocOpBuilder &lb, Value slot, ValueRange acc) {
                    Value pair = arith::AddIOp::create(lb, firstPair, slot);
                    Value row = memref::LoadOp::create(lb, inv, pair);
                    return buildIf(
                        lb, isInRange(lb, row, rows), accType,
                        [&](ImplicitLocOpBuilder &tb) -> SmallVector<Value> {
                          Value weight =
                              loadF32(tb, c.weights, ValueRange{token, slot});
                          Value x =
                              loadF32Vector(tb, c.expertOut,
                                            ValueRange{row, column}, c.lanes);
                          Value term = arith::MulFOp::create(
                              tb,
                              vector::BroadcastOp::create(tb, accType, weight),
                              x);
                          return {arith::AddFOp::create(tb, acc[0], term)};
                        },
                        [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
                          return {acc[0]};
                        });
                  })[0];
              storeF32Vector(cb, sum, c.output, ValueRange{token, column});
              scf::YieldOp::create(cb);
            });
      });
}
