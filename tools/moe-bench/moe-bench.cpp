//===- moe-bench.cpp - time MoE layers: moec, OpenBLAS, the reference -----===//
//
// moe-bench [--cases olmoe:prefill:f32,...] [--repeat 5] [--threads N]
//           [--output-dir bench/results]
//
// For each case (a model's layer at a token count and element type, or its
// expert FFN alone) it times moec's compiled kernel with packed weights, an
// OpenBLAS sgemm loop over the experts and the f64 reference, against the
// FMA peak and memory bandwidth it measures on this machine in the same run,
// and writes moe-bench.{csv,json,md,png}. Train cases time each engine's
// forward and forward + backward (moec: @moe_layer_grad) and report the
// backward/forward ratio. docs/performance.md explains the method;
// bench/README.md the columns.
//
//===----------------------------------------------------------------------===//

#include "CacheFlush.h"
#include "CaseRunner.h"
#include "Columns.h"
#include "Machine.h"
#include "OpenBlasEngine.h"
#include "Report.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <cstdlib>
#include <ctime>

using namespace moec;
using namespace moec::bench;

namespace {

namespace cl = llvm::cl;

cl::OptionCategory category("moe-bench options");

cl::list<std::string> casePatterns(
    "cases", cl::CommaSeparated,
    cl::desc("Cases to run: model:phase:dtype:T<tokens> patterns, each field "
             "empty, * or a prefix (T<tokens>: equal); phases prefill, "
             "decode, gemm, train (default: every prefill and decode case "
             "and the first model's gemm and train cases in f32)"),
    cl::value_desc("pattern,..."), cl::cat(category));
cl::list<std::string> configPaths(
    "config",
    cl::desc("Hugging Face config.json to benchmark instead of the built-in "
             "OLMoE, Qwen3 and DeepSeek-V3-16e (repeatable)"),
    cl::value_desc("file"), cl::cat(category));
cl::list<int64_t>
    prefillTokens("prefill-tokens", cl::CommaSeparated,
                  cl::desc("Token counts of the prefill and gemm cases "
                           "(default 2048; --quick: 64)"),
                  cl::value_desc("n,..."), cl::cat(category));
cl::list<int64_t> decodeTokens(
    "decode-tokens", cl::CommaSeparated,
    cl::desc("Token counts of the decode cases (default 1,16,64; --quick: "
             "1,4)"),
    cl::value_desc("n,..."), cl::cat(category));
cl::list<int64_t> trainTokens(
    "train-tokens", cl::CommaSeparated,
    cl::desc("Token counts of the train cases: forward and forward + "
             "backward (@moe_layer_grad, the gradients of x and of every "
             "weight for a random dy) of each engine, timed in the same run, "
             "and the backward/forward time ratio (f32; default 256,1024; "
             "--quick: 64)"),
    cl::value_desc("n,..."), cl::cat(category));
cl::opt<unsigned> repeat("repeat",
                         cl::desc("Timed calls per engine after one warm-up "
                                  "(median reported; default 5, --quick 1)"),
                         cl::init(5), cl::cat(category));
// libLLVM registers a hidden `threads` option already; moe-run uses the same
// spelling for the same reason.
cl::opt<unsigned> threads("num-threads",
                          cl::desc("Threads of moec, OpenBLAS and the machine "
                                   "measurements (0: every core)"),
                          cl::init(0), cl::cat(category));
cl::opt<std::string> target("target",
                            cl::desc("moec CPU target (docs/cpu-target.md)"),
                            cl::init("cpu-host"), cl::cat(category));
cl::opt<std::string> outputDir(
    "output-dir", cl::desc("Where moe-bench.{csv,json,md,png} go (created)"),
    cl::init("bench/results"), cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> quick("quick",
                    cl::desc("A tiny built-in layer, short machine "
                             "measurements, 1 repeat: a smoke test"),
                    cl::cat(category));
cl::opt<bool> noNaive("no-naive", cl::desc("Do not run the f64 reference"),
                      cl::cat(category));
cl::opt<bool> noPlot("no-plot", cl::desc("Do not draw moe-bench.png"),
                     cl::cat(category));
cl::opt<bool> warmCaches(
    "warm-caches",
    cl::desc("Time calls back to back, the previous call's weights still "
             "cached (default: before every call, stream a buffer of twice "
             "the last-level cache, as the other layers of a model would)"),
    cl::cat(category));
cl::opt<bool> listOnly("list",
                       cl::desc("Print the selected cases and their "
                                "estimated memory, run nothing"),
                       cl::cat(category));
cl::opt<double>
    budget("budget-s",
           cl::desc("Fewer repeats when an engine's calls of a case would "
                    "take longer than this many seconds (default 10)"),
           cl::init(10), cl::cat(category));
cl::opt<double> naiveBudget(
    "naive-budget-s",
    cl::desc("Time the reference may take per case; beyond it, it runs on "
             "fewer tokens and its time is scaled up (default 10)"),
    cl::init(10), cl::cat(category));
// 12: the OLMoE train group needs about 8.7 GiB (two engines' weight
// gradients beside the weights and moec's cached temporaries); the layer
// groups need at most 7.5.
cl::opt<double> maxGib("max-gib",
                       cl::desc("Skip cases whose estimated memory exceeds "
                                "this many GiB (default 12)"),
                       cl::init(12), cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("Input generator seed"), cl::init(1),
                       cl::cat(category));

std::string columnHelp = describeColumns();
cl::extrahelp columnsHelp(columnHelp);

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "moe-bench") << message << "\n";
  return 1;
}

