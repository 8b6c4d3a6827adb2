//===- CaseRunner.cpp - a group of cases through every engine -------------===//

#include "CaseRunner.h"

#include "Accuracy.h"
#include "MoecEngine.h"
#include "MoecTrain.h"
#include "NaiveEngine.h"
#include "OpenBlasEngine.h"
#include "OpenBlasTrain.h"
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

/// The largest relative error over the results (each against its own RMS)
/// and the name of the result where it is.
struct TrainError {
  double value = 0;
  std::string worst;
};

template <typename Want>
TrainError trainError(const TrainOutputs &got,
                      llvm::ArrayRef<const std::vector<Want> *> want,
                      bool shared) {
  TrainError error;
  llvm::ArrayRef<const char *> names = trainOutputNames(shared);
  for (size_t i = 0; i < names.size() && i < got.size() && i < want.size();
       ++i) {
    double err = relativeError(got[i].data(), want[i]->data(),
                               std::min(got[i].size(), want[i]->size()));
    if (!(err <= error.value)) {
      error.value = err;
      error.worst = names[i];
    }
  }
  return error;
}

TrainError trainError(const TrainOutputs &got, const TrainOutputs &want,
                      bool shared) {
  std::vector<const std::vector<float> *> pointers;
  for (const std::vector<float> &values : want)
    pointers.push_back(&values);
  return trainError<float>(got, pointers, shared);
}

TrainError trainError(const TrainOutputs &got,
                      const reference::LayerGradients &want, bool shared) {
  return trainError<double>(got,
                            {&want.y, &want.dx, &want.dRouterW, &want.dWGate,
                             &want.dWUp, &want.dWDown, &want.dSharedGate,
                             &want.dSharedUp, &want.dSharedDown},
                            shared);
}

/// The reference on the first T' tokens its budget allows; then moec and
/// OpenBLAS once more, untimed, on the same T' tokens, so that every
/// gradient (the weights' sum over tokens too) is compared. One at a time,
/// to hold at most one engine's gradients beside the reference's.
void runNaiveTrain(const Workload &workload, const MoecTrainSession *moec,
                   CaseResult &result, const BenchSettings &settings,
                   llvm::raw_ostream &progress) {
  bool shared = workload.config.sharedIntermediate() > 0;
  NaiveTrainResult naive;
  {
    NaiveReference reference(workload);
    naive = reference.runTrain(result.benchCase.tokens, settings.naiveTiming);
  }
  result.naiveTrain = naive.timing;
  result.naiveTrainTokens = naive.tokens;
  result.naiveTrainScaledMs = naive.scaledMs;
  printTiming(
      progress, "naive", result, Timing{naive.scaledMs, naive.timing.runs},
      llvm::formatv(
          " fwd+bwd{0}",
          naive.tokens == result.benchCase.tokens
              ? std::string()
              : llvm::formatv(" on {0} tokens, scaled", naive.tokens).str())
          .str());
  if (moec) {
    auto got = moec->gradients(naive.tokens);
    if (got)
      result.errMoecVsReference =
          trainError(*got, naive.gradients, shared).value;
    else
      failAndSay(result, "moec", llvm::toString(got.takeError()), progress);
  }
  result.errOpenBlasVsReference =
      trainError(openBlasTrainOutputs(workload, naive.tokens), naive.gradients,
                 shared)
          .value;
}

/// Train groups: per case, moec's forward and forward + backward, then
/// OpenBLAS's, compared, then the reference's.
void runTrainCases(const Workload &workload, llvm::ArrayRef<TokenSlice> slices,
                   std::vector<CaseResult> &results,
                   const BenchSettings &settings, bool naive,
                   llvm::raw_ostream &progress) {
  bool shared = workload.config.sharedIntermediate() > 0;
  std::unique_ptr<MoecTrainSession> session;
  std::string sessionError;
  if (auto created = MoecTrainSession::create(
          workload, results.front().benchCase.groupName(), settings.compile)) {
    session = std::move(*created);
    progress << llvm::formatv("  moec compiled @moe_layer in {0:F0} ms, "
                              "@moe_layer_grad in {1:F0} ms\n",
                              session->forwardCompileMs,
                              session->gradCompileMs);
  } else {
    sessionError = llvm::toString(created.takeError());
    progress << "  moec failed: " << sessionError << "\n";
  }

  for (size_t i = 0; i < results.size(); ++i) {
    CaseResult &result = results[i];
    int64_t T = result.benchCase.tokens;
    TrainOutputs moecOutputs;
    if (session) {
      result.compileMs = session->forwardCompileMs;
      result.gradCompileMs = session->gradCompileMs;
      auto run = session->run(T, settings.timing);
      if (run) {
        result.moec = run->forward;
        result.moecTrain = run->train;
        moecOutputs = std::move(run->outputs);
        printTiming(progress, "moec", result, run->forward, " fwd");
        printTiming(progress, "moec", result, run->train, " fwd+bwd");
      } else {
        failAndSay(result, "moec", llvm::toString(run.takeError()), progress);
      }
    } else {
      fail(result, "moec", sessionError);
    }

    auto forward = runOpenBlas(workload, slices[i], settings.timing);
    auto train = forward ? runOpenBlasTrain(workload, T, settings.timing)
                         : forward.takeError();
    if (!train) {
      failAndSay(result, "OpenBLAS", llvm::toString(train.takeError()),
                 progress);
    } else {
      result.openblas = forward->timing;
      result.openblasTrain = train->timing;
      printTiming(progress, "openblas", result, forward->timing, " fwd");
      printTiming(progress, "openblas", result, train->timing, " fwd+bwd");
      if (!moecOutputs.empty()) {
        TrainError error = trainError(moecOutputs, train->outputs, shared);
        result.errMoecVsOpenBlas = error.value;
        result.errMoecVsOpenBlasWorst = error.worst;
      }
    }
    // Free both engines' gradients before the reference allocates its own.
    TrainOutputs().swap(moecOutputs);
    if (train)
      TrainOutputs().swap(train->outputs);
    if (naive)
      runNaiveTrain(workload, session.get(), result, settings, progress);
  }
}

} // namespace

std::vector<CaseResult> moec::bench::runGroup(llvm::ArrayRef<BenchCase> cases,
                                              const BenchSettings &settings,
                                              llvm::raw_ostream &progress) {
  std::vector<CaseResult> results(cases.size());
  const BenchCase &largest = largestCase(cases);
  // Train groups run without the reference when only the reference would
  // not fit, rather than not at all.
  bool naive = settings.naive;
  std::string naiveNote;
  if (naive && largest.isTrain()) {
    double naiveGib = estimateNaiveTrainFootprint(largest) / double(1 << 30);
    if (naiveGib > settings.maxGib) {
      naive = false;
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", settings.maxGib);
      naiveNote = llvm::formatv("no reference: it needs about {0:F1} GiB, "
                                "more than --max-gib={1}",
                                naiveGib, limit);
    }
  }
  uint64_t footprint = estimateFootprint(largest, naive);
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
  if (!naiveNote.empty()) {
    progress << "  " << naiveNote << "\n";
    for (CaseResult &result : results)
      addNote(result, naiveNote);
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
  if (largest.isTrain()) {
    runTrainCases(workload, slices, results, settings, naive, progress);
    return results;
  }

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
