//===- ExpertFfnModule.cpp - the expert FFN alone as a moe module ---------===//

#include "ExpertFfnModule.h"

#include "llvm/Support/FormatVariadic.h"

using namespace moec;

std::string moec::bench::expertFfnSource(const MoELayerConfig &config) {
  std::string type = toString(config.elementType).str();
  int64_t H = config.hidden, I = config.intermediate, E = config.numExperts;
  std::string limit =
      config.swigluLimit
          ? llvm::formatv(" limit = {0:e}", *config.swigluLimit).str()
          : "";
  // {0}: element type, {1}: H, {2}: I, {3}: E, {4}: E + 1, {5}: limit.
  return llvm::formatv(
             R"mlir(func.func @expert_ffn(%xs: tensor<?x{1}x{0}>, %offsets: tensor<{4}xi32>,
    %w_gate: tensor<{3}x{1}x{2}x{0}>, %w_up: tensor<{3}x{1}x{2}x{0}>,
    %w_down: tensor<{3}x{2}x{1}x{0}>) -> tensor<?x{1}x{0}> {{
  %g = moe.grouped_matmul %xs, %w_gate, %offsets
      : tensor<?x{1}x{0}>, tensor<{3}x{1}x{2}x{0}>, tensor<{4}xi32> -> tensor<?x{2}x{0}>
  %u = moe.grouped_matmul %xs, %w_up, %offsets
      : tensor<?x{1}x{0}>, tensor<{3}x{1}x{2}x{0}>, tensor<{4}xi32> -> tensor<?x{2}x{0}>
  %h = moe.swiglu %g, %u{5} : tensor<?x{2}x{0}>, tensor<?x{2}x{0}> -> tensor<?x{2}x{0}>
  %y = moe.grouped_matmul %h, %w_down, %offsets
      : tensor<?x{2}x{0}>, tensor<{3}x{2}x{1}x{0}>, tensor<{4}xi32> -> tensor<?x{1}x{0}>
  return %y : tensor<?x{1}x{0}>
}
)mlir",
             type, H, I, E, E + 1, limit)
      .str();
}
