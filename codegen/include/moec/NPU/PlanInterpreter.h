//===- PlanInterpreter.h - walk a moe_npu plan core by core -----*- C++ -*-===//
//
// Runs the control of a kernel plan (func.func of moe_npu ops): kernels in
// order, every core of every block, scf loops and index arithmetic, flags
// and cross-core syncs. What an instruction does is left to a handler: the
// emulator moves and computes data and checks ordering; the cost model
// charges time to pipes. Both see the same instruction stream.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_PLANINTERPRETER_H
#define MOEC_NPU_PLANINTERPRETER_H

#include "moec/Dialect/MoENpu/MoENpuOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace moec::npu {

/// One core of a kernel launch: the cube core of a block (`sub == -1`) or
/// one of its vector cores (`sub >= 0`).
struct CoreRef {
  int64_t block = 0;
  int64_t sub = -1;
  bool isCube() const { return sub < 0; }
  /// "AIC 3" or "AIV 3.1", for diagnostics.
  std::string str() const;
};

/// A buffer the plan touches: an argument or workspace in GM, or a local
/// buffer of one core (fresh for each core that runs its alloc).
using BufferId = int64_t;

struct BufferInfo {
  BufferId id = 0;
  mlir::moe_npu::MemorySpace space = mlir::moe_npu::MemorySpace::gm;
  llvm::SmallVector<int64_t> shape;
  mlir::Type elementType;
  /// The alloc or workspace op; null for a function argument.
  mlir::Operation *definingOp = nullptr;
  /// The argument's position, or -1.
  int64_t argument = -1;
  /// For local buffers: the core that owns it.
  CoreRef owner;
  /// "L1 'l1_a'", "GM argument 2", "GM workspace 'gate_up'".
  std::string name;
};

/// The evaluated operands of the instruction being issued.
class OperandValues {
public:
  virtual ~OperandValues();
  /// The value of an index (or i1) operand.
  virtual int64_t index(mlir::Value value) const = 0;
  /// The buffer a memref operand names.
  virtual const BufferInfo &buffer(mlir::Value value) const = 0;
};

/// What the interpreter asks of its client. Every method may fail; the
/// interpreter stops at the first error and returns it.
class InstructionHandler {
public:
  virtual ~InstructionHandler();

  /// A buffer comes to life: a GM argument or workspace before the first
  /// kernel, or a local buffer when its core runs the alloc.
  virtual llvm::Error createBuffer(const BufferInfo &info) = 0;
  /// Kernel boundaries; a launch waits for the previous one to finish.
  virtual llvm::Error beginKernel(mlir::moe_npu::KernelOp kernel) {
    return llvm::Error::success();
  }
  virtual llvm::Error endKernel(mlir::moe_npu::KernelOp kernel) {
    return llvm::Error::success();
  }
  /// Any instruction except the flag and sync ops and load_scalar: load,
  /// copy, mmad, fixpipe, store, the vector ops, dispatch_metadata.
  virtual llvm::Error instruction(mlir::Operation *op, const CoreRef &core,
                                  const OperandValues &operands) = 0;
  /// load_scalar: the integer read.
  virtual llvm::Expected<int64_t> loadScalar(mlir::moe_npu::LoadScalarOp op,
                                             const CoreRef &core,
                                             const OperandValues &operands) = 0;
  /// A set_flag or sync_block_set issued by `core`; `token` names this
  /// signal for the wait that consumes it.
  virtual llvm::Error signal(mlir::Operation *op, const CoreRef &core,
                             uint64_t token) {
    return llvm::Error::success();
  }
  /// A wait_flag or sync_block_wait of `core` consuming the signal `token`
  /// (a cube core's sync_block_wait consumes one signal per vector core of
  /// its block, so this is called once for each).
  virtual llvm::Error await(mlir::Operation *op, const CoreRef &core,
                            uint64_t token) {
    return llvm::Error::success();
  }
};

/// "moe_npu.load at plan.mlir:12:5": an op and its source position, the way
/// interpreter and handlers name instructions in diagnostics.
std::string describeOp(mlir::Operation *op);

/// "MTE2", "V", ...: a pipe as the target description spells it.
std::string pipeName(mlir::moe_npu::Pipe pipe);

struct InterpreterOptions {
  /// Run only these blocks of every kernel (empty: all); a block outside a
  /// kernel's grid is skipped for that kernel. The cost model times block 0
  /// alone, the busiest one.
  llvm::SmallVector<int64_t> blocks;
};

/// Runs `plan` with GM arguments of the given shapes (one per function
/// argument, dynamic sizes filled in). Arguments get BufferIds 0..n-1.
/// Fails at the first problem, naming the op, its location and the core: a
/// handler's error, an op it cannot run, a wait_flag with no pending set, an
/// event id beyond the module's `moe.target` budget, a cross-core deadlock
/// (every unfinished core blocked), or a signal still pending at the end of
/// its kernel. The IR is only read, so concurrent calls on one plan are
/// safe.
llvm::Error interpretPlan(mlir::func::FuncOp plan,
                          llvm::ArrayRef<llvm::SmallVector<int64_t>> argShapes,
                          InstructionHandler &handler,
                          const InterpreterOptions &options = {});

} // namespace moec::npu

#endif // MOEC_NPU_PLANINTERPRETER_H
