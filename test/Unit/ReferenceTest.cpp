//===- ReferenceTest.cpp - the f64 reference of docs/cpu-numerics.md ------===//
//
// Small cases whose expected values can be checked by hand, one rule of the
// contract each, and one large layer checked against the composed ops.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"
#include "Inputs.h"
#include "MoEReference.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace moec::reference;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

Routing makeRouting(int64_t k, Scoring scoring) {
  Routing routing;
  routing.k = k;
  routing.scoring = scoring;
  return routing;
}

/// Uniform data in [-1, 1) as the reference takes it.
std::vector<double> uniform(size_t n, uint64_t seed, float scale = 1.0f) {
  std::vector<float> values(n);
  fillUniform(values, seed, -scale, scale);
  return toDouble(values);
}

//===----------------------------------------------------------------------===//
// Router
//===----------------------------------------------------------------------===//

TEST(ReferenceRouterTest, SoftmaxTieGoesToLowerId) {
  RouterResult r =
      route({1.0, 3.0, 3.0, 0.0}, 1, 4, makeRouting(2, Scoring::Softmax));
  EXPECT_EQ(r.ids, (std::vector<int64_t>{1, 2}));
  double p = std::exp(3.0) / (2 * std::exp(3.0) + std::exp(1.0) + 1.0);
  EXPECT_NEAR(r.weights[0], p, 1e-15);
  EXPECT_NEAR(r.weights[1], p, 1e-15);
}

TEST(ReferenceRouterTest, IdsInDescendingScoreOrder) {
  RouterResult r = route({0.5, 2.0, -1.0, 1.0, 0.5, 1.5}, 2, 3,
                         makeRouting(3, Scoring::Softmax));
  EXPECT_EQ(r.ids, (std::vector<int64_t>{1, 0, 2, 2, 0, 1}));
}

TEST(ReferenceRouterTest, SigmoidBiasChangesSelectionNotWeights) {
  Routing routing = makeRouting(2, Scoring::Sigmoid);
  RouterResult unbiased = route({0.0, 1.0, 2.0}, 1, 3, routing);
  EXPECT_EQ(unbiased.ids, (std::vector<int64_t>{2, 1}));
  RouterResult biased = route({0.0, 1.0, 2.0}, 1, 3, routing, {10, 0, 0});
  EXPECT_EQ(biased.ids, (std::vector<int64_t>{0, 2}));
  EXPECT_DOUBLE_EQ(biased.weights[0], 0.5);
  EXPECT_DOUBLE_EQ(biased.weights[1], sigmoid(2.0));
}

/// Logits 0 give every sigmoid score 0.5, so the bias alone sets the
/// selection scores; multiples of 1/8 make the group sums exact.
/// Groups: {0,1} {2,3} {4,5} {6,7}.
const std::vector<double> kGroupBias = {0.875, 0.0,  0.5,   0.5,
                                        0.625, 0.25, 0.125, 0.125};

RouterResult routeGroups(GroupScore groupScore) {
  Routing routing = makeRouting(2, Scoring::Sigmoid);
  routing.nGroup = 4;
  routing.topkGroup = 2;
  routing.groupScore = groupScore;
  return route(std::vector<double>(8, 0.0), 1, 8, routing, kGroupBias);
}

TEST(ReferenceRouterTest, GroupLimitTop2Sum) {
  // Sums 0.875 + 2*0.5, 1 + 2*0.5, 0.875 + 2*0.5, 0.25 + 2*0.5: group 1 and,
  // of the tied groups 0 and 2, the lower one. Experts 2 and 3 tie too.
  RouterResult r = routeGroups(GroupScore::Top2Sum);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(r.weights, (std::vector<double>{0.5, 0.5}));
}

TEST(ReferenceRouterTest, GroupLimitMax) {
  // Maxima 0.875, 0.5, 0.625, 0.125 keep groups 0 and 2.
  RouterResult r = routeGroups(GroupScore::Max);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 4}));
}

