//===- CostModelMemory.h - the integers a timed plan reads ------*- C++ -*-===//
//
// The cost model moves no data, but a plan's control flow and gathers read
// integers from GM: the token list and tile table that dispatch_metadata
// writes, which grouped GEMMs read with load_scalar and gather through.
// IntegerMemory keeps storage for integer GM buffers only and fills the
// metadata from a synthetic balanced routing, so the timed plan does the
// work of an evenly loaded layer. Private to MoECNpuAnalysis.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_LIB_NPU_ANALYSIS_COSTMODELMEMORY_H
#define MOEC_LIB_NPU_ANALYSIS_COSTMODELMEMORY_H

#include "moec/NPU/PlanInterpreter.h"

#include "llvm/ADT/DenseMap.h"

#include <vector>

namespace moec::npu {

class IntegerMemory {
public:
  /// Gives an integer GM buffer zeroed storage; other buffers get none.
  llvm::Error create(const BufferInfo &info);

  /// The integer at `indices` of `buffer` (0 for a buffer without storage,
  /// which only happens for float data the cost model never reads).
  llvm::Expected<int64_t> read(const BufferInfo &buffer,
                               llvm::ArrayRef<int64_t> indices) const;

  /// Writes the outputs of `op` for the balanced routing: pair t*k + j of
  /// the ids' [T, k] goes to expert (t*k + j) mod experts, whatever the ids
  /// buffer holds.
  llvm::Error dispatchMetadata(mlir::moe_npu::DispatchMetadataOp op,
                               const OperandValues &operands);

private:
  std::vector<int64_t> *storageOf(const BufferInfo &buffer);

  llvm::DenseMap<BufferId, std::vector<int64_t>> storage;
};

} // namespace moec::npu

#endif // MOEC_LIB_NPU_ANALYSIS_COSTMODELMEMORY_H
