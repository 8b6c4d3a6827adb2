//===- OpenBlasTrain.h - forward + backward as OpenBLAS sgemms --*- C++ -*-===//
//
// The baseline of the train cases: the forward of OpenBlasEngine.h keeping
// what the backward needs (logits, routing, each expert's rows, gate, up,
// SwiGLU and output), then per expert dH = dO Wd^T, dWd = H^T dO, the
// SwiGLU backward, dWg = X^T dG, dWu = X^T dU, dX = dG Wg^T + dU Wu^T, the
// same for the shared experts, and the router's dW = x^T dL, dx += dL W^T.
// The routing and combine backward are plain loops on one thread, as the
// forward's element-wise steps; OpenBLAS threads the sgemms.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_OPENBLASTRAIN_H
#define MOEC_TOOLS_MOEBENCH_OPENBLASTRAIN_H

#include "Timing.h"
#include "TrainOutputs.h"
#include "Workload.h"

namespace moec::bench {

struct BaselineTrainResult {
  Timing timing;
  TrainOutputs outputs;
};

/// Times forward + backward of an f32 layer workload with dy on its first
/// `tokens` tokens.
llvm::Expected<BaselineTrainResult>
runOpenBlasTrain(const Workload &workload, int64_t tokens,
                 const TimingPolicy &policy);

/// One untimed forward + backward, for comparisons.
TrainOutputs openBlasTrainOutputs(const Workload &workload, int64_t tokens);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_OPENBLASTRAIN_H
