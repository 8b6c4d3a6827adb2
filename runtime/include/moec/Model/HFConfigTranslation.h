//===- HFConfigTranslation.h - --import-hf-config translation ---*- C++ -*-===//

#ifndef MOEC_MODEL_HFCONFIGTRANSLATION_H
#define MOEC_MODEL_HFCONFIGTRANSLATION_H

namespace moec {

/// Registers `--import-hf-config` (and its `--hf-*` options) with
/// mlir-translate's registry: a Hugging Face config.json becomes a module
/// holding `@moe_layer` (see LayerBuilder.h). Idempotent.
void registerHFConfigImport();

} // namespace moec

#endif // MOEC_MODEL_HFCONFIGTRANSLATION_H