llvm::Error optionError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error checkOptions() {
  if (repeat == 0)
    return optionError("--repeat must be at least 1");
  if (threads > 1024)
    return optionError("--num-threads must be at most 1024, got " +
                       llvm::Twine(threads.getValue()));
  if (!(budget > 0) || !(naiveBudget > 0) || !(maxGib > 0))
    return optionError(
        "--budget-s, --naive-budget-s and --max-gib must be positive");
  for (int64_t tokens : prefillTokens)
    if (tokens < 1)
      return optionError("--prefill-tokens must be positive, got " +
                         llvm::Twine(tokens));
  for (int64_t tokens : decodeTokens)
    if (tokens < 1)
      return optionError("--decode-tokens must be positive, got " +
                         llvm::Twine(tokens));
  for (int64_t tokens : trainTokens)
    if (tokens < 1)
      return optionError("--train-tokens must be positive, got " +
                         llvm::Twine(tokens));
  if (quick && !configPaths.empty())
    return optionError("--quick runs a built-in tiny layer; it cannot be "
                       "combined with --config");
  return llvm::Error::success();
}

llvm::Expected<std::vector<Model>> loadModels() {
  if (quick)
    return std::vector<Model>{tinyModel()};
  std::vector<std::string> paths(configPaths.begin(), configPaths.end());
  if (paths.empty())
    for (const char *name : {"olmoe-1b-7b", "qwen3-30b-a3b", "deepseek-v3-16e"})
      paths.push_back(std::string(MOEC_EXAMPLES_DIR) + "/" + name +
                      "/config.json");
  std::vector<Model> models;
  for (const std::string &path : paths) {
    auto model = loadModel(path);
    if (!model)
      return model.takeError();
    models.push_back(std::move(*model));
  }
  return models;
}

llvm::Expected<std::vector<BenchCase>>
chooseCases(llvm::ArrayRef<Model> models) {
  std::vector<int64_t> prefill(prefillTokens.begin(), prefillTokens.end());
  std::vector<int64_t> decode(decodeTokens.begin(), decodeTokens.end());
  std::vector<int64_t> train(trainTokens.begin(), trainTokens.end());
  if (train.empty())
    train = quick ? std::vector<int64_t>{64} : std::vector<int64_t>{256, 1024};
  if (prefill.empty())
    prefill = {quick ? 64 : 2048};
  if (decode.empty())
    decode =
        quick ? std::vector<int64_t>{1, 4} : std::vector<int64_t>{1, 16, 64};
  std::vector<BenchCase> all = enumerateCases(models, prefill, decode, train);
  if (!casePatterns.empty())
    return selectCases(all, casePatterns, /*strict=*/true);
  std::vector<std::string> defaults = {":prefill", ":decode",
                                       models.front().name + ":gemm:f32",
                                       models.front().name + ":train:f32"};
  return selectCases(all, defaults, /*strict=*/false);
}

