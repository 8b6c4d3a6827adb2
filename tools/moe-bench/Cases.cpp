//===- Cases.cpp - the layers and shapes moe-bench times ------------------===//

#include "Cases.h"

#include "moec/Model/HFConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace moec;
using namespace moec::bench;

llvm::StringRef moec::bench::toString(Phase phase) {
  switch (phase) {
  case Phase::Prefill:
    return "prefill";
  case Phase::Decode:
    return "decode";
  case Phase::Gemm:
    return "gemm";
  case Phase::Train:
    return "train";
  }
  llvm_unreachable("unknown phase");
}

std::string BenchCase::name() const {
  return model + ":" + toString(phase).str() + ":" +
         moec::toString(config.elementType).str() + ":T" +
         std::to_string(tokens);
}

std::string BenchCase::groupName() const {
  const char *kind = isTrain() ? ":train:" : isLayer() ? ":layer:" : ":gemm:";
  return model + kind + moec::toString(config.elementType).str();
}

llvm::Expected<Model> moec::bench::loadModel(llvm::StringRef configPath) {
  auto text = llvm::MemoryBuffer::getFile(configPath, /*IsText=*/true);
  if (!text)
    return llvm::createStringError(text.getError(), "cannot read %s: %s",
                                   configPath.str().c_str(),
                                   text.getError().message().c_str());
  auto config = parseHFConfig((*text)->getBuffer());
  if (!config)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %s",
                                   configPath.str().c_str(),
                                   llvm::toString(config.takeError()).c_str());
  config->elementType = ElementType::F32;
  llvm::StringRef folder =
      llvm::sys::path::filename(llvm::sys::path::parent_path(configPath));
  std::string name = folder.empty() || folder == "."
                         ? llvm::sys::path::stem(configPath).str()
                         : folder.str();
  return Model{name, *config, configPath.str()};
}

Model moec::bench::tinyModel() {
  MoELayerConfig config;
  config.hidden = 128;
  config.intermediate = 64;
  config.numExperts = 8;
  config.topK = 2;
  config.numSharedExperts = 1;
  config.scoring = Scoring::Sigmoid;
  config.nGroup = 4;
  config.topkGroup = 2;
  config.normTopkProb = true;
  config.routedScalingFactor = 2.5;
  config.selectionBias = true;
  return Model{"tiny", config,
               "built-in: H=128 I=64 E=8 k=2, 1 shared, DeepSeek-V3 routing"};
}

std::vector<BenchCase> moec::bench::enumerateCases(
    llvm::ArrayRef<Model> models, llvm::ArrayRef<int64_t> prefillTokens,
    llvm::ArrayRef<int64_t> decodeTokens, llvm::ArrayRef<int64_t> trainTokens) {
  std::vector<BenchCase> cases;
  auto add = [&](const Model &model, Phase phase, int64_t tokens) {
    // Train cases are f32 only: gradients summed over thousands of rows in
    // bf16 results would say little about a real (mixed-precision) step.
    std::vector<ElementType> types = {ElementType::F32};
    if (phase != Phase::Train)
      types.push_back(ElementType::BF16);
    for (ElementType type : types) {
      BenchCase c{model.name, model.config, phase, tokens};
      c.config.elementType = type;
      cases.push_back(std::move(c));
    }
  };
  for (const Model &model : models) {
    for (int64_t tokens : prefillTokens)
      add(model, Phase::Prefill, tokens);
    for (int64_t tokens : decodeTokens)
      add(model, Phase::Decode, tokens);
    for (int64_t tokens : prefillTokens)
      add(model, Phase::Gemm, tokens);
    for (int64_t tokens : trainTokens)
      add(model, Phase::Train, tokens);
  }
  return cases;
}

static bool matches(llvm::StringRef pattern, llvm::StringRef name) {
  llvm::SmallVector<llvm::StringRef, 4> want, have;
  pattern.split(want, ':');
  name.split(have, ':');
  if (want.size() > have.size())
    return false;
  for (size_t i = 0; i < want.size(); ++i) {
    llvm::StringRef field = want[i], actual = have[i];
    bool exact = i + 1 == have.size();
    if (!field.empty() && field != "*" &&
        !(exact ? actual == field : actual.starts_with(field)))
      return false;
  }
  return true;
}

llvm::Expected<std::vector<BenchCase>>
moec::bench::selectCases(llvm::ArrayRef<BenchCase> cases,
                         llvm::ArrayRef<std::string> patterns, bool strict) {
  std::vector<bool> chosen(cases.size(), false);
  for (const std::string &pattern : patterns) {
    bool any = false;
    for (size_t i = 0; i < cases.size(); ++i)
      if (matches(pattern, cases[i].name()))
        chosen[i] = any = true;
    if (!any && strict) {
      std::string names;
      for (const BenchCase &c : cases)
        names += "\n  " + c.name();
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "--cases pattern '%s' matches no case; the cases are "
          "model:phase:dtype:T<tokens> (fields are prefixes, except "
          "T<tokens>):%s",
          pattern.c_str(), names.c_str());
    }
  }
  std::vector<BenchCase> selected;
  for (size_t i = 0; i < cases.size(); ++i)
    if (chosen[i])
      selected.push_back(cases[i]);
  return selected;
}

std::vector<std::vector<size_t>>
moec::bench::groupCases(llvm::ArrayRef<BenchCase> cases) {
  std::vector<std::vector<size_t>> groups;
  std::vector<std::string> names;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string name = cases[i].groupName();
    auto it = llvm::find(names, name);
    if (it == names.end()) {
      names.push_back(name);
      groups.emplace_back();
      it = names.end() - 1;
    }
    groups[it - names.begin()].push_back(i);
  }
  return groups;
}

const BenchCase &moec::bench::largestCase(llvm::ArrayRef<BenchCase> cases) {
  return *std::max_element(cases.begin(), cases.end(),
                           [](const BenchCase &a, const BenchCase &b) {
                             return a.tokens < b.tokens;
                           });
}
