//===- moe-check.cpp - a config's layer against the f64 reference --------===//
//
// moe-check --config examples/olmoe-1b-7b/config.json --tokens 16
//
// Builds @moe_layer from a Hugging Face config through the C++ API, runs it on
// deterministic inputs, compares with test/Reference and prints the relative
// error and the median time per call. Exit status 1 when they disagree.
//
//===----------------------------------------------------------------------===//

#include "LayerExecution.h"

#include "moec/Model/HFConfig.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace moec;

namespace {

llvm::cl::OptionCategory category("moe-check options");
llvm::cl::opt<std::string> configPath("config", llvm::cl::Required,
                                      llvm::cl::desc("HF config.json"),
                                      llvm::cl::value_desc("file"),
                                      llvm::cl::cat(category));
llvm::cl::opt<int64_t> tokens("tokens", llvm::cl::desc("Tokens per call"),
                              llvm::cl::init(16), llvm::cl::cat(category));
llvm::cl::opt<uint64_t> seed("seed", llvm::cl::desc("Input generator seed"),
                             llvm::cl::init(1), llvm::cl::cat(category));
llvm::cl::opt<unsigned> repeat("repeat",
                               llvm::cl::desc("Timed calls (median printed)"),
                               llvm::cl::init(5), llvm::cl::cat(category));
llvm::cl::opt<int64_t> hidden("hidden",
                              llvm::cl::desc("Override H (0: as configured)"),
                              llvm::cl::init(0), llvm::cl::cat(category));
llvm::cl::opt<int64_t>
    intermediate("intermediate",
                 llvm::cl::desc("Override I (0: as configured)"),
                 llvm::cl::init(0), llvm::cl::cat(category));
llvm::cl::opt<std::string>
    target("target",
           llvm::cl::desc("Target to compile for: cpu-host (the JIT) or an "
                          "NPU target such as ascend-910b (plan + emulator)"),
           llvm::cl::init("cpu-host"), llvm::cl::cat(category));
llvm::cl::opt<double> tolerance("tolerance",
                                llvm::cl::desc("Largest relative error"),
                                llvm::cl::init(1e-4), llvm::cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "moe-check") << message << "\n";
  return 1;
}

double elapsedMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "moe-check: compile the MoE layer of a Hugging Face config for this "
      "CPU, run it on generated inputs and compare it with the f64 C++ "
      "reference\n");
  if (tokens < 0 || repeat == 0)
    return fail("--tokens must be >= 0 and --repeat >= 1");

  auto text = llvm::MemoryBuffer::getFile(configPath, /*IsText=*/true);
  if (!text)
    return fail("cannot read " + configPath + ": " + text.getError().message());
  auto config = parseHFConfig((*text)->getBuffer());
  if (!config)
    return fail(configPath + ": " + llvm::toString(config.takeError()));
  if (hidden > 0)
    config->hidden = hidden;
  if (intermediate > 0)
    config->intermediate = intermediate;
  if (config->elementType != ElementType::F32)
    return fail("moe-check compares f32 layers; " + configPath + " is " +
                toString(config->elementType));

  llvm::outs() << llvm::formatv(
      "layer: H={0} I={1} E={2} k={3} shared={4} {5}{6}{7}\n", config->hidden,
      config->intermediate, config->numExperts, config->topK,
      config->numSharedExperts, toString(config->scoring),
      config->nGroup > 1
          ? llvm::formatv(" groups {0}/{1}", config->topkGroup, config->nGroup)
                .str()
          : "",
      config->selectionBias ? " +bias" : "");

  Compiler compiler;
  auto start = std::chrono::steady_clock::now();
  CompileOptions options;
  options.target = target;
  auto kernel = compiler.compileLayer(*config, options);
  if (!kernel)
    return fail(llvm::toString(kernel.takeError()));
  llvm::outs() << llvm::formatv("compiled @moe_layer in {0:F0} ms\n",
                                elapsedMs(start));

  test::LayerData data = test::LayerData::generate(*config, tokens, seed);
  // Weights are packed once, as a framework does when it loads them.
  start = std::chrono::steady_clock::now();
  auto prepared = (*kernel)->prepareWeights(test::layerInputs(*config, data));
  if (!prepared)
    return fail(llvm::toString(prepared.takeError()));
  llvm::outs() << llvm::formatv("packed {0:F0} MiB of weights in {1:F0} ms\n",
                                (*prepared)->bytes() / 1048576.0,
                                elapsedMs(start));
  std::vector<double> times(repeat);
  std::vector<float> got;
  for (double &time : times) {
    auto result =
        test::runKernel(**kernel, *config, data, &time, prepared->get());
    if (!result)
      return fail(llvm::toString(result.takeError()));
    got = std::move(*result);
  }
  std::sort(times.begin(), times.end());
  double error = test::compareWithReference(*config, data, std::move(got))
                     .maxRelativeError;
  bool agrees = error <= tolerance;
  llvm::outs() << llvm::formatv(
      "T={0}: max relative error {1:e2} against the f64 reference "
      "(tolerance {2:e0}): {3}\n",
      tokens, error, tolerance.getValue(), agrees ? "PASS" : "FAIL");
  llvm::outs() << llvm::formatv("median {0:F3} ms per call over {1} call(s)\n",
                                times[times.size() / 2], times.size());
  return agrees ? 0 : 1;
}