TEST(ReferenceRouterTest, GroupOfOneExpertScoresItsOwnScore) {
  Routing routing = makeRouting(2, Scoring::Sigmoid);
  routing.nGroup = 4;
  routing.topkGroup = 2;
  RouterResult r = route({0, 0, 0, 0}, 1, 4, routing, {0.25, 0.75, 0.5, 0});
  EXPECT_EQ(r.ids, (std::vector<int64_t>{1, 2}));
}

TEST(ReferenceRouterTest, GroupLimitCanLeaveFewerExpertsThanK) {
  // One group of two experts kept, k = 3: the third pick is the best of the
  // masked (-inf) experts, which is the lowest id.
  Routing routing = makeRouting(3, Scoring::Sigmoid);
  routing.nGroup = 2;
  routing.topkGroup = 1;
  RouterResult r = route({0, 0, 5, 4}, 1, 4, routing);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{2, 3, 0}));
}

/// Logits log(1..4) give softmax probabilities 0.1, 0.2, 0.3, 0.4.
const std::vector<double> kTenths = {std::log(1.0), std::log(2.0),
                                     std::log(3.0), std::log(4.0)};

TEST(ReferenceRouterTest, NormTopkProb) {
  Routing routing = makeRouting(2, Scoring::Softmax);
  RouterResult plain = route(kTenths, 1, 4, routing);
  EXPECT_EQ(plain.ids, (std::vector<int64_t>{3, 2}));
  EXPECT_NEAR(plain.weights[0], 0.4, 1e-15);
  EXPECT_NEAR(plain.weights[1], 0.3, 1e-15);
  routing.normTopkProb = true;
  RouterResult normed = route(kTenths, 1, 4, routing);
  EXPECT_NEAR(normed.weights[0], 4.0 / 7.0, 1e-15);
  EXPECT_NEAR(normed.weights[1], 3.0 / 7.0, 1e-15);
}

TEST(ReferenceRouterTest, SigmoidNormAddsEpsilon) {
  // Scores near 2e-22 make the 1e-20 in the denominator dominate.
  Routing routing = makeRouting(2, Scoring::Sigmoid);
  routing.normTopkProb = true;
  RouterResult r = route({-50, -50, -60}, 1, 3, routing);
  double s = sigmoid(-50);
  EXPECT_NEAR(r.weights[0], s / (2 * s + 1e-20), 1e-18);
  EXPECT_LT(r.weights[0], 0.05);
}

TEST(ReferenceRouterTest, RoutedScalingFactor) {
  Routing routing = makeRouting(2, Scoring::Softmax);
  routing.routedScalingFactor = 2.5;
  RouterResult plain = route(kTenths, 1, 4, routing);
  EXPECT_NEAR(plain.weights[0], 1.0, 1e-15);
  EXPECT_NEAR(plain.weights[1], 0.75, 1e-15);
  routing.normTopkProb = true;
  RouterResult normed = route(kTenths, 1, 4, routing);
  EXPECT_NEAR(normed.weights[0], 2.5 * 4.0 / 7.0, 1e-15);
}

TEST(ReferenceRouterTest, SqrtSoftplusIsStable) {
  RouterResult r = route({0.0, 1000.0, -1000.0, 2.0}, 1, 4,
                         makeRouting(4, Scoring::SqrtSoftplus));
  EXPECT_EQ(r.ids, (std::vector<int64_t>{1, 3, 0, 2}));
  EXPECT_DOUBLE_EQ(r.weights[0], std::sqrt(1000.0));
  EXPECT_NEAR(r.weights[1], std::sqrt(std::log1p(std::exp(2.0))), 1e-15);
  EXPECT_NEAR(r.weights[2], std::sqrt(std::log(2.0)), 1e-15);
  EXPECT_EQ(r.weights[3], 0.0);
}

void expectDistinctInRange(const std::vector<int64_t> &ids, int64_t E) {
  for (size_t j = 0; j < ids.size(); ++j) {
    EXPECT_GE(ids[j], 0);
    EXPECT_LT(ids[j], E);
    for (size_t i = 0; i < j; ++i)
      EXPECT_NE(ids[i], ids[j]);
  }
}

