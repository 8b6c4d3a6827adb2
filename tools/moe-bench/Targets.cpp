//===- Targets.cpp - the issue's performance targets against a run --------===//
//
// The targets of issue 4, checked on every run so that docs/performance.md
// can be regenerated rather than recomputed by hand:
//   - grouped GEMM (gemm cases, f32) >= 70% of the measured FMA peak;
//   - whole layer prefill, f32, >= 1.5x the OpenBLAS loop;
//   - decode T = 1 and 16 >= 70% of the bandwidth roofline;
//   - bf16 decode >= 1.7x the same f32 decode;
//   - compiling one layer <= 2 s;
// and issue 6's:
//   - train: moec's backward (forward + backward minus forward) <= 2.5x its
//     forward, for about 2x the FLOPs.
//
//===----------------------------------------------------------------------===//

#include "Report.h"

#include "llvm/Support/FormatVariadic.h"

#include <set>

using namespace moec;
using namespace moec::bench;

namespace {

struct Check {
  std::string target, subject, measured;
  bool met;
};

bool isF32(const BenchCase &c) {
  return c.config.elementType == ElementType::F32;
}

std::vector<Check> evaluate(const Report &report) {
  std::vector<Check> checks;
  const MachineInfo &m = report.machine;
  std::set<std::string> compiled;
  for (const CaseResult &r : report.cases) {
    const BenchCase &c = r.benchCase;
    if (!r.moec)
      continue;
    double ms = r.moec->medianMs;
    if (c.phase == Phase::Gemm && isF32(c)) {
      double pct = 100 * r.flops / (ms * 1e6) / m.fmaPeakGflops;
      checks.push_back({"grouped GEMM f32 >= 70% of FMA peak", c.name(),
                        llvm::formatv("{0:F1}%", pct), pct >= 70});
    }
    if (c.phase == Phase::Prefill && isF32(c) && r.openblas) {
      double speedup = r.openblas->medianMs / ms;
      checks.push_back({"layer prefill f32 >= 1.5x OpenBLAS loop", c.name(),
                        llvm::formatv("{0:F2}x", speedup), speedup >= 1.5});
    }
    if (c.phase == Phase::Decode && (c.tokens == 1 || c.tokens == 16)) {
      double pct = 100 * r.weightBytes / (ms * 1e6) / m.bandwidthGBs;
      checks.push_back({"decode T=1,16 >= 70% of bandwidth roofline", c.name(),
                        llvm::formatv("{0:F1}%", pct), pct >= 70});
    }
    if (c.phase == Phase::Decode && !isF32(c))
      for (const CaseResult &f32 : report.cases)
        if (f32.moec && f32.benchCase.phase == Phase::Decode &&
            isF32(f32.benchCase) && f32.benchCase.model == c.model &&
            f32.benchCase.tokens == c.tokens) {
          double speedup = f32.moec->medianMs / ms;
          checks.push_back({"bf16 decode >= 1.7x f32 decode", c.name(),
                            llvm::formatv("{0:F2}x", speedup), speedup >= 1.7});
        }
    if (c.isTrain() && r.moecTrain) {
      double ratio = (r.moecTrain->medianMs - ms) / ms;
      checks.push_back({"train: backward <= 2.5x forward time", c.name(),
                        llvm::formatv("{0:F2}x", ratio), ratio <= 2.5});
    }
    if (c.isLayer() && !c.isTrain() && r.compileMs &&
        compiled.insert(c.groupName()).second)
      checks.push_back({"compile one layer <= 2 s", c.groupName(),
                        llvm::formatv("{0:F0} ms", *r.compileMs),
                        *r.compileMs <= 2000});
  }
  return checks;
}

} // namespace

void moec::bench::printTargets(llvm::raw_ostream &os, const Report &report,
                               bool markdown) {
  std::vector<Check> checks = evaluate(report);
  if (checks.empty())
    return;
  if (markdown)
    os << "| target | case | measured | met |\n| --- | --- | ---: | --- |\n";
  else
    os << "targets:\n";
  for (const Check &check : checks)
    os << llvm::formatv(markdown ? "| {0} | `{1}` | {2} | {3} |\n"
                                 : "  {0,-44} {1,-36} {2,10}  {3}\n",
                        check.target, check.subject, check.measured,
                        check.met ? "yes" : "no");
}
