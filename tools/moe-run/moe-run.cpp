//===- moe-run.cpp - compile a moe function and run it on .npy files ------===//
//
// moe-run FILE.mlir --entry NAME --input x.npy --input router_w.npy ...
//         [--output-dir D] [--repeat N] [--num-threads N] [--target T]
//
// A client of the public C++ API (moec/moec.h) like any framework: it
// compiles the function with the JIT (or, for an NPU target, plans it and
// runs the plan on the emulator), checks every input against the
// function's signature, runs it and writes each result as D/out<i>.npy.
//
//===----------------------------------------------------------------------===//

#include "moec/Runtime/Npy.h"
#include "moec/moec.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace moec;

namespace {

llvm::cl::OptionCategory category("moe-run options");

llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                     llvm::cl::desc("<file.mlir>"),
                                     llvm::cl::Required,
                                     llvm::cl::cat(category));
llvm::cl::opt<std::string>
    entryName("entry", llvm::cl::desc("Function to run (default: moe_layer)"),
              llvm::cl::init("moe_layer"), llvm::cl::cat(category));
llvm::cl::list<std::string> inputs(
    "input",
    llvm::cl::desc("A .npy file per function argument, in argument order "
                   "(f32 '<f4', f16 '<f2', bf16 as raw '<V2' or '<u2', f64, "
                   "i32, i64)"),
    llvm::cl::value_desc("file.npy"), llvm::cl::cat(category));
llvm::cl::opt<std::string> outputDir(
    "output-dir",
    llvm::cl::desc("Write result i to <dir>/out<i>.npy (created if needed)"),
    llvm::cl::value_desc("dir"), llvm::cl::cat(category));
llvm::cl::opt<unsigned>
    repeat("repeat",
           llvm::cl::desc("Run N times and print the median time per call"),
           llvm::cl::init(1), llvm::cl::cat(category));
llvm::cl::opt<unsigned> optLevel("O",
                                 llvm::cl::desc("LLVM optimisation level 0-3"),
                                 llvm::cl::init(3), llvm::cl::Prefix,
                                 llvm::cl::cat(category));
// libLLVM already registers a global --threads, hence the longer name.
llvm::cl::opt<unsigned> threads(
    "num-threads",
    llvm::cl::desc("Threads the kernel's parallel loops use (0: one per "
                   "core of the target, 1: serial)"),
    llvm::cl::init(0), llvm::cl::cat(category));
llvm::cl::opt<std::string> target(
    "target",
    llvm::cl::desc("Target: cpu-host[:key=value,...] compiles for this CPU "
                   "(docs/cpu-target.md); an NPU target such as ascend-910b "
                   "plans the function for that chip and runs the plan on "
                   "the emulator, which also checks its synchronisation "
                   "(docs/npu-plan.md)"),
    llvm::cl::init("cpu-host"), llvm::cl::cat(category));
llvm::cl::opt<bool> printSignature(
    "print-signature",
    llvm::cl::desc("Print the function's signature and exit without running"),
    llvm::cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "moe-run") << message << "\n";
  return 1;
}

int fail(llvm::Error err) { return fail(llvm::toString(std::move(err))); }

TensorView viewOf(NpyArray &array) {
  return TensorView(array.data.data(), array.dtype, array.shape);
}

double medianMilliseconds(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  size_t middle = samples.size() / 2;
  return samples.size() % 2 ? samples[middle]
                            : (samples[middle - 1] + samples[middle]) / 2;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "moe-run: JIT-compile a function of an .mlir file for this CPU and run "
      "it on NumPy .npy inputs.\n\n"
      "  moe-run layer.mlir --entry moe_layer --input x.npy --input "
      "router_w.npy ... --output-dir out --repeat 10\n\n"
      "Each input's dtype and shape are checked against the function's "
      "signature (--print-signature shows it); results are written as "
      "out0.npy, out1.npy, ...\n");
  if (repeat == 0)
    return fail("--repeat must be at least 1");

  Compiler compiler;
  CompileOptions options;
  options.entry = entryName;
  options.optLevel = optLevel;
  options.threads = threads;
  options.target = target;
  auto compileStart = std::chrono::steady_clock::now();
  auto kernel = compiler.compileFile(inputFile, options);
  if (!kernel)
    return fail(kernel.takeError());
  double compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - compileStart)
                         .count();
  const Signature &sig = (*kernel)->signature();
  if (printSignature) {
    llvm::outs() << sig.toString() << "\n";
    return 0;
  }

  if (inputs.size() != sig.arguments.size())
    return fail(llvm::formatv("@{0} takes {1} inputs, {2} --input given; the "
                              "signature is {3}",
                              sig.function, sig.arguments.size(), inputs.size(),
                              sig.toString()));
  std::vector<NpyArray> arrays;
  std::vector<TensorView> views;
  for (const std::string &path : inputs) {
    auto array = readNpy(path);
    if (!array)
      return fail(array.takeError());
    arrays.push_back(std::move(*array));
  }
  for (auto [index, array] : llvm::enumerate(arrays)) {
    views.push_back(viewOf(array));
    if (llvm::Error err = sig.checkInput(index, views.back()))
      return fail(llvm::toString(std::move(err)) + " (from " + inputs[index] +
                  ")");
  }
  auto shapes = sig.resultShapes(views);
  if (!shapes)
    return fail(shapes.takeError());

  std::vector<NpyArray> results;
  std::vector<TensorView> outputs;
  for (auto [spec, shape] : llvm::zip_equal(sig.results, *shapes)) {
    NpyArray &result = results.emplace_back();
    result.dtype = spec.dtype;
    result.shape = shape;
    result.data.resize(result.numElements() * byteSize(spec.dtype));
  }
  for (NpyArray &result : results)
    outputs.push_back(viewOf(result));

  // Weights are packed once, outside the timed calls, as a framework packs
  // them when it loads a model.
  auto packStart = std::chrono::steady_clock::now();
  auto prepared = (*kernel)->prepareWeights(views);
  if (!prepared)
    return fail(prepared.takeError());
  double packMs = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - packStart)
                      .count();
  std::vector<double> times;
  for (unsigned i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err = (*kernel)->run(views, outputs, **prepared))
      return fail(std::move(err));
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }

  if (!outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create " + outputDir + ": " + ec.message());
    for (auto [index, result] : llvm::enumerate(results)) {
      llvm::SmallString<128> path(outputDir);
      llvm::sys::path::append(path, llvm::formatv("out{0}.npy", index).str());
      if (llvm::Error err = writeNpy(path, result))
        return fail(std::move(err));
    }
  }
  llvm::outs() << llvm::formatv("@{0}: compiled in {1:F1} ms; ", sig.function,
                                compileMs)
               << llvm::formatv("weights packed in {0:F1} ms; ", packMs)
               << llvm::formatv("median {0:F3} ms per call over {1} run(s)\n",
                                medianMilliseconds(times), repeat);
  return 0;
}