TEST(ReferenceRouterTest, NaNLogitGivesNaNWeightsAndValidIds) {
  for (Scoring scoring :
       {Scoring::Softmax, Scoring::Sigmoid, Scoring::SqrtSoftplus}) {
    Routing routing = makeRouting(2, scoring);
    routing.normTopkProb = true;
    RouterResult r = route({kNaN, 1, 2, 3, 0, 1, 2, 3}, 2, 4, routing);
    EXPECT_TRUE(std::isnan(r.weights[0]) && std::isnan(r.weights[1]));
    expectDistinctInRange({r.ids[0], r.ids[1]}, 4);
    EXPECT_FALSE(std::isnan(r.weights[2]) || std::isnan(r.weights[3]));
    EXPECT_EQ(r.ids[2], 3);
    EXPECT_EQ(r.ids[3], 2);
  }
  // Sigmoid keeps the other scores, which still pick; softmax's sum is NaN,
  // so every score ranks as -inf and the lowest ids are picked.
  EXPECT_EQ(route({kNaN, 1, 2, 3}, 1, 4, makeRouting(2, Scoring::Sigmoid)).ids,
            (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(route({1, 2, kNaN, 3}, 1, 4, makeRouting(2, Scoring::Softmax)).ids,
            (std::vector<int64_t>{0, 1}));
  RouterResult allNaN =
      route({kNaN, kNaN, kNaN}, 1, 3, makeRouting(3, Scoring::Sigmoid));
  EXPECT_EQ(allNaN.ids, (std::vector<int64_t>{0, 1, 2}));
}

TEST(ReferenceRouterTest, InfiniteLogitsFollowIEEE) {
  RouterResult r =
      route({kInf, 0.0, -kInf}, 1, 3, makeRouting(3, Scoring::Sigmoid));
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(r.weights, (std::vector<double>{1.0, 0.5, 0.0}));
  // exp(inf - inf) is NaN: the contract does not special-case it.
  RouterResult softmax =
      route({kInf, 0.0}, 1, 2, makeRouting(1, Scoring::Softmax));
  EXPECT_TRUE(std::isnan(softmax.weights[0]));
}

TEST(ReferenceRouterTest, HashRoutingWithOutOfRangeIds) {
  Routing routing = makeRouting(2, Scoring::Sigmoid);
  routing.normTopkProb = true;
  routing.routedScalingFactor = 2.0;
  HashRouting hash;
  std::vector<int64_t> table = {0, 1, /**/ 2, 7, /**/ 3, 2};
  hash.table = table;
  hash.vocab = 3;
  std::vector<double> logits = {0, 1, 2, 3};
  std::vector<double> fourTokens;
  for (int t = 0; t < 4; ++t)
    fourTokens.insert(fourTokens.end(), logits.begin(), logits.end());
  RouterResult r = routeHash(fourTokens, 4, 4, routing, {0, 5, 1, 2}, hash);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 1, -1, -1, 2, -1, 3, 2}));
  double s0 = 0.5, s1 = sigmoid(1), s2 = sigmoid(2), s3 = sigmoid(3);
  std::vector<double> want = {2 * s0 / (s0 + s1 + 1e-20),
                              2 * s1 / (s0 + s1 + 1e-20),
                              0,
                              0,
                              2 * s2 / (s2 + 1e-20),
                              0,
                              2 * s3 / (s3 + s2 + 1e-20),
                              2 * s2 / (s3 + s2 + 1e-20)};
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(r.weights[i], want[i], 1e-15) << "at " << i;

  // The NaN rule covers the valid slots only.
  RouterResult nan = routeHash({kNaN, 1, 2, 3}, 1, 4, routing, {1}, hash);
  EXPECT_TRUE(std::isnan(nan.weights[0]));
  EXPECT_EQ(nan.weights[1], 0.0);
}

