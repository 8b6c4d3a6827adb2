//===- Workload.h - the data the engines share ------------------*- C++ -*-===//
//
// The cases of one model, kind and element type differ only in their token
// count, so they share one set of weights and one x, generated for the most
// tokens any of them uses; a case with fewer tokens uses a prefix of x (the
// generator is sequential, so that prefix is exactly what generating for
// fewer tokens gives). Weights are GBs on the real configs: generating,
// compiling and packing them once per group rather than per case is what
// keeps a full run within minutes.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_WORKLOAD_H
#define MOEC_TOOLS_MOEBENCH_WORKLOAD_H

#include "Cases.h"
#include "Routing.h"

#include "LayerExecution.h"

#include <cstdint>
#include <vector>

namespace moec::bench {

struct Workload {
  /// The group's config (with its element type).
  MoELayerConfig config;
  /// gemm cases: the routed experts' FFN alone.
  bool expertsOnly = false;
  /// f32 values in @moe_layer's argument order, x for the most tokens; in
  /// bf16 groups every value is already rounded to bf16, so all engines see
  /// the same numbers. gemm groups have no shared experts.
  test::LayerData data;

  static Workload generate(const BenchCase &prototype, int64_t maxTokens,
                           uint64_t seed);
};

/// What the first `tokens` tokens of a workload route to.
struct TokenSlice {
  int64_t tokens = 0;
  DispatchPlan plan;
  /// gemm cases: the rows of x in dispatch order, [tokens*k, H].
  std::vector<float> dispatchedX;

  int64_t rows() const { return static_cast<int64_t>(plan.pairOfRow.size()); }
};

TokenSlice sliceTokens(const Workload &workload, int64_t tokens);

/// Multiply-adds count 2: router 2*T*H*E, routed experts 2*T*k*3*H*I,
/// shared experts 2*T*3*H*S; gemm cases only the routed experts.
double caseFlops(const BenchCase &benchCase);
/// Weight bytes in the case's element type that one call must read at least
/// once: the router (and bias), the three matrices of every expert hit, the
/// shared experts; gemm cases only the experts.
uint64_t caseWeightBytes(const BenchCase &benchCase, int64_t expertsHit);

/// An estimate of the most bytes moe-bench holds at once for a group whose
/// largest case is `largest` (the data, moec's copies, the baselines'
/// buffers, the reference's f64 copy unless `naive` is false), to skip what
/// would not fit before allocating anything.
uint64_t estimateFootprint(const BenchCase &largest, bool naive);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_WORKLOAD_H
