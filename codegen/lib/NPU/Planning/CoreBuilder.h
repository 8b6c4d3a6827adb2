//===- CoreBuilder.h - emit the program of one plan core --------*- C++ -*-===//
//
// Index arithmetic, loops, local buffers at aligned static offsets, and the
// flag patterns every kernel of the plan uses.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_PLANNING_COREBUILDER_H
#define MOEC_NPU_PLANNING_COREBUILDER_H

#include "moec/Dialect/MoENpu/MoENpuOps.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/IR/Builders.h"

#include <functional>
#include <map>

namespace moec::npu {

using mlir::moe_npu::MemorySpace;
using mlir::moe_npu::Pipe;

/// A memref type of the plan in `space`.
mlir::MemRefType planBufferType(llvm::ArrayRef<int64_t> shape,
                                mlir::Type element, MemorySpace space);

/// The element type and a dimension of a shaped value (tensor or plan
/// buffer).
mlir::Type elementOf(mlir::Value shaped);
int64_t dimOf(mlir::Value shaped, unsigned dim);

/// A kernel launch on `grid` blocks of one cube core and `subblocks` vector
/// cores, with an entry block (and its id arguments) in each region asked
/// for.
mlir::moe_npu::KernelOp createKernel(mlir::OpBuilder &b, mlir::Location loc,
                                     llvm::StringRef name, int64_t grid,
                                     int64_t subblocks, bool cube, bool vector);

/// Index arithmetic and structured control flow at the builder's point.
class IndexBuilder {
public:
  IndexBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  mlir::Value c(int64_t value);
  mlir::Value boolean(bool value);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value div(mlir::Value x, mlir::Value y);
  mlir::Value ceilDiv(mlir::Value x, mlir::Value y);
  mlir::Value rem(mlir::Value x, mlir::Value y);
  mlir::Value min(mlir::Value x, mlir::Value y);
  mlir::Value max(mlir::Value x, mlir::Value y);
  mlir::Value eq(mlir::Value x, mlir::Value y);
  mlir::Value andI(mlir::Value x, mlir::Value y);
  mlir::Value gtZero(mlir::Value x);
  /// `clamp(x, 0, hi)`.
  mlir::Value clamp(mlir::Value x, mlir::Value hi);
  mlir::Value dim(mlir::Value memref, int64_t index);

  /// `for (iv = lb; iv < ub; iv += step) body(iv)`.
  void loop(mlir::Value lb, mlir::Value ub, mlir::Value step,
            llvm::function_ref<void(mlir::Value)> body);
  /// `if (cond) body()`.
  void when(mlir::Value cond, llvm::function_ref<void()> body);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// The program of one core: an IndexBuilder plus local buffers and flags.
class CoreBuilder : public IndexBuilder {
public:
  CoreBuilder(mlir::OpBuilder &b, mlir::Location loc, const TargetDesc &target)
      : IndexBuilder(b, loc), target(target) {}

  /// `[slots, rows, cols]` of `element` in `space`, at the next offset
  /// aligned to the level's alignment.
  mlir::Value alloc(llvm::StringRef name, MemorySpace space, int64_t slots,
                    int64_t rows, int64_t cols, mlir::Type element);

  void setFlag(Pipe src, Pipe dst, mlir::Value id);
  void waitFlag(Pipe src, Pipe dst, mlir::Value id);
  void setFlag(Pipe src, Pipe dst, int64_t id) { setFlag(src, dst, c(id)); }
  void waitFlag(Pipe src, Pipe dst, int64_t id) { waitFlag(src, dst, c(id)); }
  /// set then wait: `dst` waits for everything issued so far on `src`.
  void order(Pipe src, Pipe dst, mlir::Value id);
  void blockSet(Pipe pipe, int64_t flag);
  void blockWait(Pipe pipe, int64_t flag);
  void blockSet(Pipe pipe, mlir::Value flag);
  void blockWait(Pipe pipe, mlir::Value flag);

  /// Pre-sets the "slot free" flags `src -> dst` of both slots of a double
  /// buffer (ids 0 and 1), so the first two waits pass; drainSlots consumes
  /// the two left at the end.
  void armSlots(Pipe src, Pipe dst);
  void drainSlots(Pipe src, Pipe dst);

  /// One double-buffered step of a vector core on slot `slot` (0 or 1):
  /// loads on MTE2, compute on V, stores on MTE3, with the flags that let
  /// step i+1's loads overlap step i's compute and stores. Needs
  /// armVectorSteps before the first step and drainVectorSteps after the
  /// last.
  void vectorStep(mlir::Value slot, llvm::function_ref<void()> loads,
                  llvm::function_ref<void()> compute,
                  llvm::function_ref<void()> stores);
  void armVectorSteps();
  void drainVectorSteps();

  const TargetDesc &target;

private:
  std::map<MemorySpace, int64_t> nextOffset;
};

} // namespace moec::npu

#endif // MOEC_NPU_PLANNING_COREBUILDER_H
