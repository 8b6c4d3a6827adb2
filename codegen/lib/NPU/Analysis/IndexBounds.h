//===- IndexBounds.h - constant bounds of index values in a kernel -*- C++ -*-//
//
// Event and flag ids are index values computed inside a kernel region
// (ping-pong ids are a loop counter modulo 2, say); the verifier needs a
// constant range for each. MLIR's value-bounds analysis handles affine
// arithmetic and loop bounds but neither the kernel's block ids (their range
// is the kernel's grid) nor arith's rem/div/and/min/max, which plans use for
// ping-pong ids. IndexBounds adds those as interval rules and asks
// ValueBoundsConstraintSet for whatever they leave open.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_LIB_NPU_ANALYSIS_INDEXBOUNDS_H
#define MOEC_LIB_NPU_ANALYSIS_INDEXBOUNDS_H

#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "llvm/ADT/DenseMap.h"

#include <cstdint>
#include <optional>

namespace moec::npu {

/// A closed range [lo, hi]; a missing end is unbounded.
struct IndexRange {
  std::optional<int64_t> lo, hi;
  bool isBounded() const { return lo && hi; }
};

class IndexBounds {
public:
  explicit IndexBounds(mlir::moe_npu::KernelOp kernel) : kernel(kernel) {}

  /// The range of an integer or index value of the kernel's regions: the
  /// interval rules' range, tightened by the value-bounds analysis (which
  /// sees through `i - i` and other correlated terms the rules do not).
  IndexRange range(mlir::Value value);

private:
  /// The interval rules, with value bounds for the ends they leave open.
  IndexRange intervalOf(mlir::Value value);
  IndexRange compute(mlir::Value value);
  IndexRange blockArgumentRange(mlir::BlockArgument arg);
  IndexRange opResultRange(mlir::Operation *op);
  /// Tightens `range` with the value-bounds analysis; with `openEndsOnly`,
  /// asks it only for the ends `range` lacks.
  void refineWithValueBounds(mlir::Value value, IndexRange &range,
                             bool openEndsOnly);

  mlir::moe_npu::KernelOp kernel;
  llvm::DenseMap<mlir::Value, IndexRange> cache;
};

} // namespace moec::npu

#endif // MOEC_LIB_NPU_ANALYSIS_INDEXBOUNDS_H
