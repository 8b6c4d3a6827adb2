//===- CaseRunner.h - a group of cases through every engine -----*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_CASERUNNER_H
#define MOEC_TOOLS_MOEBENCH_CASERUNNER_H

#include "CaseResult.h"
#include "Timing.h"

#include "moec/Runtime/Compiler.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

namespace moec::bench {

struct BenchSettings {
  CompileOptions compile;
  TimingPolicy timing;
  /// The naive reference's repeats and time budget.
  TimingPolicy naiveTiming;
  bool naive = true;
  double maxGib = 12;
  uint64_t seed = 1;
};

/// Runs cases of one group (see groupCases): generates their shared data,
/// compiles and packs once, then times moec, the OpenBLAS loop and the
/// reference (in that order: the reference consumes the data) at each
/// case's token count and compares their outputs. Train groups time each
/// engine's forward and forward + backward per case and compare every
/// gradient (the reference only where its f64 copies fit maxGib). Prints
/// progress to `progress`. An engine that fails marks its cases failed; the
/// other engines still run. Returns one result per case, in order.
std::vector<CaseResult> runGroup(llvm::ArrayRef<BenchCase> cases,
                                 const BenchSettings &settings,
                                 llvm::raw_ostream &progress);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_CASERUNNER_H