TEST(ReferenceRouterTest, CheckRoutingNamesTheProblem) {
  EXPECT_EQ(checkRouting(makeRouting(2, Scoring::Softmax), 4), "");
  EXPECT_EQ(checkRouting(makeRouting(5, Scoring::Softmax), 4),
            "routing.k = 5 must be in [1, E = 4]");
  Routing routing = makeRouting(2, Scoring::Sigmoid);
  routing.nGroup = 3;
  EXPECT_EQ(checkRouting(routing, 8),
            "routing.nGroup = 3 must be a positive divisor of E = 8");
  routing.nGroup = 4;
  routing.topkGroup = 5;
  EXPECT_EQ(checkRouting(routing, 8),
            "routing.topkGroup = 5 must be in [1, nGroup = 4]");
}

TEST(ReferenceRouterDeathTest, WrongSizeAbortsNamingTheArgument) {
  EXPECT_DEATH(route({1, 2, 3}, 1, 4, makeRouting(1, Scoring::Softmax)),
               "moec::reference::route: logits has 3 elements, expected "
               "T\\*E = 4");
}

//===----------------------------------------------------------------------===//
// Dispatch, grouped matmul, swiglu, combine
//===----------------------------------------------------------------------===//

/// Three tokens whose single feature is 10 * (t + 1), and H = 1.
const std::vector<double> kTokens = {10, 20, 30};
/// Pairs 0..5 go to experts 2 0 | 0 2 | 1 0.
const std::vector<int64_t> kIds = {2, 0, 0, 2, 1, 0};

TEST(ReferenceDispatchTest, StableCountingSort) {
  Dispatched d = dispatch(kTokens, 3, 1, kIds, 2, 3);
  EXPECT_EQ(d.perm, (std::vector<int64_t>{1, 2, 5, 4, 0, 3}));
  EXPECT_EQ(d.offsets, (std::vector<int64_t>{0, 3, 4, 6}));
  EXPECT_EQ(d.xs, (std::vector<double>{10, 20, 30, 30, 10, 20}));
}

TEST(ReferenceDispatchTest, BlockPadsEachGroup) {
  Dispatched d = dispatch(kTokens, 3, 1, kIds, 2, 3, {/*block=*/2, 0});
  EXPECT_EQ(d.perm, (std::vector<int64_t>{1, 2, 5, -1, 4, -1, 0, 3}));
  EXPECT_EQ(d.offsets, (std::vector<int64_t>{0, 4, 6, 8}));
  EXPECT_EQ(d.xs, (std::vector<double>{10, 20, 30, 0, 30, 0, 10, 20}));
}

TEST(ReferenceDispatchTest, CapacityKeepsTheFirstPairs) {
  Dispatched d = dispatch(kTokens, 3, 1, kIds, 2, 3, {0, /*capacity=*/2});
  EXPECT_EQ(d.perm, (std::vector<int64_t>{1, 2, 4, -1, 0, 3}));
  EXPECT_EQ(d.offsets, (std::vector<int64_t>{0, 2, 4, 6}));
  EXPECT_EQ(d.xs, (std::vector<double>{10, 20, 30, 0, 10, 20}));
}

TEST(ReferenceDispatchTest, InvalidIdsGoToTrailingPaddingRows) {
  // Pairs 1 and 2 have ids outside [0, 2).
  std::vector<int64_t> ids = {0, 5, -1, 0};
  Dispatched plain = dispatch({10, 20}, 2, 1, ids, 2, 2);
  EXPECT_EQ(plain.perm, (std::vector<int64_t>{0, 3, -1, -1}));
  EXPECT_EQ(plain.offsets, (std::vector<int64_t>{0, 2, 2}));
  EXPECT_EQ(plain.xs, (std::vector<double>{10, 20, 0, 0}));

  Dispatched blocked = dispatch({10, 20}, 2, 1, ids, 2, 2, {4, 0});
  EXPECT_EQ(blocked.perm, (std::vector<int64_t>{0, 3, -1, -1, -1, -1}));
  EXPECT_EQ(blocked.offsets, (std::vector<int64_t>{0, 4, 4}));

  Dispatched capped = dispatch({10, 20}, 2, 1, ids, 2, 2, {0, 1});
  EXPECT_EQ(capped.perm, (std::vector<int64_t>{0, -1}));
  EXPECT_EQ(capped.offsets, (std::vector<int64_t>{0, 1, 2}));
}

