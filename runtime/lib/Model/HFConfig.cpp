//===- HFConfig.cpp - MoE layer from a Hugging Face config.json -----------===//
//
// Field names, defaults and contradictions are documented in
// docs/hf-config-import.md; keep the two in step.
//
//===----------------------------------------------------------------------===//

#include "moec/Model/HFConfig.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

using namespace moec;
using llvm::Error;
using llvm::Expected;
using llvm::formatv;
using llvm::StringRef;
namespace json = llvm::json;

namespace {

Error configError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string render(const json::Value &value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

/// Typed access to the fields of the top-level object. A field set to null
/// counts as absent, as Hugging Face's own loaders treat it.
class Fields {
public:
  explicit Fields(const json::Object &object) : object(object) {}

  const json::Value *find(StringRef field) const {
    const json::Value *value = object.get(field);
    return value && value->kind() != json::Value::Null ? value : nullptr;
  }

  Expected<std::optional<int64_t>> integer(StringRef field) const {
    return typed(field, &json::Value::getAsInteger, "an integer");
  }

  Expected<int64_t> requiredInteger(StringRef field,
                                    StringRef alternatives = "") const {
    Expected<std::optional<int64_t>> v = integer(field);
    if (!v)
      return v.takeError();
    if (*v)
      return **v;
    return configError(formatv("missing field '{0}'{1}", field, alternatives));
  }

  Expected<std::optional<double>> number(StringRef field) const {
    return typed(field, &json::Value::getAsNumber, "a number");
  }

  Expected<std::optional<bool>> boolean(StringRef field) const {
    return typed(field, &json::Value::getAsBoolean, "true or false");
  }

  Expected<std::optional<std::string>> string(StringRef field) const {
    Expected<std::optional<StringRef>> v =
        typed(field, &json::Value::getAsString, "a string");
    if (!v)
      return v.takeError();
    if (!*v)
      return std::nullopt;
    return (*v)->str();
  }

  /// A string field that must be one of `choices` (the first is the default
  /// when the field is absent); returns the index of the choice.
  Expected<size_t> choice(StringRef field,
                          llvm::ArrayRef<StringRef> choices) const {
    Expected<std::optional<std::string>> v = string(field);
    if (!v)
      return v.takeError();
    if (!*v)
      return 0;
    for (size_t i = 0; i < choices.size(); ++i)
      if (**v == choices[i])
        return i;
    return configError(
        formatv("field '{0}' = \"{1}\" is not one of: {2}", field, **v,
                llvm::join(choices.begin(), choices.end(), ", ")));
  }

private:
  /// The field converted by `getter`, absent, or an error saying it must be
  /// `what`.
  template <typename T>
  Expected<std::optional<T>>
  typed(StringRef field, std::optional<T> (json::Value::*getter)() const,
        StringRef what) const {
    const json::Value *value = find(field);
    if (!value)
      return std::nullopt;
    if (std::optional<T> v = (value->*getter)())
      return v;
    return configError(formatv("field '{0}' must be {1}, got {2}", field, what,
                               render(*value)));
  }

  const json::Object &object;
};

/// The routed-expert count goes by three names depending on the model family;
/// all that are present must agree.
Expected<int64_t> readExpertCount(const Fields &fields) {
  static constexpr StringRef names[] = {"n_routed_experts", "num_local_experts",
                                        "num_experts"};
  std::optional<std::pair<StringRef, int64_t>> found;
  for (StringRef name : names) {
    Expected<std::optional<int64_t>> v = fields.integer(name);
    if (!v)
      return v.takeError();
    if (!*v)
      continue;
    if (found && found->second != **v)
      return configError(
          formatv("contradictory fields: '{0}' = {1} but '{2}' = {3}",
                  found->first, found->second, name, **v));
    if (!found)
      found = {name, **v};
  }
  if (!found)
    return configError("missing field 'n_routed_experts' (or "
                       "'num_local_experts' / 'num_experts')");
  return found->second;
}

Error readRouting(const Fields &fields, MoELayerConfig &config) {
  Expected<size_t> scoring =
      fields.choice("scoring_func", {"softmax", "sigmoid", "sqrtsoftplus"});
  if (!scoring)
    return scoring.takeError();
  config.scoring = static_cast<Scoring>(*scoring);

  enum TopkMethod { Greedy, GroupLimitedGreedy, NoAuxTc };
  Expected<size_t> method = fields.choice(
      "topk_method", {"greedy", "group_limited_greedy", "noaux_tc"});
  if (!method)
    return method.takeError();

  Expected<std::optional<int64_t>> nGroup = fields.integer("n_group");
  if (!nGroup)
    return nGroup.takeError();
  Expected<std::optional<int64_t>> topkGroup = fields.integer("topk_group");
  if (!topkGroup)
    return topkGroup.takeError();
  config.nGroup = nGroup->value_or(1);
  config.topkGroup = topkGroup->value_or(config.nGroup);

  switch (*method) {
  case Greedy:
    if (config.topkGroup < config.nGroup)
      return configError(formatv(
          "contradictory fields: 'topk_method' = \"greedy\" ignores expert "
          "groups, but 'n_group' = {0} and 'topk_group' = {1} limit them",
          config.nGroup, config.topkGroup));
    break;
  case GroupLimitedGreedy:
    if (!*nGroup || !*topkGroup)
      return configError(
          formatv("missing field '{0}' (required by 'topk_method' = "
                  "\"group_limited_greedy\")",
                  *nGroup ? "topk_group" : "n_group"));
    config.groupScore = GroupScore::Max;
    break;
  case NoAuxTc:
    config.groupScore = GroupScore::Top2Sum;
    config.selectionBias = true;
    break;
  }
  return Error::success();
}

} // namespace

Expected<MoELayerConfig> moec::parseHFConfig(StringRef jsonText) {
  Expected<json::Value> root = json::parse(jsonText);
  if (!root)
    return configError("invalid JSON: " + llvm::toString(root.takeError()));
  const json::Object *object = root->getAsObject();
  if (!object)
    return configError("expected a JSON object at the top level");
  Fields fields(*object);
  MoELayerConfig config;

  Expected<int64_t> hidden = fields.requiredInteger("hidden_size");
  if (!hidden)
    return hidden.takeError();
  config.hidden = *hidden;

  // DeepSeek and Qwen-MoE give the expert width as moe_intermediate_size
  // (their intermediate_size is the dense MLP's); Mixtral has only the latter.
  Expected<std::optional<int64_t>> moeInter =
      fields.integer("moe_intermediate_size");
  if (!moeInter)
    return moeInter.takeError();
  if (*moeInter) {
    config.intermediate = **moeInter;
  } else {
    Expected<int64_t> inter = fields.requiredInteger(
        "intermediate_size", " (or 'moe_intermediate_size')");
    if (!inter)
      return inter.takeError();
    config.intermediate = *inter;
  }

  Expected<int64_t> experts = readExpertCount(fields);
  if (!experts)
    return experts.takeError();
  config.numExperts = *experts;

  Expected<int64_t> topK = fields.requiredInteger("num_experts_per_tok");
  if (!topK)
    return topK.takeError();
  config.topK = *topK;

  Expected<std::optional<int64_t>> shared = fields.integer("n_shared_experts");
  if (!shared)
    return shared.takeError();
  config.numSharedExperts = shared->value_or(0);

  if (Error e = readRouting(fields, config))
    return std::move(e);

  // Mixtral always renormalises its top-2 weights and its config has no field
  // for it.
  Expected<std::optional<std::string>> modelType = fields.string("model_type");
  if (!modelType)
    return modelType.takeError();
  Expected<std::optional<bool>> norm = fields.boolean("norm_topk_prob");
  if (!norm)
    return norm.takeError();
  config.normTopkProb = norm->value_or(*modelType && **modelType == "mixtral");

  Expected<std::optional<double>> scale =
      fields.number("routed_scaling_factor");
  if (!scale)
    return scale.takeError();
  config.routedScalingFactor = scale->value_or(1.0);

  Expected<std::optional<double>> limit = fields.number("swiglu_limit");
  if (!limit)
    return limit.takeError();
  // Configs write 0 for "no clamp" as often as they leave the field out.
  if (*limit && **limit != 0.0)
    config.swigluLimit = *limit;

  Expected<size_t> dtype =
      fields.choice("torch_dtype", {"float32", "float16", "bfloat16"});
  if (!dtype)
    return dtype.takeError();
  config.elementType = static_cast<ElementType>(*dtype);

  if (Error e = config.validate())
    return std::move(e);
  return config;
}
