//===- HFConfig.h - MoE layer from a Hugging Face config.json ---*- C++ -*-===//

#ifndef MOEC_MODEL_HFCONFIG_H
#define MOEC_MODEL_HFCONFIG_H

#include "moec/Model/LayerConfig.h"

#include "llvm/ADT/StringRef.h"

namespace moec {

/// Reads the MoE fields of a Hugging Face `config.json` (DeepSeek V2/V3/V4,
/// Mixtral, Qwen-MoE, OLMoE). Missing required fields, fields of the wrong
/// type, unknown enumerators and contradictions are errors naming the field.
/// See docs/hf-config-import.md for the field list and defaults.
llvm::Expected<MoELayerConfig> parseHFConfig(llvm::StringRef jsonText);

} // namespace moec

#endif // MOEC_MODEL_HFCONFIG_H
