//===- MoecEngine.h - compile, pack and time cases with moec ----*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_MOECENGINE_H
#define MOEC_TOOLS_MOEBENCH_MOECENGINE_H

#include "Timing.h"
#include "Workload.h"

#include "moec/moec.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace moec::bench {

struct MoecRun {
  /// Calls of Kernel::run with the prepared weights.
  Timing timing;
  /// The result, widened to f32 in bf16 cases.
  std::vector<float> output;
};

/// One workload's kernel, compiled and with its weights packed, ready to
/// time at any token count (the layer's token dimension is dynamic).
class MoecSession {
public:
  /// Layer workloads compile Compiler::layerSource(config); gemm workloads
  /// the module of expertFfnSource (`name` names it in diagnostics). The
  /// weights are packed with the inputs of `slice`, any of the workload's.
  /// The workload must outlive the session.
  static llvm::Expected<std::unique_ptr<MoecSession>>
  create(const Workload &workload, llvm::StringRef name,
         const TokenSlice &slice, const CompileOptions &options);

  llvm::Expected<MoecRun> run(const TokenSlice &slice,
                              const TimingPolicy &policy) const;

  /// Parse of the module text to JIT-compiled code, with a fresh Compiler
  /// (a shared one would answer from its cache).
  double compileMs = 0;
  /// Kernel::prepareWeights, the one-off packing at load time.
  double packMs = 0;
  uint64_t packedBytes = 0;

private:
  explicit MoecSession(const Workload &workload);
  TensorView view(const std::vector<float> &values, std::vector<int64_t> shape);
  std::vector<TensorView> inputs(const TokenSlice &slice,
                                 std::deque<std::vector<uint16_t>> &bf16,
                                 std::vector<int32_t> &offsets) const;

  const Workload &workload;
  bool bf16;
  /// bf16 groups: bf16 copies of the data, made once.
  std::deque<std::vector<uint16_t>> copies;
  /// Views of x (all tokens; layer groups) and of the arguments after x.
  TensorView x;
  std::vector<TensorView> rest;
  Compiler compiler;
  std::shared_ptr<const Kernel> kernel;
  std::shared_ptr<const PreparedWeights> prepared;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_MOECENGINE_H
