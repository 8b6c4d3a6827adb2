//===- Cases.h - the layers and shapes moe-bench times ----------*- C++ -*-===//
//
// A case is one model's layer (or its expert FFN alone, or its forward and
// backward pass) at one token count and element type. Its name,
// `model:phase:dtype:T<tokens>`, is what
// `--cases` filters and what every report row starts with.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_CASES_H
#define MOEC_TOOLS_MOEBENCH_CASES_H

#include "moec/Model/LayerConfig.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace moec::bench {

/// prefill and decode time the whole layer at a token count of that phase;
/// gemm times the expert FFN alone (gate and up grouped GEMMs, SwiGLU, down
/// grouped GEMM) on the already dispatched rows of a prefill; train times
/// the layer's forward and, in the same run on the same data, its forward
/// and backward (the gradients of every input for a given dy).
enum class Phase { Prefill, Decode, Gemm, Train };

llvm::StringRef toString(Phase phase);

struct Model {
  std::string name;
  /// f32; each case sets its own element type.
  MoELayerConfig config;
  /// The config file, or a description of a built-in configuration.
  std::string source;
};

struct BenchCase {
  std::string model;
  MoELayerConfig config;
  Phase phase = Phase::Prefill;
  int64_t tokens = 0;

  std::string name() const;
  bool isLayer() const { return phase != Phase::Gemm; }
  bool isTrain() const { return phase == Phase::Train; }
  /// What the cases sharing data, kernel and packed weights have in common:
  /// `model:layer:dtype`, `model:gemm:dtype` or `model:train:dtype`.
  std::string groupName() const;
};

/// The model of an HF config.json, named after the folder holding it
/// (examples/olmoe-1b-7b/config.json is "olmoe-1b-7b").
llvm::Expected<Model> loadModel(llvm::StringRef configPath);

/// A tiny layer with DeepSeek-V3's routing (sigmoid, bias, groups, shared
/// expert), for smoke tests.
Model tinyModel();

/// Every model at every token count in f32 and bf16, the expert FFN alone
/// at the prefill token counts, and forward + backward at the train token
/// counts in f32.
std::vector<BenchCase> enumerateCases(llvm::ArrayRef<Model> models,
                                      llvm::ArrayRef<int64_t> prefillTokens,
                                      llvm::ArrayRef<int64_t> decodeTokens,
                                      llvm::ArrayRef<int64_t> trainTokens);

/// The cases matching at least one pattern. A pattern is up to four
/// `:`-separated fields matched against the fields of the case name: a field
/// matches when it is empty, `*`, or a prefix of the case's field, except
/// the token field, which must be equal (`T1` is not `T16`):
/// `olmoe:prefill:f32`, `:decode`, `deepseek:*:bf16:T1`. With `strict`, a
/// pattern that matches no case is an error listing the case names.
llvm::Expected<std::vector<BenchCase>>
selectCases(llvm::ArrayRef<BenchCase> cases,
            llvm::ArrayRef<std::string> patterns, bool strict);

/// Indices of `cases` by group (BenchCase::groupName), groups in the order
/// of their first case.
std::vector<std::vector<size_t>> groupCases(llvm::ArrayRef<BenchCase> cases);

/// The case with the most tokens: a group's data is generated for it.
const BenchCase &largestCase(llvm::ArrayRef<BenchCase> cases);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_CASES_H
