//===- EmulatorOps.h - the emulator's machine and instructions --*- C++ -*-===//
//
// The state of one emulated plan run (its buffers and ordering checks) and
// what each plan instruction does to it, one file per op family:
// EmulatorDataMovement.cpp, EmulatorCube.cpp, EmulatorVector.cpp (with the
// routing math in EmulatorRouting.cpp) and EmulatorScalar.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_NPU_EMULATOR_EMULATOROPS_H
#define MOEC_NPU_EMULATOR_EMULATOROPS_H

#include "EmulatorOrdering.h"
#include "EmulatorStorage.h"

#include "llvm/ADT/DenseMap.h"

#include <memory>

namespace moec::npu::emu {

class Machine {
public:
  explicit Machine(bool checkOrdering) : checkOrdering(checkOrdering) {}

  llvm::Error createBuffer(const BufferInfo &info);
  Buffer &buffer(BufferId id) { return *buffers.at(id); }
  void beginKernel();
  /// Local buffers live as long as their kernel.
  void endKernel();

  bool checksOrdering() const { return checkOrdering; }
  OrderingChecker &ordering() { return checker; }

private:
  bool checkOrdering;
  OrderingChecker checker;
  llvm::DenseMap<BufferId, std::unique_ptr<Buffer>> buffers;
  /// The last kernel's local buffers, whose storage the next kernel's
  /// reuse.
  std::vector<std::unique_ptr<Buffer>> spares;
};

/// One instruction being executed by one core: its operands, and its reads
/// and writes as the ordering checks see them.
class Instruction {
public:
  Instruction(Machine &machine, mlir::Operation *op, const CoreRef &core,
              const OperandValues &operands);

  mlir::Operation *op() const { return operation; }
  int64_t index(mlir::Value value) const { return operands.index(value); }
  Buffer &buffer(mlir::Value value) const {
    return machine.buffer(operands.buffer(value).id);
  }
  /// The value of a slot operand, checked against the buffer's slots.
  llvm::Expected<int64_t> slot(const Buffer &buffer, mlir::Value value) const;
  /// The matrix, row and column `indices` address in a GM buffer (one index
  /// per dimension, row and column last); checks the matrix and that row
  /// and column are not negative.
  struct Position {
    int64_t matrix = 0, row = 0, col = 0;
  };
  llvm::Expected<Position> position(const Buffer &buffer,
                                    mlir::ValueRange indices) const;

  /// Checked against earlier accesses (when ordering checks are on).
  llvm::Error read(Buffer &buffer, const Footprint &region) const;
  llvm::Error write(Buffer &buffer, const Footprint &region) const;

  /// "<op> at <loc> on <core>: <message>".
  llvm::Error error(const llvm::Twine &message) const;

private:
  Machine &machine;
  mlir::Operation *operation;
  CoreRef core;
  const OperandValues &operands;
  uint32_t access = 0;
};

/// All of slot `slot` of a local buffer.
Footprint wholeSlot(const Buffer &buffer, int64_t slot);

llvm::Error runLoad(const Instruction &instr, mlir::moe_npu::LoadOp op);
llvm::Error runCopy(const Instruction &instr, mlir::moe_npu::CopyOp op);
llvm::Error runFixpipe(const Instruction &instr, mlir::moe_npu::FixpipeOp op);
llvm::Error runStore(const Instruction &instr, mlir::moe_npu::StoreOp op);
llvm::Error runMmad(const Instruction &instr, mlir::moe_npu::MmadOp op);
llvm::Error runVSwiglu(const Instruction &instr, mlir::moe_npu::VSwigluOp op);
llvm::Error runVAxpy(const Instruction &instr, mlir::moe_npu::VAxpyOp op);
llvm::Error runVCast(const Instruction &instr, mlir::moe_npu::VCastOp op);
llvm::Error runVRoute(const Instruction &instr, mlir::moe_npu::VRouteOp op);
llvm::Expected<int64_t> runLoadScalar(const Instruction &instr,
                                      mlir::moe_npu::LoadScalarOp op);
llvm::Error runDispatchMetadata(const Instruction &instr,
                                mlir::moe_npu::DispatchMetadataOp op);

} // namespace moec::npu::emu

#endif // MOEC_NPU_EMULATOR_EMULATOROPS_H
