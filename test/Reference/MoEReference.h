//===- MoEReference.h - f64 oracle of the moe ops and layer -----*- C++ -*-===//
//
// A deliberately plain f64 implementation of docs/cpu-numerics.md that the
// compiled kernels are tested against. Each function follows the contract step
// by step, in the contract's summation order, and favours being obviously
// right over being fast; keep it that way when the contract changes.
//
// Arrays are row-major and their sizes are passed explicitly so that every
// length can be checked. A size that does not match is a bug of the caller, so
// the functions abort with a message naming the argument; a tool that hands
// user data to the reference calls checkRouting/checkLayer first to report the
// problem as an error instead.
//
// Plain standard C++ (even LLVM's header-only ADT would make it link
// libLLVM), so that any test or tool can link it.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TEST_REFERENCE_MOEREFERENCE_H
#define MOEC_TEST_REFERENCE_MOEREFERENCE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace moec::reference {

enum class Scoring { Softmax, Sigmoid, SqrtSoftplus };
enum class GroupScore { Top2Sum, Max };

struct Routing {
  int64_t k = 1;
  Scoring scoring = Scoring::Softmax;
  /// Group limit; it applies only when nGroup > 1 and topkGroup < nGroup.
  int64_t nGroup = 1;
  int64_t topkGroup = 1;
  GroupScore groupScore = GroupScore::Top2Sum;
  bool normTopkProb = false;
  double routedScalingFactor = 1.0;
};

/// DeepSeek-V4 hash routing: ids[t, j] = table[tokenIds[t], j].
struct HashRouting {
  std::vector<int64_t> table; ///< [vocab, k]
  int64_t vocab = 0;
};

struct RouterResult {
  std::vector<double> weights; ///< [T, k]
  /// [T, k]; always k distinct ids in [0, E) from route(), while routeHash()
  /// gives -1 (with weight 0) for a slot whose token id or table entry is out
  /// of range.
  std::vector<int64_t> ids;
};

/// Empty when \p routing can route among \p E experts, otherwise what is
/// wrong with it.
std::string checkRouting(const Routing &routing, int64_t E);

/// Step 1 of the router for one token's logits [E]: softmax, sigmoid or
/// sqrt(softplus) scores.
std::vector<double> routerScores(const std::vector<double> &logits,
                                 Scoring scoring);

/// moe.router with top-k selection. \p logits is [T, E]; \p bias is [E] or
/// empty for no selection bias.
RouterResult route(const std::vector<double> &logits, int64_t T, int64_t E,
                   const Routing &routing,
                   const std::vector<double> &bias = {});

/// moe.router with hash routing: the ids come from \p hash (\p tokenIds is
/// [T]); scoring, normalisation and scaling follow \p routing, whose group
/// limit is ignored since nothing is selected.
RouterResult routeHash(const std::vector<double> &logits, int64_t T, int64_t E,
                       const Routing &routing,
                       const std::vector<int64_t> &tokenIds,
                       const HashRouting &hash);

/// Padding of moe.dispatch's groups; 0 means unset. At most one may be set.
struct DispatchPadding {
  int64_t block = 0;    ///< pad each expert's group to a multiple of this
  int64_t capacity = 0; ///< give every expert exactly this many rows
};

struct Dispatched {
  std::vector<double> xs;       ///< [R, H]
  std::vector<int64_t> perm;    ///< [R]; pair t*k+j of each row, -1 padding
  std::vector<int64_t> offsets; ///< [E + 1]
  int64_t rows() const { return static_cast<int64_t>(perm.size()); }
};

/// moe.dispatch of \p x [T, H] by \p ids [T, k] among \p E experts.
Dispatched dispatch(const std::vector<double> &x, int64_t T, int64_t H,
                    const std::vector<int64_t> &ids, int64_t k, int64_t E,
                    DispatchPadding padding = {});

/// moe.grouped_matmul: \p input [R, K], \p weight [E, K, N],
/// \p offsets [E + 1]; returns [R, N].
std::vector<double> groupedMatmul(const std::vector<double> &input, int64_t R,
                                  int64_t K, const std::vector<double> &weight,
                                  int64_t E, int64_t N,
                                  const std::vector<int64_t> &offsets);

/// moe.swiglu of one element: silu(g) * u, or silu(min(g, L)) * clamp(u, -L,
/// L) with a limit L, where min and clamp propagate NaN.
double swiglu(double gate, double up, std::optional<double> limit);

/// moe.swiglu on two arrays of the same length.
std::vector<double> swiglu(const std::vector<double> &gate,
                           const std::vector<double> &up,
                           std::optional<double> limit);

/// The fused form of moe.swiglu: \p gateUp is [rows, 2*I] with the gate in
/// the first half of each row; returns [rows, I].
std::vector<double> swigluFused(const std::vector<double> &gateUp, int64_t rows,
                                int64_t I, std::optional<double> limit);

/// moe.combine: \p expertOut [R, H], \p perm [R], \p weights [T, k]; returns
/// [T, H].
std::vector<double> combine(const std::vector<double> &expertOut, int64_t R,
                            int64_t H, const std::vector<int64_t> &perm,
                            const std::vector<double> &weights, int64_t T,
                            int64_t k);

/// The operands of moe.layer besides x, in the shapes of MOE-SEMANTICS.md.
struct LayerWeights {
  int64_t H = 0, I = 0, E = 0;
  int64_t S = 0;                  ///< shared width; 0 without shared experts
  std::vector<double> routerW;    ///< [H, E]
  std::vector<double> wGate, wUp; ///< [E, H, I]
  std::vector<double> wDown;      ///< [E, I, H]
  std::vector<double> sharedGate, sharedUp; ///< [H, S], empty when S = 0
  std::vector<double> sharedDown;           ///< [S, H], empty when S = 0
  std::vector<double> bias;                 ///< [E], or empty for none
  std::optional<HashRouting> hash;
  std::optional<double> swigluLimit;
  Routing routing;
};

/// Empty when layer() can run \p weights on T tokens with \p tokenIds (which
/// hash routing needs and top-k routing ignores), otherwise what is wrong.
std::string checkLayer(const LayerWeights &weights, int64_t T,
                       const std::vector<int64_t> &tokenIds = {});

/// moe.layer on \p x [T, H]; returns [T, H]. Computed per token as
/// sum_j w[t,j] * ffn_{ids[t,j]}(x[t]) + shared(x[t]) rather than through
/// dispatch and combine, so that it checks those independently.
std::vector<double> layer(const std::vector<double> &x, int64_t T,
                          const LayerWeights &weights,
                          const std::vector<int64_t> &tokenIds = {});

/// The gradients of layer() for the cotangent \p dy [T, H] of its output,
/// by reverse mode written out per token and slot (independently of the
/// compiler's dispatch/combine formulation): the same routing as layer()
/// with the ids held fixed, no gradient for the bias. Top-k routing only.
struct LayerGradients {
  std::vector<double> y, dx, dRouterW, dWGate, dWUp, dWDown;
  std::vector<double> dSharedGate, dSharedUp, dSharedDown; ///< empty if S = 0
};
LayerGradients layerBackward(const std::vector<double> &x, int64_t T,
                             const LayerWeights &weights,
                             const std::vector<double> &dy);

} // namespace moec::reference

#endif // MOEC_TEST_REFERENCE_MOEREFERENCE_H
