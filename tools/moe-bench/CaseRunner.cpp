//===- CaseRunner.cpp - a group of cases through every engine -------------===//

#include "CaseRunner.h"

#include "Accuracy.h"
#include "MoecEngine.h"
#include "NaiveEngine.h"
#include "OpenBlasEngine.h"
#include "Workload.h"

#include "llvm/Support/FormatVariadic.h"

#include <chrono>
#include <cstdio>

using namespace moec;
using namespace moec::bench;

namespace {

void addNote(CaseResult &result, const llvm::Twine &note) {
  if (!result.note.empty())
    result.note += "; ";
  result.note += note.str();
}

void fail(CaseResult &result, llvm::StringRef engine,
          const std::string &message) {
  result.status = CaseStatus::Failed;
  addNote(result, engine + " failed: " + message);
}

void failAndSay(CaseResult &result, llvm::StringRef engine,
                const std::string &message, llvm::raw_ostream &progress) {
  fail(result, engine, message);
  progress << "  " << result.benchCase.name() << ": " << engine
           << " failed: " << message << "\n";
}

void printTiming(llvm::raw_ostream &progress, llvm::StringRef engine,
                 const CaseResult &result, const Timing &timing,
                 llvm::StringRef extra = "") {
  progress << llvm::formatv("  {0,-8} {1,-36} {2,12:F3} ms  ({3} runs{4})\n",
                            engine, result.benchCase.name(), timing.medianMs,
                            timing.runs, extra);
}

/// Compiles, packs and times moec on every case; returns the outputs.
std::vector<std::vector<float>> runMoecEngine(const Workload &workload,
                                              llvm::ArrayRef<TokenSlice> slices,
                                              std::vector<CaseResult> &results,
                                              const BenchSettings &settings,
                                              llvm::raw_ostream &progress) {
  std::vector<std::vector<float>> outputs(results.size());
  auto session =
      MoecSession::create(workload, results.front().benchCase.groupName(),
                          slices.front(), settings.compile);
  if (!session) {
    std::string message = llvm::toString(session.takeError());
    progress << "  moec failed: " << message << "\n";
    for (CaseResult &result : results)
      fail(result, "moec", message);
    return outputs;
  }
  progress << llvm::formatv("  moec compiled in {0:F0} ms, packed {1:F0} MB "
                            "in {2:F0} ms\n",
                            (*session)->compileMs,
                            (*session)->packedBytes / 1e6, (*session)->packMs);
  for (size_t i = 0; i < results.size(); ++i) {
    CaseResult &result = results[i];
    result.compileMs = (*session)->compileMs;
    result.packMs = (*session)->packMs;
    result.packedBytes = (*session)->packedBytes;
    auto run = (*session)->run(slices[i], settings.timing);
    if (!run) {
      failAndSay(result, "moec", llvm::toString(run.takeError()), progress);
      continue;
    }
    result.moec = run->timing;
    outputs[i] = std::move(run->output);
    printTiming(progress, "moec", result, run->timing);
  }
  return outputs;
}

} // namespace

std::vector<CaseResult> moec::bench::runGroup(llvm::ArrayRef<BenchCase> cases,
                                              const BenchSettings &settings,
                                              llvm::raw_ostream &progress) {
  std::vector<CaseResult> results(cases.size());
  const BenchCase &largest = largestCase(cases);
  uint64_t footprint = estimateFootprint(largest, settings.naive);
  double footprintGib = footprint / double(1 << 30);
  for (size_t i = 0; i < cases.size(); ++i) {
    results[i].benchCase = cases[i];
    results[i].footprintBytes = footprint;
    results[i].flops = caseFlops(cases[i]);
    if (footprintGib > settings.maxGib) {
      results[i].status = CaseStatus::Skipped;
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", settings.maxGib);
      addNote(results[i], llvm::formatv("needs about {0:F1} GiB, more than "
                                        "--max-gib={1}",
                                        footprintGib, limit));
    }
  }
  if (footprintGib > settings.maxGib) {
    progress << "  skipped: " << results.front().note << "\n";
    return results;
  }

  auto start = std::chrono::steady_clock::now();
  Workload workload =
      Workload::generate(largest, largest.tokens, settings.seed);
  std::vector<TokenSlice> slices;
  for (size_t i = 0; i < cases.size(); ++i) {
    slices.push_back(sliceTokens(workload, cases[i].tokens));
    results[i].rows = slices.back().rows();
    results[i].expertsHit = slices.back().plan.expertsHit();
    results[i].weightBytes = caseWeightBytes(cases[i], results[i].expertsHit);
  }
  progress << llvm::formatv("  data generated and routed in {0:F1} s\n",
                            elapsedMs(start) / 1e3);

  std::vector<std::vector<float>> moecOutputs =
      runMoecEngine(workload, slices, results, settings, progress);

  std::vector<std::vector<float>> blasOutputs(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    CaseResult &result = results[i];
    auto blas = runOpenBlas(workload, slices[i], settings.timing);
    if (!blas) {
      failAndSay(result, "OpenBLAS", llvm::toString(blas.takeError()),
                 progress);
      continue;
    }
    result.openblas = blas->timing;
    blasOutputs[i] = std::move(blas->output);
    printTiming(progress, "openblas", result, blas->timing);
    if (!moecOutputs[i].empty())
      result.errMoecVsOpenBlas = relativeError(
          moecOutputs[i].data(), blasOutputs[i].data(), moecOutputs[i].size());
  }

  if (!settings.naive || !largest.isLayer())
    return results;
  NaiveReference reference(workload);
  int64_t H = workload.config.hidden;
  for (size_t i = 0; i < cases.size(); ++i) {
    CaseResult &result = results[i];
    NaiveResult naive = reference.run(cases[i].tokens, settings.naiveTiming);
    result.naive = naive.timing;
    result.naiveTokens = naive.tokens;
    result.naiveScaledMs = naive.scaledMs;
    printTiming(
        progress, "naive", result, Timing{naive.scaledMs, naive.timing.runs},
        naive.tokens == cases[i].tokens
            ? std::string()
            : llvm::formatv(" on {0} tokens, scaled", naive.tokens).str());
    size_t compared = naive.tokens * H;
    if (!moecOutputs[i].empty())
      result.errMoecVsReference =
          relativeError(moecOutputs[i].data(), naive.output.data(), compared);
    if (!blasOutputs[i].empty())
      result.errOpenBlasVsReference =
          relativeError(blasOutputs[i].data(), naive.output.data(), compared);
  }
  return results;
}