/// Fails early, before minutes of measuring, on options moec rejects.
llvm::Error checkCompileOptions(const CompileOptions &options) {
  Compiler compiler;
  auto kernel = compiler.compileLayer(tinyModel().config, options);
  if (!kernel)
    return optionError(
        "moec rejects the compile options (--target=" + options.target +
        " --num-threads=" + llvm::Twine(options.threads) +
        "): " + llvm::toString(kernel.takeError()));
  return llvm::Error::success();
}

/// The command as a shell would take it back, with the environment
/// variables that change what is measured.
std::string commandLine(int argc, char **argv) {
  std::string line;
  for (const char *name : {"OPENBLAS_CORETYPE", "OMP_NUM_THREADS"})
    if (const char *value = std::getenv(name))
      line += std::string(name) + "=" + value + " ";
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    bool plain = !arg.empty() &&
                 arg.find_first_of(" \t'\"*?$;&|<>()") == llvm::StringRef::npos;
    line += (i ? " " : "") +
            (plain ? arg.str()
                   : "'" + llvm::join(llvm::split(arg, '\''), "'\\''") + "'");
  }
  return line;
}

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

std::string outputPath(llvm::StringRef extension) {
  llvm::SmallString<128> path(outputDir);
  llvm::sys::path::append(path, "moe-bench." + extension);
  return path.str().str();
}

