//===- HFConfigTest.cpp - Hugging Face config.json import -----------------===//

#include "moec/Model/HFConfig.h"

#include "gtest/gtest.h"

using namespace moec;

namespace {

MoELayerConfig parseOk(llvm::StringRef json) {
  llvm::Expected<MoELayerConfig> config = parseHFConfig(json);
  if (!config) {
    ADD_FAILURE() << llvm::toString(config.takeError());
    return {};
  }
  return *config;
}

std::string parseError(llvm::StringRef json) {
  llvm::Expected<MoELayerConfig> config = parseHFConfig(json);
  if (config)
    return "<parsed without error>";
  return llvm::toString(config.takeError());
}

TEST(HFConfigTest, DeepSeekV3Routing) {
  MoELayerConfig c = parseOk(R"({
    "model_type": "deepseek_v3", "hidden_size": 7168,
    "intermediate_size": 18432, "moe_intermediate_size": 2048,
    "n_routed_experts": 256, "num_experts_per_tok": 8, "n_shared_experts": 1,
    "scoring_func": "sigmoid", "topk_method": "noaux_tc", "n_group": 8,
    "topk_group": 4, "norm_topk_prob": true, "routed_scaling_factor": 2.5,
    "torch_dtype": "bfloat16"})");
  EXPECT_EQ(c.hidden, 7168);
  EXPECT_EQ(c.intermediate, 2048);
  EXPECT_EQ(c.numExperts, 256);
  EXPECT_EQ(c.topK, 8);
  EXPECT_EQ(c.sharedIntermediate(), 2048);
  EXPECT_EQ(c.scoring, Scoring::Sigmoid);
  EXPECT_EQ(c.nGroup, 8);
  EXPECT_EQ(c.topkGroup, 4);
  EXPECT_EQ(c.groupScore, GroupScore::Top2Sum);
  EXPECT_TRUE(c.selectionBias);
  EXPECT_TRUE(c.normTopkProb);
  EXPECT_DOUBLE_EQ(c.routedScalingFactor, 2.5);
  EXPECT_EQ(c.elementType, ElementType::BF16);
  EXPECT_FALSE(c.swigluLimit.has_value());
}

TEST(HFConfigTest, MixtralAlwaysRenormalises) {
  MoELayerConfig c = parseOk(R"({
    "model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336,
    "num_local_experts": 8, "num_experts_per_tok": 2})");
  EXPECT_EQ(c.intermediate, 14336);
  EXPECT_EQ(c.numExperts, 8);
  EXPECT_TRUE(c.normTopkProb);
  EXPECT_EQ(c.numSharedExperts, 0);
  EXPECT_EQ(c.scoring, Scoring::Softmax);
  EXPECT_FALSE(c.selectionBias);
  EXPECT_EQ(c.elementType, ElementType::F32);
}

TEST(HFConfigTest, GroupLimitedGreedyScoresGroupsByMax) {
  MoELayerConfig c = parseOk(R"({
    "hidden_size": 5120, "moe_intermediate_size": 1536,
    "n_routed_experts": 160, "num_experts_per_tok": 6,
    "topk_method": "group_limited_greedy", "n_group": 8, "topk_group": 3,
    "routed_scaling_factor": 16.0})");
  EXPECT_EQ(c.groupScore, GroupScore::Max);
  EXPECT_FALSE(c.selectionBias);
  EXPECT_EQ(c.topkGroup, 3);
}

TEST(HFConfigTest, NullFieldsCountAsAbsent) {
  MoELayerConfig c = parseOk(R"({
    "hidden_size": 64, "moe_intermediate_size": 32, "num_experts": 4,
    "num_experts_per_tok": 2, "n_group": null, "swiglu_limit": null})");
  EXPECT_EQ(c.nGroup, 1);
  EXPECT_FALSE(c.swigluLimit.has_value());
}

TEST(HFConfigTest, ErrorsNameTheField) {
  EXPECT_EQ(parseError(R"({"moe_intermediate_size": 8})"),
            "missing field 'hidden_size'");
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "num_experts": 4,
                           "num_experts_per_tok": 2})"),
            "missing field 'intermediate_size' (or 'moe_intermediate_size')");
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "intermediate_size": 4,
                           "num_experts_per_tok": 2})"),
            "missing field 'n_routed_experts' (or 'num_local_experts' / "
            "'num_experts')");
  EXPECT_EQ(parseError(R"({"hidden_size": "8"})"),
            "field 'hidden_size' must be an integer, got \"8\"");
  EXPECT_EQ(parseError(R"({"hidden_size": 0, "intermediate_size": 4,
                           "num_experts": 4, "num_experts_per_tok": 2})"),
            "field 'hidden_size' must be a positive integer, got 0");
}

TEST(HFConfigTest, ContradictionsAreErrors) {
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "intermediate_size": 4,
                           "n_routed_experts": 64, "num_experts": 60,
                           "num_experts_per_tok": 2})"),
            "contradictory fields: 'n_routed_experts' = 64 but 'num_experts' "
            "= 60");
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "intermediate_size": 4,
                           "num_experts": 8, "num_experts_per_tok": 2,
                           "topk_method": "greedy", "n_group": 4,
                           "topk_group": 2})"),
            "contradictory fields: 'topk_method' = \"greedy\" ignores expert "
            "groups, but 'n_group' = 4 and 'topk_group' = 2 limit them");
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "intermediate_size": 4,
                           "num_experts": 4, "num_experts_per_tok": 6})"),
            "field 'num_experts_per_tok' = 6 exceeds the number of routed "
            "experts (4)");
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "intermediate_size": 4,
                           "num_experts": 8, "num_experts_per_tok": 2,
                           "topk_method": "group_limited_greedy",
                           "topk_group": 2})"),
            "missing field 'n_group' (required by 'topk_method' = "
            "\"group_limited_greedy\")");
}

TEST(HFConfigTest, UnknownEnumeratorsAndBadJson) {
  EXPECT_EQ(parseError(R"({"hidden_size": 8, "intermediate_size": 4,
                           "num_experts": 4, "num_experts_per_tok": 2,
                           "scoring_func": "relu"})"),
            "field 'scoring_func' = \"relu\" is not one of: softmax, sigmoid, "
            "sqrtsoftplus");
  EXPECT_EQ(parseError("[1, 2]"), "expected a JSON object at the top level");
  EXPECT_EQ(parseError("{\"hidden_size\": 8,").rfind("invalid JSON: ", 0), 0u);
}

} // namespace
