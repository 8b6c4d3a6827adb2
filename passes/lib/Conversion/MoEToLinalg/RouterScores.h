//===- RouterScores.h - moe.router's score formulas ----------*- C++ -*-===//
//
// Private to the MoEToLinalg conversion: the scalar score functions of
// moe.router's lowering, shared with moe.router_grad's so that the backward
// differentiates exactly the forward's formulas. Both work on f32 or f64
// scalars (the compute type).
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_CONVERSION_MOETOLINALG_ROUTERSCORES_H
#define MOEC_CONVERSION_MOETOLINALG_ROUTERSCORES_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::moe::lowering {

/// `1 / (1 + exp(-l))`.
Value sigmoidScore(ImplicitLocOpBuilder &b, Value logit);
/// `sqrt(softplus(l))`, softplus computed stably.
Value sqrtSoftplusScore(ImplicitLocOpBuilder &b, Value logit);

} // namespace mlir::moe::lowering

#endif // MOEC_CONVERSION_MOETOLINALG_ROUTERSCORES_H
