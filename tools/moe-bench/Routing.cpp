//===- Routing.cpp - router and dispatch of the OpenBLAS baseline ---------===//

#include "Routing.h"

#include "LayerExecution.h"

#include <cblas.h>

using namespace moec;
using namespace moec::bench;

reference::RouterResult moec::bench::routeTokens(const MoELayerConfig &config,
                                                 const float *x, int64_t tokens,
                                                 const float *routerW,
                                                 const float *bias) {
  int64_t H = config.hidden, E = config.numExperts;
  std::vector<float> logits(tokens * E);
  if (tokens > 0)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, tokens, E, H, 1.0f,
                x, H, routerW, E, 0.0f, logits.data(), E);
  std::vector<double> biasValues;
  if (bias)
    biasValues.assign(bias, bias + E);
  return reference::route(std::vector<double>(logits.begin(), logits.end()),
                          tokens, E, test::referenceRouting(config),
                          biasValues);
}

int64_t DispatchPlan::expertsHit() const {
  int64_t hit = 0;
  for (size_t e = 0; e + 1 < offsets.size(); ++e)
    hit += offsets[e + 1] > offsets[e];
  return hit;
}

void moec::bench::planDispatch(const std::vector<int64_t> &ids,
                               int64_t numExperts, DispatchPlan &plan) {
  plan.offsets.assign(numExperts + 1, 0);
  for (int64_t id : ids)
    ++plan.offsets[id + 1];
  for (int64_t e = 0; e < numExperts; ++e)
    plan.offsets[e + 1] += plan.offsets[e];
  std::vector<int64_t> next(plan.offsets.begin(), plan.offsets.end() - 1);
  plan.pairOfRow.resize(ids.size());
  plan.rowOfPair.resize(ids.size());
  for (size_t pair = 0; pair < ids.size(); ++pair) {
    int64_t row = next[ids[pair]]++;
    plan.pairOfRow[row] = static_cast<int64_t>(pair);
    plan.rowOfPair[pair] = row;
  }
}