TEST(ReferenceGroupedMatmulTest, RowsOutsideGroupsAreZero) {
  // K = 2, N = 1: expert 0 computes a + 2b, expert 1 computes 3a + 4b.
  std::vector<double> input = {1, 1, 1, 0, 0, 1, 5, 5};
  std::vector<double> weight = {1, 2, 3, 4};
  EXPECT_EQ(groupedMatmul(input, 4, 2, weight, 2, 1, {0, 1, 3}),
            (std::vector<double>{3, 3, 4, 0}));
  // Offsets past R are clamped, so expert 1's group is empty.
  EXPECT_EQ(groupedMatmul(input, 4, 2, weight, 2, 1, {0, 10, 2}),
            (std::vector<double>{3, 1, 2, 15}));
}

TEST(ReferenceSwigluTest, LimitClampsAndPropagatesNaN) {
  EXPECT_DOUBLE_EQ(swiglu(1.0, 2.0, std::nullopt), 2.0 * sigmoid(1.0));
  EXPECT_DOUBLE_EQ(swiglu(20.0, -30.0, 10.0), 10.0 * sigmoid(10.0) * -10.0);
  EXPECT_DOUBLE_EQ(swiglu(-20.0, 30.0, 10.0), -20.0 * sigmoid(-20.0) * 10.0);
  EXPECT_TRUE(std::isnan(swiglu(kNaN, 1.0, 10.0)));
  EXPECT_TRUE(std::isnan(swiglu(1.0, kNaN, 10.0)));
}

TEST(ReferenceSwigluTest, FusedSplitsEachRow) {
  std::vector<double> gateUp = {1, 2, 3, 4, /**/ -1, 0.5, 12, -12};
  EXPECT_EQ(swigluFused(gateUp, 2, 2, 10.0),
            swiglu({1, 2, -1, 0.5}, {3, 4, 12, -12}, 10.0));
}

TEST(ReferenceCombineTest, WeightedSumInSlotOrder) {
  // T = 2, k = 2, H = 1. Pair 2 has no row, so its NaN weight is never read;
  // perm 7 is outside [0, T*k) and ignored.
  std::vector<double> out = combine(
      {10, 20, 30, 40, 50}, 5, 1, {1, -1, 0, 3, 7}, {0.5, 0.25, kNaN, 3}, 2, 2);
  EXPECT_EQ(out, (std::vector<double>{0.5 * 30 + 0.25 * 10, 3 * 40}));
  // A repeated pair takes the later row.
  EXPECT_EQ(combine({1, 2}, 2, 1, {0, 0}, {1}, 1, 1), (std::vector<double>{2}));
}

//===----------------------------------------------------------------------===//
// Layer
//===----------------------------------------------------------------------===//

/// A dense SwiGLU FFN written from MOE-SEMANTICS.md alone, with its own loops.
std::vector<double> denseFfn(const std::vector<double> &x, int64_t T, int64_t H,
                             int64_t W, const std::vector<double> &gate,
                             const std::vector<double> &up,
                             const std::vector<double> &down) {
  std::vector<double> y(T * H, 0.0);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t i = 0; i < W; ++i) {
      double g = 0, u = 0;
      for (int64_t h = 0; h < H; ++h) {
        g += x[t * H + h] * gate[h * W + i];
        u += x[t * H + h] * up[h * W + i];
      }
      double a = g * sigmoid(g) * u;
      for (int64_t h = 0; h < H; ++h)
        y[t * H + h] += a * down[i * H + h];
    }
  }
  return y;
}

