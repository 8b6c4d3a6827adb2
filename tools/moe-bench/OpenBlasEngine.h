//===- OpenBlasEngine.h - the layer as a loop of OpenBLAS sgemm -*- C++ -*-===//
//
// The baseline a framework without moec would write: router sgemm, routing,
// a gather of each expert's rows, per expert sgemm gate, sgemm up, SwiGLU,
// sgemm down, a weighted combine, and the shared experts as dense sgemms.
// OpenBLAS threads the sgemms; the element-wise steps run on one thread.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_OPENBLASENGINE_H
#define MOEC_TOOLS_MOEBENCH_OPENBLASENGINE_H

#include "Timing.h"
#include "Workload.h"

#include <string>
#include <vector>

namespace moec::bench {

struct OpenBlasInfo {
  /// openblas_get_corename(): the kernels OpenBLAS picked for this CPU
  /// (OPENBLAS_CORETYPE in the environment overrides its choice).
  std::string core;
  /// Whether those are its AVX-512 kernels.
  bool avx512Kernels = false;
  /// OPENBLAS_CORETYPE as the environment sets it, or empty.
  std::string coreTypeOverride;
  std::string config;
  /// How bf16 cases run: Debian's OpenBLAS 0.3.21 exports no cblas_sbgemm,
  /// so they run sgemm on f32 copies of the bf16 values.
  std::string bf16Mode;
};

OpenBlasInfo openBlasInfo();
void setOpenBlasThreads(unsigned threads);

struct BaselineResult {
  Timing timing;
  std::vector<float> output;
};

/// Times the workload's layer (or, in gemm workloads, expert FFN) on the
/// tokens of `slice`.
llvm::Expected<BaselineResult> runOpenBlas(const Workload &workload,
                                           const TokenSlice &slice,
                                           const TimingPolicy &policy);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_OPENBLASENGINE_H
