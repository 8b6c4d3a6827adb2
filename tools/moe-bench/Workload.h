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
  /// train cases: the cotangent of the layer's output, [max tokens, H]
  /// (uniform in [-1, 1]); empty otherwise.
  std::vector<float> dy;
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
/// shared experts 2*T*3*H*S; gemm cases only the routed experts. Train
/// cases: the forward's.
double caseFlops(const BenchCase &benchCase);
/// Forward + backward of a layer: 3 * caseFlops, as the backward of every
/// matmul is two matmuls of the same size (the gradients of its input and
/// of its weight).
double caseTrainFlops(const BenchCase &benchCase);
/// Weight bytes in the case's element type that one call must read at least
/// once: the router (and bias), the three matrices of every expert hit, the
/// shared experts; gemm cases only the experts.
uint64_t caseWeightBytes(const BenchCase &benchCase, int64_t expertsHit);

/// An estimate of the most bytes moe-bench holds at once for a group whose
/// largest case is `largest` (the data, moec's copies, the baselines'
/// buffers, the reference's f64 copy unless `naive` is false), to skip what
/// would not fit before allocating anything.
uint64_t estimateFootprint(const BenchCase &largest, bool naive);
/// That of a train group with the reference (0 for other groups): train
/// groups run without the reference when only the reference would not fit.
uint64_t estimateNaiveTrainFootprint(const BenchCase &largest);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_WORKLOAD_H