/// Writes every file; a missing gnuplot is a warning, not a failure.
llvm::Error writeReports(const Report &report) {
  if (llvm::Error err = writeCsv(report, outputPath("csv")))
    return err;
  if (llvm::Error err = writeJson(report, outputPath("json")))
    return err;
  if (llvm::Error err = writeMarkdown(report, outputPath("md")))
    return err;
  llvm::outs() << "wrote " << outputPath("csv") << ", " << outputPath("json")
               << ", " << outputPath("md");
  if (noPlot) {
    // A plot left from an earlier run would not show this run's numbers.
    llvm::sys::fs::remove(outputPath("png"));
    llvm::outs() << "\n";
    return llvm::Error::success();
  }
  auto plotted = writePlot(report, outputPath("png"));
  if (plotted && *plotted) {
    llvm::outs() << ", " << outputPath("png") << "\n";
    return llvm::Error::success();
  }
  llvm::outs() << "\n";
  llvm::WithColor::warning(llvm::errs(), "moe-bench")
      << (plotted ? llvm::Twine("gnuplot not found on PATH; no plot drawn "
                                "(install gnuplot-nox)")
                  : "no plot drawn: " + llvm::toString(plotted.takeError()))
      << "\n";
  return llvm::Error::success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "moe-bench: time MoE layers compiled by moec against an OpenBLAS "
      "sgemm loop over the experts and the f64 reference, on the FMA peak "
      "and memory bandwidth measured on this machine in the same run.\n\n"
      "  moe-bench                        # the default cases, ~minutes\n"
      "  moe-bench --cases olmoe:prefill:f32 --repeat 3\n"
      "  moe-bench --config my/config.json --decode-tokens 1,8\n"
      "  moe-bench --cases :train --train-tokens 512   # forward + backward\n"
      "  moe-bench --quick --output-dir /tmp/b   # smoke test\n\n"
      "Train cases (phase `train`, f32) time each engine's forward and its "
      "forward + backward (moec: the @moe_layer_grad of "
      "Compiler::gradientSource, y and every gradient, without prepared "
      "weights since a training step changes them; OpenBLAS: the same "
      "sgemm loop keeping its activations, then per expert dH = dO Wd^T, "
      "dWd = H^T dO, SwiGLU backward, dWg = X^T dG, dWu = X^T dU, dX = dG "
      "Wg^T + dU Wu^T, and the router's), report backward = fwd+bwd - fwd "
      "and the backward/forward ratio (target <= 2.5), and compare every "
      "gradient with OpenBLAS's and the f64 reference's.\n\n"
      "Writes <output-dir>/moe-bench.csv, .json (with the machine and the "
      "command line), .md (the table for docs/performance.md) and .png "
      "(gnuplot).\n");
  if (llvm::Error err = checkOptions())
    return fail(llvm::toString(std::move(err)));
  // Progress lines must show up while a long case runs, even in a pipe.
  llvm::outs().SetUnbuffered();

  auto models = loadModels();
  if (!models)
    return fail(llvm::toString(models.takeError()));
  auto cases = chooseCases(*models);
  if (!cases)
    return fail(llvm::toString(cases.takeError()));
  // Cases run by group (shared data, kernel and packed weights).
  std::vector<std::vector<size_t>> groups = groupCases(*cases);
  auto membersOf = [&](const std::vector<size_t> &group) {
    std::vector<BenchCase> members;
    for (size_t index : group)
      members.push_back((*cases)[index]);
    return members;
  };
  if (listOnly) {
    for (const std::vector<size_t> &group : groups) {
      std::vector<BenchCase> members = membersOf(group);
      const BenchCase &largest = largestCase(members);
      // Train groups leave the reference out rather than not run (runGroup).
      bool naive =
          !noNaive &&
          estimateNaiveTrainFootprint(largest) / double(1 << 30) <= maxGib;
      double gib = estimateFootprint(largest, naive) / double(1 << 30);
      for (const BenchCase &c : members)
        llvm::outs() << llvm::formatv("{0,-40} group ~{1:F2} GiB\n", c.name(),
                                      gib);
    }
    return 0;
  }

  BenchSettings settings;
  unsigned used = threads ? threads.getValue() : availableCores();
  settings.compile.threads = used;
  settings.compile.target = target;
  unsigned repeats = quick && repeat.getNumOccurrences() == 0 ? 1 : repeat;
  settings.timing.repeat = settings.naiveTiming.repeat = repeats;
  settings.timing.budgetSeconds = budget;
  settings.naiveTiming.budgetSeconds = naiveBudget;
  std::unique_ptr<CacheFlusher> flusher;
  if (!warmCaches) {
    flusher = std::make_unique<CacheFlusher>(quick ? uint64_t(64) << 20
                                                   : defaultFlushBytes());
    settings.timing.beforeCall = [&flusher] { flusher->flush(); };
  }
  settings.naive = !noNaive;
  settings.maxGib = maxGib;
  settings.seed = seed;
  if (llvm::Error err = checkCompileOptions(settings.compile))
    return fail(llvm::toString(std::move(err)));
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create --output-dir " + outputDir + ": " +
                ec.message());

  Report report;
  report.run = {utcNow(),
                commandLine(argc, argv),
                target,
                repeats,
                budget,
                naiveBudget,
                maxGib,
                seed,
                flusher ? flusher->bytes() : 0};
  auto machine = measureMachine(used, quick);
  if (!machine)
    return fail(llvm::toString(machine.takeError()));
  report.machine = *machine;
  setOpenBlasThreads(used);
  report.openblas = openBlasInfo();
  printHeader(llvm::outs(), report);

  report.cases.resize(cases->size());
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<BenchCase> members = membersOf(groups[g]);
    llvm::outs() << llvm::formatv("[{0}/{1}] {2} ({3} case(s))\n", g + 1,
                                  groups.size(), members.front().groupName(),
                                  members.size());
    std::vector<CaseResult> results = runGroup(members, settings, llvm::outs());
    for (size_t i = 0; i < results.size(); ++i)
      report.cases[groups[g][i]] = std::move(results[i]);
  }
  bool anyFailed = llvm::any_of(report.cases, [](const CaseResult &result) {
    return result.status == CaseStatus::Failed;
  });

  llvm::outs() << "\n";
  printHeader(llvm::outs(), report);
  printTable(llvm::outs(), report);
  if (llvm::Error err = writeReports(report))
    return fail(llvm::toString(std::move(err)));
  return anyFailed ? 1 : 0;
}