TEST(ReferenceLayerTest, OneExpertIsADenseFfnPlusShared) {
  const int64_t T = 5, H = 6, I = 4, S = 3;
  std::vector<double> x = uniform(T * H, 1), routerW = uniform(H, 2);
  std::vector<double> wGate = uniform(H * I, 3), wUp = uniform(H * I, 4),
                      wDown = uniform(I * H, 5);
  std::vector<double> sGate = uniform(H * S, 6), sUp = uniform(H * S, 7),
                      sDown = uniform(S * H, 8);
  LayerWeights w;
  w.H = H;
  w.I = I;
  w.E = 1;
  w.routerW = routerW;
  w.wGate = wGate;
  w.wUp = wUp;
  w.wDown = wDown;
  w.routing = makeRouting(1, Scoring::Softmax);

  std::vector<double> expert = denseFfn(x, T, H, I, wGate, wUp, wDown);
  std::vector<double> got = layer(x, T, w);
  ASSERT_EQ(got.size(), expert.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expert[i], 1e-14) << "at " << i;

  w.S = S;
  w.sharedGate = sGate;
  w.sharedUp = sUp;
  w.sharedDown = sDown;
  std::vector<double> shared = denseFfn(x, T, H, S, sGate, sUp, sDown);
  got = layer(x, T, w);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expert[i] + shared[i], 1e-14) << "at " << i;
}

TEST(ReferenceLayerTest, InvalidHashSlotsContributeNothing) {
  const int64_t T = 2, H = 3, I = 2, E = 2;
  std::vector<double> x = uniform(T * H, 1), routerW = uniform(H * E, 2);
  std::vector<double> wGate = uniform(E * H * I, 3),
                      wUp = uniform(E * H * I, 4),
                      wDown = uniform(E * I * H, 5);
  std::vector<int64_t> table = {1};
  LayerWeights w;
  w.H = H;
  w.I = I;
  w.E = E;
  w.routerW = routerW;
  w.wGate = wGate;
  w.wUp = wUp;
  w.wDown = wDown;
  w.routing = makeRouting(1, Scoring::SqrtSoftplus);
  w.hash = HashRouting{table, 1};
  EXPECT_EQ(checkLayer(w, T), "tokenIds has 0 elements, expected T = 2");
  std::vector<double> y = layer(x, T, w, {0, 3});
  EXPECT_NE(y[0], 0.0);
  EXPECT_EQ(y[3], 0.0);
  EXPECT_EQ(y[5], 0.0);
}

TEST(ReferenceLayerTest, CheckLayerNamesTheArgument) {
  LayerWeights w;
  w.H = 2;
  w.I = 3;
  w.E = 4;
  w.routerW.resize(8);
  w.wGate.resize(24);
  w.wUp.resize(23);
  w.wDown.resize(24);
  EXPECT_EQ(checkLayer(w, 1), "wUp has 23 elements, expected E*H*I = 24");
}

/// The DeepSeek-V3 routing at a size the brief asks to stay well under a
/// second: layer() must agree with the same layer assembled from the ops,
/// with block padding on to exercise the padding rows.
TEST(ReferenceLayerTest, LayerMatchesComposedOps) {
  const int64_t T = 300, H = 256, I = 128, E = 16, k = 8, S = 128;
  std::vector<double> x = uniform(T * H, 11), routerW = uniform(H * E, 12);
  std::vector<double> wGate = uniform(E * H * I, 13, 0.1f),
                      wUp = uniform(E * H * I, 14, 0.1f),
                      wDown = uniform(E * I * H, 15, 0.1f);
  std::vector<double> sGate = uniform(H * S, 16, 0.1f),
                      sUp = uniform(H * S, 17, 0.1f),
                      sDown = uniform(S * H, 18, 0.1f);
  std::vector<double> bias = uniform(E, 19, 0.1f);
  LayerWeights w;
  w.H = H;
  w.I = I;
  w.E = E;
  w.S = S;
  w.routerW = routerW;
  w.wGate = wGate;
  w.wUp = wUp;
  w.wDown = wDown;
  w.sharedGate = sGate;
  w.sharedUp = sUp;
  w.sharedDown = sDown;
  w.bias = bias;
  w.swigluLimit = 1.0; // small enough to clamp some of these activations
  w.routing = makeRouting(k, Scoring::Sigmoid);
  w.routing.nGroup = 4;
  w.routing.topkGroup = 2;
  w.routing.normTopkProb = true;
  w.routing.routedScalingFactor = 2.5;
  std::vector<double> y = layer(x, T, w);

  std::vector<double> logits = groupedMatmul(x, T, H, routerW, 1, E, {0, T});
  RouterResult r = route(logits, T, E, w.routing, bias);
  Dispatched d = dispatch(x, T, H, r.ids, k, E, {/*block=*/4, 0});
  std::vector<double> gate =
      groupedMatmul(d.xs, d.rows(), H, wGate, E, I, d.offsets);
  std::vector<double> up =
      groupedMatmul(d.xs, d.rows(), H, wUp, E, I, d.offsets);
  std::vector<double> down = groupedMatmul(swiglu(gate, up, w.swigluLimit),
                                           d.rows(), I, wDown, E, H, d.offsets);
  std::vector<double> want =
      combine(down, d.rows(), H, d.perm, r.weights, T, k);
  std::vector<double> sharedGate = groupedMatmul(x, T, H, sGate, 1, S, {0, T});
  std::vector<double> sharedUp = groupedMatmul(x, T, H, sUp, 1, S, {0, T});
  std::vector<double> shared = groupedMatmul(
      swiglu(sharedGate, sharedUp, w.swigluLimit), T, S, sDown, 1, H, {0, T});
  for (size_t i = 0; i < want.size(); ++i)
    want[i] += shared[i];

  std::vector<float> got(y.begin(), y.end());
  EXPECT_LT(maxRelativeError(got.data(), want.data(), want.size(), 1e-2), 1e-6);
  double worst = 0;
  for (size_t i = 0; i < y.size(); ++i)
    worst = std::max(worst, std::abs(y[i] - want[i]));
  EXPECT_LT(worst, 1e-12);
}

