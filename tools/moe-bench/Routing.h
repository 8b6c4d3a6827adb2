//===- Routing.h - router and dispatch of the OpenBLAS baseline -*- C++ -*-===//
//
// The baseline routes with the reference's routing function (the part of a
// layer whose cost does not grow with H or I) on logits from sgemm, and
// dispatches with a counting sort; the benchmark also uses both to learn,
// before timing anything, which experts a case's tokens reach.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_ROUTING_H
#define MOEC_TOOLS_MOEBENCH_ROUTING_H

#include "MoEReference.h"

#include "moec/Model/LayerConfig.h"

#include <cstdint>
#include <vector>

namespace moec::bench {

/// The config's routing in the reference's terms.
/// Routes `tokens` rows of `x` [tokens, H]: logits = x @ routerW by sgemm,
/// then reference::route. `bias` is [E] or null.
reference::RouterResult routeTokens(const MoELayerConfig &config,
                                    const float *x, int64_t tokens,
                                    const float *routerW, const float *bias);

/// MOE-SEMANTICS.md's dispatch: the T*k (token, slot) pairs sorted by expert,
/// stable.
struct DispatchPlan {
  std::vector<int64_t> offsets;   ///< [E + 1]
  std::vector<int64_t> pairOfRow; ///< [T*k]: pair t*k+j of each row
  std::vector<int64_t> rowOfPair; ///< [T*k]: the inverse

  int64_t expertsHit() const;
};

void planDispatch(const std::vector<int64_t> &ids, int64_t numExperts,
                  DispatchPlan &plan);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_ROUTING_H
