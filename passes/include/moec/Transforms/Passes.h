//===- Passes.h - moec transformation passes --------------------*- C++ -*-===//

#ifndef MOEC_TRANSFORMS_PASSES_H
#define MOEC_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace moe {

#define GEN_PASS_DECL
#include "moec/Transforms/Passes.h.inc"

/// Patterns that rewrite moe.layer into its component ops.
void populateDecomposeLayerPatterns(RewritePatternSet &patterns);

/// Patterns that lower moe.router, moe.dispatch, moe.grouped_matmul,
/// moe.swiglu and moe.combine to linalg, tensor, scf, arith and math.
void populateMoEToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "moec/Transforms/Passes.h.inc"

} // namespace moe
} // namespace mlir

#endif // MOEC_TRANSFORMS_PASSES_H
