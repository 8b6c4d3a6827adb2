//===- ScalarEval.h - index arithmetic of a plan ----------------*- C++ -*-===//
//
// The scalar side of a plan: the values of index, i1 and integer SSA values
// a core computes (loop bounds, tile offsets, flags' event ids) and the
// buffers its memref values name. Private to the plan interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_SCALAREVAL_H
#define MOEC_NPU_EMULATOR_SCALAREVAL_H

#include "moec/NPU/PlanInterpreter.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace moec::npu::detail {

/// The values one core (or the plan body) has computed. A core's
/// environment falls back to the plan body's for values defined outside
/// the kernel (GM arguments, workspaces, sizes).
class ValueEnv {
public:
  explicit ValueEnv(const ValueEnv *parent = nullptr) : parent(parent) {}

  std::optional<int64_t> lookupScalar(mlir::Value value) const;
  std::optional<BufferId> lookupBuffer(mlir::Value value) const;
  /// Stores `value` normalised to the width of the SSA value's type.
  void setScalar(mlir::Value ssa, int64_t value);
  void setBuffer(mlir::Value ssa, BufferId id) { buffers[ssa] = id; }

private:
  const ValueEnv *parent;
  llvm::DenseMap<mlir::Value, int64_t> scalars;
  llvm::DenseMap<mlir::Value, BufferId> buffers;
};

/// Integers are kept sign-extended from their width (i1 as 0 or 1, index as
/// 64 bits), so that equal values compare equal whatever op made them.
int64_t normaliseInteger(int64_t value, mlir::Type type);

/// A normalised integer as an unsigned number of its width.
uint64_t toUnsigned(int64_t value, mlir::Type type);

/// True for the types the interpreter computes with: index and integers of
/// at most 64 bits.
bool isScalarType(mlir::Type type);

/// Runs `op` when it is scalar arithmetic (the arith ops on index and
/// integers, memref.dim) and stores its result in `env`. Returns false,
/// touching nothing, for any other op; an error for division by zero, an
/// operand without a value or an unsupported type.
llvm::Expected<bool>
evaluateScalarOp(mlir::Operation *op, ValueEnv &env,
                 llvm::function_ref<const BufferInfo &(BufferId)> bufferInfo);

/// The value of a scalar operand of `op`, or an error naming it.
llvm::Expected<int64_t> scalarOperand(mlir::Operation *op, mlir::Value value,
                                      const ValueEnv &env);

} // namespace moec::npu::detail

#endif // MOEC_NPU_EMULATOR_SCALAREVAL_H
