//===- CaseResult.h - what one case measured --------------------*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_CASERESULT_H
#define MOEC_TOOLS_MOEBENCH_CASERESULT_H

#include "Cases.h"
#include "Timing.h"

#include <cstdint>
#include <optional>
#include <string>

namespace moec::bench {

enum class CaseStatus { Ok, Skipped, Failed };

/// Absent fields were not measured (an engine switched off, a skipped or
/// failed case, a kind the engine does not run).
struct CaseResult {
  BenchCase benchCase;
  CaseStatus status = CaseStatus::Ok;
  /// Why a case was skipped or failed, and remarks.
  std::string note;

  int64_t rows = 0;
  int64_t expertsHit = 0;
  double flops = 0;
  uint64_t weightBytes = 0;
  uint64_t footprintBytes = 0;

  std::optional<double> compileMs, packMs;
  std::optional<uint64_t> packedBytes;
  std::optional<Timing> moec, openblas, naive;
  /// Tokens the reference ran on, and its time scaled to all tokens.
  int64_t naiveTokens = 0;
  std::optional<double> naiveScaledMs;

  /// Max relative errors (reference::maxRelativeError with the RMS of the
  /// expected values as floor) of moec against the reference and OpenBLAS,
  /// and of OpenBLAS against the reference, over the rows both computed.
  /// Train cases: the largest over y and every gradient, each against its
  /// own RMS.
  std::optional<double> errMoecVsReference, errMoecVsOpenBlas,
      errOpenBlasVsReference;

  /// Train cases. `moec` and `openblas` above time the forward alone (moec
  /// without prepared weights, see MoecTrain.h), these forward + backward,
  /// in the same run on the same data.
  std::optional<double> gradCompileMs;
  std::optional<Timing> moecTrain, openblasTrain, naiveTrain;
  int64_t naiveTrainTokens = 0;
  std::optional<double> naiveTrainScaledMs;
  /// The result of @moe_layer_grad with the largest error against OpenBLAS.
  std::string errMoecVsOpenBlasWorst;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_CASERESULT_H
