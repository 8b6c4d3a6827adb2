//===- Passes.h - moec code generation passes -------------------*- C++ -*-===//

#ifndef MOEC_CODEGEN_PASSES_H
#define MOEC_CODEGEN_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::moe {

#define GEN_PASS_DECL
#include "moec/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "moec/Codegen/Passes.h.inc"

} // namespace mlir::moe

#endif // MOEC_CODEGEN_PASSES_H