//===----------------------------------------------------------------------===//
// Inputs and Compare
//===----------------------------------------------------------------------===//

TEST(ReferenceInputsTest, SplitMix64KnownValues) {
  SplitMix64 generator(0);
  EXPECT_EQ(generator.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(generator.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(generator.next(), 0x06C45D188009454Full);
}

TEST(ReferenceInputsTest, FillUniformIsPinned) {
  std::vector<float> values(1000);
  fillUniform(values, 0, -2.0f, 2.0f);
  // The first draw is 0xE220A8 / 2^24.
  EXPECT_EQ(values[0], -2.0f + 4.0f * (0xE220A8 / 16777216.0f));
  for (float v : values) {
    EXPECT_GE(v, -2.0f);
    EXPECT_LT(v, 2.0f);
  }
  std::vector<float> again(1000);
  fillUniform(again, 0, -2.0f, 2.0f);
  EXPECT_EQ(values, again);
}

TEST(ReferenceCompareTest, MaxRelativeError) {
  std::vector<float> got = {1.1f, 0.001f, 0.0f};
  std::vector<double> want = {1.0, 0.0, 0.0};
  // Error 0.1 relative to 1, and 0.001 relative to the floor 0.01.
  EXPECT_NEAR(maxRelativeError(got.data(), want.data(), 3, 0.01), 0.1, 1e-6);
  EXPECT_NEAR(maxRelativeError(got.data() + 1, want.data() + 1, 2, 0.01), 0.1,
              1e-6);
  EXPECT_EQ(maxRelativeError(got.data(), want.data(), 0, 0.01), 0.0);

  float nanF = std::numeric_limits<float>::quiet_NaN();
  float infF = std::numeric_limits<float>::infinity();
  std::vector<float> special = {nanF, infF, 1.0f};
  EXPECT_EQ(maxRelativeError(special.data(),
                             std::vector<double>{kNaN, kInf, 1.0}.data(), 3, 1),
            0.0);
  EXPECT_EQ(maxRelativeError(special.data(),
                             std::vector<double>{1.0, kInf, 1.0}.data(), 3, 1),
            kInf);
  EXPECT_EQ(maxRelativeError(special.data() + 2,
                             std::vector<double>{kNaN}.data(), 1, 1),
            kInf);
  EXPECT_EQ(maxRelativeError(special.data() + 1,
                             std::vector<double>{-kInf}.data(), 1, 1),
            kInf);
}

} // namespace
