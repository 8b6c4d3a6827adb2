//===- PopulatePatterns.h - moe-to-linalg patterns by op family -*- C++ -*-===//
//
// Private to the MoEToLinalg conversion: one populate function per op family,
// all gathered by mlir::moe::populateMoEToLinalgPatterns.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CONVERSION_MOETOLINALG_POPULATEPATTERNS_H
#define MOEC_CONVERSION_MOETOLINALG_POPULATEPATTERNS_H

namespace mlir {
class RewritePatternSet;
namespace moe::lowering {

void populateRouterPatterns(RewritePatternSet &patterns);
void populateRouterGradPatterns(RewritePatternSet &patterns);
void populateDispatchPatterns(RewritePatternSet &patterns);
void populateGroupedMatmulPatterns(RewritePatternSet &patterns);
void populateGroupedMatmulGradPatterns(RewritePatternSet &patterns);
void populateSwigluPatterns(RewritePatternSet &patterns);
void populateCombinePatterns(RewritePatternSet &patterns);
void populateOptimizerPatterns(RewritePatternSet &patterns);
void populateGradientPatterns(RewritePatternSet &patterns);
void populateLossPatterns(RewritePatternSet &patterns);

} // namespace moe::lowering
} // namespace mlir

#endif // MOEC_CONVERSION_MOETOLINALG_POPULATEPATTERNS_H
