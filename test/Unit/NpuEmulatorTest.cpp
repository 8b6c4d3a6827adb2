//===- NpuEmulatorTest.cpp - moe_npu plans on the emulator ----------------===//
//
// Hand-written plans run on the emulator and compared with plain C++
// references (and test/Reference's f64 router), and plans with a sync
// problem, a bad index or bad arguments, whose errors must name it.
//
//===----------------------------------------------------------------------===//

#include "ErrorText.h"
#include "GemmPlanText.h"
#include "MoEReference.h"

#include "moec/Codegen/Passes.h"
#include "moec/NPU/Emulator.h"
#include "moec/NPU/PlanInterpreter.h"
#include "moec/Registration.h"
#include "moec/Target/TargetDesc.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <set>

using namespace mlir;
using namespace moec;
using moec::test::errorText;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Replaces every `$name` of `text` by its value.
std::string instantiate(std::string text,
                        const std::map<std::string, std::string> &values) {
  for (const auto &[name, value] : values) {
    std::string key = "$" + name;
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size()))
      text.replace(at, key.size(), value);
  }
  return text;
}

void expectContains(const std::string &text, const std::string &part) {
  EXPECT_NE(text.find(part), std::string::npos)
      << "expected to find\n  " << part << "\nin\n  " << text;
}

uint16_t toBF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float fromBF16(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

float fromF16(uint16_t bits) {
  _Float16 half;
  std::memcpy(&half, &bits, 2);
  return static_cast<float>(half);
}

std::vector<float> randomFloats(size_t count, float lo, float hi,
                                unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(count);
  for (float &v : values)
    v = dist(rng);
  return values;
}

class NpuEmulatorTest : public ::testing::Test {
protected:
  NpuEmulatorTest() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    moec::registerAllDialects(registry);
    return registry;
  }

  /// The first function of `ir`, parsed as "plan.mlir".
  func::FuncOp parse(const std::string &ir) {
    module =
        parseSourceString<ModuleOp>(ir, ParserConfig(&context), "plan.mlir");
    if (!module) {
      ADD_FAILURE() << "cannot parse:\n" << ir;
      return nullptr;
    }
    return *module->getOps<func::FuncOp>().begin();
  }

  /// Runs --moe-npu-drop-sync=index=`index` on the parsed module.
  void dropWait(int64_t index) {
    PassManager pm(&context);
    moe::MoENpuDropSyncOptions options;
    options.index = index;
    pm.addPass(moe::createMoENpuDropSync(options));
    ASSERT_TRUE(succeeded(pm.run(*module)));
  }

  void setTarget(llvm::StringRef spec) {
    llvm::Expected<TargetDesc> target = resolveTarget(spec);
    ASSERT_TRUE(static_cast<bool>(target));
    (*module)->setAttr(kTargetAttrName, toTargetAttr(&context, *target));
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

//===----------------------------------------------------------------------===//
// GEMM: C[M, 40] = A[M, 37] x B[37, 40], 32x32 tiles, K in steps of 16
//===----------------------------------------------------------------------===//

// M, N and K are not multiples of the tile: the loads zero-fill rows past
// `rows` and columns past the source, the fixpipe writes only what fits.
/// The shared GEMM plan with element type `element` and result `result`.
std::string gemmPlan(const std::string &element, const std::string &result) {
  test::GemmPlanShape shape;
  shape.n = 40, shape.k = 37, shape.bm = 32, shape.bn = 32, shape.bk = 16;
  shape.grid = 2, shape.element = element, shape.result = result;
  return test::gemmPlanText(shape);
}

constexpr int64_t kM = 50, kN = 40, kK = 37;

/// A x B in f64 from the values the plan sees.
std::vector<double> gemmReference(const std::vector<float> &a,
                                  const std::vector<float> &b) {
  std::vector<double> c(kM * kN, 0.0);
  for (int64_t i = 0; i < kM; ++i)
    for (int64_t j = 0; j < kN; ++j)
      for (int64_t k = 0; k < kK; ++k)
        c[i * kN + j] += double(a[i * kK + k]) * double(b[k * kN + j]);
  return c;
}

TEST_F(NpuEmulatorTest, GemmF32WithPartialTiles) {
  func::FuncOp plan = parse(gemmPlan("f32", "f32"));
  ASSERT_TRUE(plan);
  std::vector<float> a = randomFloats(kM * kK, -1, 1, 1);
  std::vector<float> b = randomFloats(kK * kN, -1, 1, 2);
  std::vector<float> c(kM * kN, -7.0f);
  llvm::Error err = npu::emulatePlan(plan, {{a.data(), DType::F32, {kM, kK}},
                                            {b.data(), DType::F32, {kK, kN}},
                                            {c.data(), DType::F32, {kM, kN}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  std::vector<double> expected = gemmReference(a, b);
  for (int64_t i = 0; i < kM * kN; ++i)
    ASSERT_NEAR(c[i], expected[i], 1e-5 * (1 + std::abs(expected[i])))
        << "element " << i / kN << ", " << i % kN;
}

TEST_F(NpuEmulatorTest, GemmBF16RoundsItsOutput) {
  func::FuncOp plan = parse(gemmPlan("bf16", "bf16"));
  ASSERT_TRUE(plan);
  std::vector<float> a = randomFloats(kM * kK, -2, 2, 3);
  std::vector<float> b = randomFloats(kK * kN, -2, 2, 4);
  std::vector<uint16_t> a16, b16, c16(kM * kN, 0);
  for (float &v : a) {
    a16.push_back(toBF16(v));
    v = fromBF16(a16.back());
  }
  for (float &v : b) {
    b16.push_back(toBF16(v));
    v = fromBF16(b16.back());
  }
  llvm::Error err =
      npu::emulatePlan(plan, {{a16.data(), DType::BF16, {kM, kK}},
                              {b16.data(), DType::BF16, {kK, kN}},
                              {c16.data(), DType::BF16, {kM, kN}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  std::vector<double> expected = gemmReference(a, b);
  for (int64_t i = 0; i < kM * kN; ++i) {
    // Exact bf16 products summed in f32, then one rounding to bf16.
    float rounded = fromBF16(toBF16(static_cast<float>(expected[i])));
    ASSERT_NEAR(fromBF16(c16[i]), rounded, 1e-2 * (1 + std::abs(rounded)))
        << "element " << i / kN << ", " << i % kN;
  }
}

TEST_F(NpuEmulatorTest, DroppedWaitLetsALoadOverwriteWhatACopyReads) {
  ASSERT_TRUE(parse(gemmPlan("f32", "f32")));
  // Wait 1 is the MTE2 pipe's wait for MTE1 to finish reading an L1 slot.
  dropWait(1);
  func::FuncOp plan = *module->getOps<func::FuncOp>().begin();
  std::vector<float> a(kM * kK, 1), b(kK * kN, 1), c(kM * kN, 0);
  std::string text =
      errorText(npu::emulatePlan(plan, {{a.data(), DType::F32, {kM, kK}},
                                        {b.data(), DType::F32, {kK, kN}},
                                        {c.data(), DType::F32, {kM, kN}}}));
  expectContains(text, "write of L1 'l1_a' [slot 0, rows 0..31, cols 0..15] "
                       "by MTE2 on AIC 0 (moe_npu.load at plan.mlir:");
  expectContains(text, "overwrites data before the read by MTE1 "
                       "(moe_npu.copy at plan.mlir:");
  // A failed run leaves the outputs alone.
  EXPECT_EQ(c[0], 0.0f);
}

TEST_F(NpuEmulatorTest, ArgumentsAreChecked) {
  func::FuncOp plan = parse(gemmPlan("f32", "f32"));
  ASSERT_TRUE(plan);
  std::vector<float> a(kM * kK), b(kK * kN), c(kM * kN);
  std::vector<uint16_t> a16(kM * kK);
  TensorView goodA(a.data(), DType::F32, {kM, kK});
  TensorView goodB(b.data(), DType::F32, {kK, kN});
  TensorView goodC(c.data(), DType::F32, {kM, kN});
  expectContains(errorText(npu::emulatePlan(plan, {goodA, goodB})),
                 "@gemm takes 3 argument(s) (its inputs, then its outputs), "
                 "got 2");
  expectContains(
      errorText(npu::emulatePlan(
          plan, {{a16.data(), DType::BF16, {kM, kK}}, goodB, goodC})),
      "argument 0 of @gemm (memref<?x37xf32, #moe_npu.space<gm>>): the "
      "element type differs, got bf16[50, 37]");
  expectContains(errorText(npu::emulatePlan(
                     plan, {goodA, {b.data(), DType::F32, {kK, 39}}, goodC})),
                 "argument 1 of @gemm (memref<37x40xf32, "
                 "#moe_npu.space<gm>>): dimension 1 must be 40, got f32[37, "
                 "39]");
  expectContains(errorText(npu::emulatePlan(
                     plan, {goodA, goodB, {c.data(), DType::F32, {kM * kN}}})),
                 "argument 2 of @gemm (memref<?x40xf32, "
                 "#moe_npu.space<gm>>): the rank differs, got f32[2000]");
  expectContains(errorText(npu::emulatePlan(
                     plan, {goodA, goodB, {c.data(), DType::F64, {kM, kN}}})),
                 "the element type differs, got f64[50, 40]");
}

//===----------------------------------------------------------------------===//
// Gather loads
//===----------------------------------------------------------------------===//

// Tile rows 0..4 are source rows idx[1], idx[3], ..., idx[9]; the rest zero.
const char *const kGatherPlan = R"mlir(
!x = memref<10x8xf32, #moe_npu.space<gm>>
!idx = memref<12xi32, #moe_npu.space<gm>>
!out = memref<16x8xf32, #moe_npu.space<gm>>
!ub = memref<1x16x8xf32, #moe_npu.space<ub>>
func.func @gather(%x: !x, %idx: !idx, %out: !out) {
  moe_npu.kernel "gather" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c5 = arith.constant 5 : index
    %c16 = arith.constant 16 : index
    %ub = moe_npu.alloc "ub_x" offset = 0 : !ub
    moe_npu.load %x[%c0, %c0] -> %ub[%c0] rows %c5 gather %idx[%c1] stride %c2 : !x, !ub, !idx
    moe_npu.set_flag <mte2> -> <mte3> [%c0]
    moe_npu.wait_flag <mte2> -> <mte3> [%c0]
    moe_npu.store %ub[%c0] -> %out[%c0, %c0] rows %c16 : !ub, !out
  }
  return
}
)mlir";

struct GatherData {
  std::vector<float> x = randomFloats(10 * 8, -1, 1, 5);
  std::vector<int32_t> idx = {0, 3, 0, -1, 0, 9, 0, 0, 0, 3, 0, 0};
  std::vector<float> out = std::vector<float>(16 * 8, 5.0f);
  std::vector<TensorView> views() {
    return {{x.data(), DType::F32, {10, 8}},
            {idx.data(), DType::I32, {12}},
            {out.data(), DType::F32, {16, 8}}};
  }
};

TEST_F(NpuEmulatorTest, GatherLoad) {
  func::FuncOp plan = parse(kGatherPlan);
  ASSERT_TRUE(plan);
  GatherData data;
  llvm::Error err = npu::emulatePlan(plan, data.views());
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  std::vector<int64_t> source = {3, -1, 9, 0, 3};
  for (int64_t r = 0; r < 16; ++r)
    for (int64_t c = 0; c < 8; ++c) {
      int64_t row = r < 5 ? source[r] : -1;
      float expected = row < 0 ? 0.0f : data.x[row * 8 + c];
      EXPECT_EQ(data.out[r * 8 + c], expected) << "row " << r << ", col " << c;
    }
}

TEST_F(NpuEmulatorTest, GatherIndexOutOfRange) {
  func::FuncOp plan = parse(kGatherPlan);
  ASSERT_TRUE(plan);
  GatherData data;
  data.idx[5] = 12;
  expectContains(errorText(npu::emulatePlan(plan, data.views())),
                 "on AIV 0.0: gathered row index 12 (entry 5 of GM argument "
                 "1) is outside the 10 rows of GM argument 0");
  EXPECT_EQ(data.out[0], 5.0f);
}

TEST_F(NpuEmulatorTest, MissingWaitIsARace) {
  ASSERT_TRUE(parse(kGatherPlan));
  dropWait(0);
  func::FuncOp plan = *module->getOps<func::FuncOp>().begin();
  GatherData data;
  std::string text = errorText(npu::emulatePlan(plan, data.views()));
  expectContains(text,
                 "read of UB 'ub_x' [rows 0..15, cols 0..7] by MTE3 on AIV "
                 "0.0 (moe_npu.store at plan.mlir:");
  expectContains(text, ") is not ordered after its write by MTE2 "
                       "(moe_npu.load at plan.mlir:");
  // Without the checks the plan runs (a data race that happens to work).
  GatherData unchecked;
  npu::EmulatorOptions options;
  options.checkOrdering = false;
  std::string rest =
      errorText(npu::emulatePlan(plan, unchecked.views(), options));
  expectContains(rest, "unbalanced sync in kernel 'gather': 1 set_flag MTE2 "
                       "-> MTE3 [event 0] on AIV 0.0 never consumed by a wait");
}

//===----------------------------------------------------------------------===//
// Vector instructions
//===----------------------------------------------------------------------===//

const char *const kRoutePlan = R"mlir(
!l = memref<16x$Exf32, #moe_npu.space<gm>>
!bias = memref<1x$Exf32, #moe_npu.space<gm>>
!w = memref<16x$Kxf32, #moe_npu.space<gm>>
!i = memref<16x$Kxi32, #moe_npu.space<gm>>
!ubl = memref<1x16x$Exf32, #moe_npu.space<ub>>
!ubb = memref<1x1x$Exf32, #moe_npu.space<ub>>
!ubw = memref<1x16x$Kxf32, #moe_npu.space<ub>>
!ubi = memref<1x16x$Kxi32, #moe_npu.space<ub>>
func.func @route(%logits: !l, %bias: !bias, %w: !w, %ids: !i) {
  moe_npu.kernel "route" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %ubl = moe_npu.alloc "ub_logits" offset = 0 : !ubl
    %ubb = moe_npu.alloc "ub_bias" offset = 8192 : !ubb
    %ubw = moe_npu.alloc "ub_w" offset = 16384 : !ubw
    %ubi = moe_npu.alloc "ub_ids" offset = 24576 : !ubi
    moe_npu.load %logits[%c0, %c0] -> %ubl[%c0] rows %c16 : !l, !ubl
    moe_npu.load %bias[%c0, %c0] -> %ubb[%c0] rows %c1 : !bias, !ubb
    moe_npu.set_flag <mte2> -> <v> [%c0]
    moe_npu.wait_flag <mte2> -> <v> [%c0]
    moe_npu.vroute %ubl[%c0] $BIAS -> %ubw, %ubi[%c0] routing $ROUTING : !ubl $TYPEOFBIAS -> !ubw, !ubi
    moe_npu.set_flag <v> -> <mte3> [%c0]
    moe_npu.wait_flag <v> -> <mte3> [%c0]
    moe_npu.store %ubw[%c0] -> %w[%c0, %c0] rows %c16 : !ubw, !w
    moe_npu.store %ubi[%c0] -> %ids[%c0, %c0] rows %c16 : !ubi, !i
  }
  return
}
)mlir";

/// Routes 16 random tokens among `experts` on the emulator and checks ids
/// and weights against reference::route.
void checkRouting(func::FuncOp plan, int64_t experts,
                  const reference::Routing &routing, bool withBias) {
  constexpr int64_t tokens = 16;
  int64_t k = routing.k;
  std::vector<float> logits = randomFloats(tokens * experts, -4, 4, 11);
  std::vector<float> bias = randomFloats(experts, -0.5, 0.5, 12);
  std::vector<float> weights(tokens * k, -1);
  std::vector<int32_t> ids(tokens * k, -1);
  llvm::Error err =
      npu::emulatePlan(plan, {{logits.data(), DType::F32, {tokens, experts}},
                              {bias.data(), DType::F32, {1, experts}},
                              {weights.data(), DType::F32, {tokens, k}},
                              {ids.data(), DType::I32, {tokens, k}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  reference::RouterResult expected =
      reference::route(std::vector<double>(logits.begin(), logits.end()),
                       tokens, experts, routing,
                       withBias ? std::vector<double>(bias.begin(), bias.end())
                                : std::vector<double>());
  for (int64_t i = 0; i < tokens * k; ++i) {
    EXPECT_EQ(ids[i], expected.ids[i])
        << "token " << i / k << ", pick " << i % k;
    EXPECT_NEAR(weights[i], expected.weights[i], 1e-5)
        << "token " << i / k << ", pick " << i % k;
  }
}

TEST_F(NpuEmulatorTest, VRouteSoftmaxTopK) {
  func::FuncOp plan = parse(
      instantiate(kRoutePlan, {{"E", "16"},
                               {"K", "4"},
                               {"BIAS", ""},
                               {"TYPEOFBIAS", ""},
                               {"ROUTING", "<k = 4, norm_topk_prob = true>"}}));
  ASSERT_TRUE(plan);
  reference::Routing routing;
  routing.k = 4;
  routing.normTopkProb = true;
  checkRouting(plan, 16, routing, /*withBias=*/false);
}

TEST_F(NpuEmulatorTest, VRouteSigmoidGroupsAndBias) {
  // DeepSeek-V3's routing, with 64 experts in 8 groups.
  func::FuncOp plan = parse(instantiate(
      kRoutePlan, {{"E", "64"},
                   {"K", "8"},
                   {"BIAS", "bias %ubb[%c0]"},
                   {"TYPEOFBIAS", ", !ubb"},
                   {"ROUTING", "<k = 8, scoring = sigmoid, n_group = 8, "
                               "topk_group = 4, norm_topk_prob = true, "
                               "routed_scaling_factor = 2.5>"}}));
  ASSERT_TRUE(plan);
  reference::Routing routing;
  routing.k = 8;
  routing.scoring = reference::Scoring::Sigmoid;
  routing.nGroup = 8;
  routing.topkGroup = 4;
  routing.normTopkProb = true;
  routing.routedScalingFactor = 2.5;
  checkRouting(plan, 64, routing, /*withBias=*/true);
}

TEST_F(NpuEmulatorTest, VRouteNaNLogitsGiveNaNWeights) {
  func::FuncOp plan = parse(
      instantiate(kRoutePlan, {{"E", "16"},
                               {"K", "4"},
                               {"BIAS", ""},
                               {"TYPEOFBIAS", ""},
                               {"ROUTING", "<k = 4, scoring = sigmoid>"}}));
  ASSERT_TRUE(plan);
  std::vector<float> logits = randomFloats(16 * 16, -4, 4, 13);
  logits[3 * 16 + 5] = std::nanf("");
  std::vector<float> bias(16), weights(16 * 4);
  std::vector<int32_t> ids(16 * 4);
  llvm::Error err =
      npu::emulatePlan(plan, {{logits.data(), DType::F32, {16, 16}},
                              {bias.data(), DType::F32, {1, 16}},
                              {weights.data(), DType::F32, {16, 4}},
                              {ids.data(), DType::I32, {16, 4}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  std::set<int32_t> picked;
  for (int64_t j = 0; j < 4; ++j) {
    EXPECT_TRUE(std::isnan(weights[3 * 4 + j])) << "pick " << j;
    EXPECT_GE(ids[3 * 4 + j], 0);
    EXPECT_LT(ids[3 * 4 + j], 16);
    picked.insert(ids[3 * 4 + j]);
  }
  EXPECT_EQ(picked.size(), 4u) << "the ids of a NaN row stay distinct";
  EXPECT_FALSE(std::isnan(weights[2 * 4])) << "other rows are unaffected";
}

// Gate and up share a two-slot UB buffer; the result is f16.
const char *const kSwigluPlan = R"mlir(
!in = memref<16x64xbf16, #moe_npu.space<gm>>
!h = memref<16x64xf16, #moe_npu.space<gm>>
!ubin = memref<2x16x64xbf16, #moe_npu.space<ub>>
!ubh = memref<1x16x64xf16, #moe_npu.space<ub>>
func.func @swiglu(%g: !in, %u: !in, %h: !h) {
  moe_npu.kernel "swiglu" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %in = moe_npu.alloc "ub_in" offset = 0 : !ubin
    %out = moe_npu.alloc "ub_h" offset = 4096 : !ubh
    moe_npu.load %g[%c0, %c0] -> %in[%c0] rows %c16 : !in, !ubin
    moe_npu.load %u[%c0, %c0] -> %in[%c1] rows %c16 : !in, !ubin
    moe_npu.set_flag <mte2> -> <v> [%c0]
    moe_npu.wait_flag <mte2> -> <v> [%c0]
    moe_npu.vswiglu %in[%c0], %in[%c1] -> %out[%c0] limit = 7.0 : !ubin, !ubin, !ubh
    moe_npu.set_flag <v> -> <mte3> [%c0]
    moe_npu.wait_flag <v> -> <mte3> [%c0]
    moe_npu.store %out[%c0] -> %h[%c0, %c0] rows %c16 : !ubh, !h
  }
  return
}
)mlir";

TEST_F(NpuEmulatorTest, VSwigluWithLimit) {
  func::FuncOp plan = parse(kSwigluPlan);
  ASSERT_TRUE(plan);
  std::vector<uint16_t> g16, u16, h16(16 * 64);
  for (float v : randomFloats(16 * 64, -12, 12, 21))
    g16.push_back(toBF16(v));
  for (float v : randomFloats(16 * 64, -12, 12, 22))
    u16.push_back(toBF16(v));
  llvm::Error err =
      npu::emulatePlan(plan, {{g16.data(), DType::BF16, {16, 64}},
                              {u16.data(), DType::BF16, {16, 64}},
                              {h16.data(), DType::F16, {16, 64}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  for (int64_t i = 0; i < 16 * 64; ++i) {
    double expected =
        reference::swiglu(fromBF16(g16[i]), fromBF16(u16[i]), 7.0);
    ASSERT_NEAR(fromF16(h16[i]), expected, 1e-3 * (1 + std::abs(expected)))
        << "element " << i;
  }
}

const char *const kAxpyPlan = R"mlir(
!x = memref<16x32xbf16, #moe_npu.space<gm>>
!w = memref<16x4xf32, #moe_npu.space<gm>>
!acc = memref<16x32xf32, #moe_npu.space<gm>>
!ubx = memref<1x16x32xbf16, #moe_npu.space<ub>>
!ubw = memref<1x16x4xf32, #moe_npu.space<ub>>
!uba = memref<1x16x32xf32, #moe_npu.space<ub>>
func.func @axpy(%x: !x, %w: !w, %acc: !acc) {
  moe_npu.kernel "axpy" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c16 = arith.constant 16 : index
    %true = arith.constant true
    %false = arith.constant false
    %ubx = moe_npu.alloc "ub_x" offset = 0 : !ubx
    %ubw = moe_npu.alloc "ub_w" offset = 1024 : !ubw
    %uba = moe_npu.alloc "ub_acc" offset = 2048 : !uba
    moe_npu.load %x[%c0, %c0] -> %ubx[%c0] rows %c16 : !x, !ubx
    moe_npu.load %w[%c0, %c0] -> %ubw[%c0] rows %c16 : !w, !ubw
    moe_npu.set_flag <mte2> -> <v> [%c0]
    moe_npu.wait_flag <mte2> -> <v> [%c0]
    moe_npu.vaxpy %ubx[%c0] scale %ubw[%c0] column %c1 -> %uba[%c0] init %true : !ubx, !ubw, !uba
    moe_npu.vaxpy %ubx[%c0] scale %ubw[%c0] column %c3 -> %uba[%c0] init %false : !ubx, !ubw, !uba
    moe_npu.set_flag <v> -> <mte3> [%c0]
    moe_npu.wait_flag <v> -> <mte3> [%c0]
    moe_npu.store %uba[%c0] -> %acc[%c0, %c0] rows %c16 : !uba, !acc
  }
  return
}
)mlir";

TEST_F(NpuEmulatorTest, VAxpyAccumulates) {
  func::FuncOp plan = parse(kAxpyPlan);
  ASSERT_TRUE(plan);
  std::vector<uint16_t> x16;
  for (float v : randomFloats(16 * 32, -3, 3, 31))
    x16.push_back(toBF16(v));
  std::vector<float> w = randomFloats(16 * 4, -1, 1, 32);
  std::vector<float> acc(16 * 32, 9);
  llvm::Error err =
      npu::emulatePlan(plan, {{x16.data(), DType::BF16, {16, 32}},
                              {w.data(), DType::F32, {16, 4}},
                              {acc.data(), DType::F32, {16, 32}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  for (int64_t r = 0; r < 16; ++r)
    for (int64_t c = 0; c < 32; ++c) {
      double x = fromBF16(x16[r * 32 + c]);
      double expected = w[r * 4 + 1] * x + w[r * 4 + 3] * x;
      EXPECT_NEAR(acc[r * 32 + c], expected, 1e-5) << r << ", " << c;
    }
}

//===----------------------------------------------------------------------===//
// Dispatch metadata
//===----------------------------------------------------------------------===//

// Only vector core 0 computes it (scf.if): the other would race on GM.
const char *const kMetadataPlan = R"mlir(
!ids = memref<5x2xi32, #moe_npu.space<gm>>
!list = memref<10xi32, #moe_npu.space<gm>>
!tiles = memref<$Nx3xi32, #moe_npu.space<gm>>
func.func @metadata(%ids: !ids, %tokens: !list, %rows: !list, %tiles: !tiles) {
  moe_npu.kernel "metadata" grid = 1 subblocks = 2 vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %first = arith.cmpi eq, %sub, %c0 : index
    scf.if %first {
      moe_npu.dispatch_metadata %ids -> %tokens, %rows, %tiles experts = 4 tile_rows = 2 : !ids -> !list, !list, !tiles
    }
  }
  return
}
)mlir";

TEST_F(NpuEmulatorTest, DispatchMetadata) {
  func::FuncOp plan = parse(instantiate(kMetadataPlan, {{"N", "9"}}));
  ASSERT_TRUE(plan);
  // Expert 2 gets no token; 7 and -1 are invalid ids.
  std::vector<int32_t> ids = {1, 3, 3, 1, 0, 7, 3, 3, 1, -1};
  std::vector<int32_t> tokens(10, 99), rows(10, 99), tiles(9 * 3, 99);
  llvm::Error err =
      npu::emulatePlan(plan, {{ids.data(), DType::I32, {5, 2}},
                              {tokens.data(), DType::I32, {10}},
                              {rows.data(), DType::I32, {10}},
                              {tiles.data(), DType::I32, {9, 3}}});
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  // Sorted pairs: expert 0: 4; expert 1: 0, 3, 8; expert 3: 1, 2, 6, 7;
  // then the invalid pairs 5 and 9.
  EXPECT_EQ(tokens, (std::vector<int32_t>{2, 0, 1, 4, 0, 1, 3, 3, -1, -1}));
  EXPECT_EQ(rows, (std::vector<int32_t>{1, 4, 5, 2, 0, -1, 6, 7, 3, -1}));
  EXPECT_EQ(tiles,
            (std::vector<int32_t>{0, 0, 1, 1, 1, 2, 1, 3, 1, 3, 4, 2, 3, 6,
                                  2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST_F(NpuEmulatorTest, DispatchMetadataNeedsEnoughTiles) {
  func::FuncOp plan = parse(instantiate(kMetadataPlan, {{"N", "8"}}));
  ASSERT_TRUE(plan);
  std::vector<int32_t> ids(10, 0), tokens(10), rows(10), tiles(8 * 3);
  expectContains(
      errorText(npu::emulatePlan(plan, {{ids.data(), DType::I32, {5, 2}},
                                        {tokens.data(), DType::I32, {10}},
                                        {rows.data(), DType::I32, {10}},
                                        {tiles.data(), DType::I32, {8, 3}}})),
      "on AIV 0.0: GM argument 3 has 8 entries of 3, but 10 pairs "
      "among 4 experts in tiles of 2 rows need 9 entries of 3");
}

// Metadata drives a gather: the counts are read with load_scalar and pick
// the row count through an scf.if with a result. $SPLIT puts the metadata
// in a kernel of its own (a launch orders everything before it) or leaves
// the two in one kernel, where the S pipe's writes and the MTE2 pipe's reads
// are not ordered.
const char *const kMetadataGatherPlan = R"mlir(
!ids = memref<5x2xi32, #moe_npu.space<gm>>
!list = memref<10xi32, #moe_npu.space<gm>>
!tiles = memref<9x3xi32, #moe_npu.space<gm>>
!x = memref<5x8xf32, #moe_npu.space<gm>>
!out = memref<16x8xf32, #moe_npu.space<gm>>
!ub = memref<1x16x8xf32, #moe_npu.space<ub>>
func.func @grouped(%ids: !ids, %x: !x, %tokens: !list, %rows: !list, %tiles: !tiles, %out: !out) {
  moe_npu.kernel "metadata" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):
    moe_npu.dispatch_metadata %ids -> %tokens, %rows, %tiles experts = 4 tile_rows = 2 : !ids -> !list, !list, !tiles
  $SPLIT
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %first = moe_npu.load_scalar %tiles[%c1, %c1] : !tiles
    %count = moe_npu.load_scalar %tiles[%c1, %c2] : !tiles
    %empty = arith.cmpi eq, %count, %c0 : index
    %n = scf.if %empty -> (index) {
      scf.yield %c16 : index
    } else {
      scf.yield %count : index
    }
    %ub = moe_npu.alloc "ub_x" offset = 0 : !ub
    moe_npu.load %x[%c0, %c0] -> %ub[%c0] rows %n gather %tokens[%first] stride %c1 : !x, !ub, !list
    moe_npu.set_flag <mte2> -> <mte3> [%c0]
    moe_npu.wait_flag <mte2> -> <mte3> [%c0]
    moe_npu.store %ub[%c0] -> %out[%c0, %c0] rows %c16 : !ub, !out
  }
  return
}
)mlir";

const char *const kNewKernel = R"mlir(}
  moe_npu.kernel "gather" grid = 1 subblocks = 1 vector {
  ^bb0(%block: index, %sub: index):)mlir";

struct MetadataGatherData {
  std::vector<int32_t> ids = {1, 3, 3, 1, 0, 7, 3, 3, 1, -1};
  std::vector<float> x = randomFloats(5 * 8, -1, 1, 51);
  std::vector<int32_t> tokens = std::vector<int32_t>(10),
                       rows = std::vector<int32_t>(10),
                       tiles = std::vector<int32_t>(9 * 3);
  std::vector<float> out = std::vector<float>(16 * 8, 3);
  std::vector<TensorView> views() {
    return {
        {ids.data(), DType::I32, {5, 2}},   {x.data(), DType::F32, {5, 8}},
        {tokens.data(), DType::I32, {10}},  {rows.data(), DType::I32, {10}},
        {tiles.data(), DType::I32, {9, 3}}, {out.data(), DType::F32, {16, 8}}};
  }
};

TEST_F(NpuEmulatorTest, LoadScalarReadsTheMetadataOfAnEarlierKernel) {
  func::FuncOp plan =
      parse(instantiate(kMetadataGatherPlan, {{"SPLIT", kNewKernel}}));
  ASSERT_TRUE(plan);
  MetadataGatherData data;
  llvm::Error err = npu::emulatePlan(plan, data.views());
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  // Tile 1 is expert 1's rows 1..2: the pairs of tokens 0 and 1.
  for (int64_t r = 0; r < 16; ++r)
    for (int64_t c = 0; c < 8; ++c)
      EXPECT_EQ(data.out[r * 8 + c], r < 2 ? data.x[r * 8 + c] : 0.0f)
          << r << ", " << c;
}

TEST_F(NpuEmulatorTest, ScalarReadsAreOrderedToo) {
  func::FuncOp plan = parse(instantiate(kMetadataGatherPlan, {{"SPLIT", ""}}));
  ASSERT_TRUE(plan);
  MetadataGatherData data;
  // The S pipe wrote the tiles itself; the MTE2 pipe's gather list is the
  // first unordered read.
  expectContains(errorText(npu::emulatePlan(plan, data.views())),
                 "read of GM argument 2 [element 1] by MTE2 on AIV 0.0 "
                 "(moe_npu.load at plan.mlir:26:5) is not ordered after its "
                 "write by S (moe_npu.dispatch_metadata at plan.mlir:11:5)");
}

//===----------------------------------------------------------------------===//
// A mixed kernel: the cube hands GEMM tiles to the vector cores through GM
//===----------------------------------------------------------------------===//

// Two rounds: the cube computes W = A[r] x B into a GM workspace, the two
// vector cores each take half of its rows and write swiglu(W, U) to
// out[r]. sync_block_set/wait order the hand-off both ways (W is reused).
const char *const kMixedPlan = R"mlir(
!a = memref<2x32x16xf32, #moe_npu.space<gm>>
!b = memref<16x32xf32, #moe_npu.space<gm>>
!u = memref<32x32xf32, #moe_npu.space<gm>>
!out = memref<2x32x32xf32, #moe_npu.space<gm>>
!w = memref<32x32xf32, #moe_npu.space<gm>>
!l1a = memref<1x32x16xf32, #moe_npu.space<l1>>
!l1b = memref<1x16x32xf32, #moe_npu.space<l1>>
!l0a = memref<1x32x16xf32, #moe_npu.space<l0a>>
!l0b = memref<1x16x32xf32, #moe_npu.space<l0b>>
!l0c = memref<1x32x32xf32, #moe_npu.space<l0c>>
!ub = memref<1x16x32xf32, #moe_npu.space<ub>>
func.func @mixed(%A: !a, %B: !b, %U: !u, %out: !out) {
  %w = moe_npu.workspace "handoff" : !w
  moe_npu.kernel "mixed" grid = 1 subblocks = 2 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %true = arith.constant true
    %l1a = moe_npu.alloc "l1_a" offset = 0 : !l1a
    %l1b = moe_npu.alloc "l1_b" offset = 2048 : !l1b
    %l0a = moe_npu.alloc "l0a" offset = 0 : !l0a
    %l0b = moe_npu.alloc "l0b" offset = 0 : !l0b
    %l0c = moe_npu.alloc "l0c" offset = 0 : !l0c
    moe_npu.set_flag <mte1> -> <mte2> [%c0]
    moe_npu.set_flag <m> -> <mte1> [%c0]
    moe_npu.set_flag <fix> -> <m> [%c0]
    scf.for %r = %c0 to %c2 step %c1 {
      moe_npu.wait_flag <mte1> -> <mte2> [%c0]
      moe_npu.load %A[%r, %c0, %c0] -> %l1a[%c0] rows %c32 : !a, !l1a
      moe_npu.load %B[%c0, %c0] -> %l1b[%c0] rows %c16 : !b, !l1b
      moe_npu.set_flag <mte2> -> <mte1> [%c0]
      moe_npu.wait_flag <mte2> -> <mte1> [%c0]
      moe_npu.wait_flag <m> -> <mte1> [%c0]
      moe_npu.copy %l1a[%c0] -> %l0a[%c0] : !l1a, !l0a
      moe_npu.copy %l1b[%c0] -> %l0b[%c0] : !l1b, !l0b
      moe_npu.set_flag <mte1> -> <mte2> [%c0]
      moe_npu.set_flag <mte1> -> <m> [%c0]
      moe_npu.wait_flag <mte1> -> <m> [%c0]
      moe_npu.wait_flag <fix> -> <m> [%c0]
      moe_npu.mmad %l0a[%c0], %l0b[%c0] -> %l0c[%c0] init %true : !l0a, !l0b, !l0c
      moe_npu.set_flag <m> -> <mte1> [%c0]
      moe_npu.set_flag <m> -> <fix> [%c0]
      moe_npu.wait_flag <m> -> <fix> [%c0]
      moe_npu.sync_block_wait <fix> [%c1]
      moe_npu.fixpipe %l0c[%c0] -> %w[%c0, %c0] rows %c32 : !l0c, !w
      moe_npu.sync_block_set <fix> [%c0]
      moe_npu.set_flag <fix> -> <m> [%c0]
    }
    moe_npu.sync_block_wait <fix> [%c1]
    moe_npu.wait_flag <mte1> -> <mte2> [%c0]
    moe_npu.wait_flag <m> -> <mte1> [%c0]
    moe_npu.wait_flag <fix> -> <m> [%c0]
  } vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %row = arith.muli %sub, %c16 : index
    %g = moe_npu.alloc "ub_g" offset = 0 : !ub
    %u = moe_npu.alloc "ub_u" offset = 2048 : !ub
    %h = moe_npu.alloc "ub_h" offset = 4096 : !ub
    moe_npu.sync_block_set <mte2> [%c1]
    moe_npu.set_flag <v> -> <mte2> [%c0]
    moe_npu.set_flag <mte3> -> <v> [%c0]
    scf.for %r = %c0 to %c2 step %c1 {
      moe_npu.wait_flag <v> -> <mte2> [%c0]
      moe_npu.sync_block_wait <mte2> [%c0]
      moe_npu.load %w[%row, %c0] -> %g[%c0] rows %c16 : !w, !ub
      moe_npu.load %U[%row, %c0] -> %u[%c0] rows %c16 : !u, !ub
      moe_npu.sync_block_set <mte2> [%c1]
      moe_npu.set_flag <mte2> -> <v> [%c0]
      moe_npu.wait_flag <mte2> -> <v> [%c0]
      moe_npu.wait_flag <mte3> -> <v> [%c0]
      moe_npu.vswiglu %g[%c0], %u[%c0] -> %h[%c0] : !ub, !ub, !ub
      moe_npu.set_flag <v> -> <mte2> [%c0]
      moe_npu.set_flag <v> -> <mte3> [%c0]
      moe_npu.wait_flag <v> -> <mte3> [%c0]
      moe_npu.store %h[%c0] -> %out[%r, %row, %c0] rows %c16 : !ub, !out
      moe_npu.set_flag <mte3> -> <v> [%c0]
    }
    moe_npu.wait_flag <v> -> <mte2> [%c0]
    moe_npu.wait_flag <mte3> -> <v> [%c0]
  }
  return
}
)mlir";

struct MixedData {
  std::vector<float> a = randomFloats(2 * 32 * 16, -1, 1, 41);
  std::vector<float> b = randomFloats(16 * 32, -1, 1, 42);
  std::vector<float> u = randomFloats(32 * 32, -2, 2, 43);
  std::vector<float> out = std::vector<float>(2 * 32 * 32, 0);
  std::vector<TensorView> views() {
    return {{a.data(), DType::F32, {2, 32, 16}},
            {b.data(), DType::F32, {16, 32}},
            {u.data(), DType::F32, {32, 32}},
            {out.data(), DType::F32, {2, 32, 32}}};
  }
};

TEST_F(NpuEmulatorTest, MixedKernelHandsOffThroughAWorkspace) {
  func::FuncOp plan = parse(kMixedPlan);
  ASSERT_TRUE(plan);
  MixedData data;
  llvm::Error err = npu::emulatePlan(plan, data.views());
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t i = 0; i < 32; ++i)
      for (int64_t j = 0; j < 32; ++j) {
        double w = 0;
        for (int64_t k = 0; k < 16; ++k)
          w += double(data.a[(r * 32 + i) * 16 + k]) * data.b[k * 32 + j];
        double expected =
            reference::swiglu(w, data.u[i * 32 + j], std::nullopt);
        ASSERT_NEAR(data.out[(r * 32 + i) * 32 + j], expected,
                    1e-4 * (1 + std::abs(expected)))
            << "round " << r << ", " << i << ", " << j;
      }
}

TEST_F(NpuEmulatorTest, MixedKernelWithoutTheHandOffWait) {
  ASSERT_TRUE(parse(kMixedPlan));
  // The cube's waits come first in the text: 0..6 in its loop, 6 being the
  // cross-core wait for the vector cores to release W.
  dropWait(6);
  func::FuncOp plan = *module->getOps<func::FuncOp>().begin();
  MixedData data;
  std::string text = errorText(npu::emulatePlan(plan, data.views()));
  expectContains(text, "read of GM workspace 'handoff' [rows 0..15, cols "
                       "0..31] by MTE2 on AIV 0.0 (moe_npu.load at plan.mlir:");
  expectContains(text, "is not ordered after its write by FIX on AIC 0 "
                       "(moe_npu.fixpipe at plan.mlir:");
}

/// Records what the interpreter hands a handler.
class RecordingHandler : public npu::InstructionHandler {
public:
  llvm::Error createBuffer(const npu::BufferInfo &info) override {
    names.push_back(info.name + (info.definingOp && !info.owner.isCube()
                                     ? " of " + info.owner.str()
                                     : ""));
    return llvm::Error::success();
  }
  llvm::Error instruction(Operation *op, const npu::CoreRef &core,
                          const npu::OperandValues &) override {
    ++instructions[core.str()];
    return llvm::Error::success();
  }
  llvm::Expected<int64_t> loadScalar(moe_npu::LoadScalarOp,
                                     const npu::CoreRef &,
                                     const npu::OperandValues &) override {
    return 0;
  }
  llvm::Error signal(Operation *, const npu::CoreRef &,
                     uint64_t token) override {
    EXPECT_TRUE(signalled.insert(token).second);
    return llvm::Error::success();
  }
  llvm::Error await(Operation *op, const npu::CoreRef &core,
                    uint64_t token) override {
    EXPECT_EQ(signalled.count(token), 1u) << "awaited before signalled";
    EXPECT_TRUE(awaited.insert(token).second) << "awaited twice";
    if (isa<moe_npu::SyncBlockWaitOp>(op) && core.isCube())
      ++cubeBlockAwaits;
    return llvm::Error::success();
  }

  std::vector<std::string> names;
  std::map<std::string, int> instructions;
  std::set<uint64_t> signalled, awaited;
  int cubeBlockAwaits = 0;
};

TEST_F(NpuEmulatorTest, InterpreterHandsEveryTokenBackOnce) {
  func::FuncOp plan = parse(kMixedPlan);
  ASSERT_TRUE(plan);
  RecordingHandler handler;
  llvm::Error err = npu::interpretPlan(
      plan, {{2, 32, 16}, {16, 32}, {32, 32}, {2, 32, 32}}, handler);
  ASSERT_FALSE(err) << llvm::toString(std::move(err));
  EXPECT_EQ(handler.signalled, handler.awaited);
  // Three cross-core waits of the cube, each consuming one signal of each
  // of the two vector cores.
  EXPECT_EQ(handler.cubeBlockAwaits, 6);
  // Per round: 2 loads, 2 copies, mmad, fixpipe / 2 loads, vswiglu, store.
  EXPECT_EQ(handler.instructions["AIC 0"], 12);
  EXPECT_EQ(handler.instructions["AIV 0.1"], 8);
  EXPECT_EQ(handler.names[4], "GM workspace 'handoff'");
  EXPECT_EQ(handler.names.back(), "UB 'ub_h' of AIV 0.1");
}

//===----------------------------------------------------------------------===//
// Sync errors and other plans that must fail
//===----------------------------------------------------------------------===//

const char *const kSyncPlan = R"mlir(
!gm = memref<16x16xf32, #moe_npu.space<gm>>
func.func @sync(%x: !gm) {
  moe_npu.kernel "k" grid = 1 subblocks = 2 $REGIONS
  return
}
)mlir";

std::string syncPlan(const std::string &regions) {
  return instantiate(kSyncPlan, {{"REGIONS", regions}});
}

std::string runSyncPlan(func::FuncOp plan) {
  std::vector<float> x(16 * 16);
  return errorText(npu::emulatePlan(plan, {{x.data(), DType::F32, {16, 16}}}));
}

TEST_F(NpuEmulatorTest, WaitWithoutSet) {
  func::FuncOp plan = parse(syncPlan(R"mlir(vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    moe_npu.wait_flag <mte2> -> <v> [%c0]
  })mlir"));
  ASSERT_TRUE(plan);
  expectContains(runSyncPlan(plan),
                 "moe_npu.wait_flag at plan.mlir:7:5 on AIV 0.0: no set_flag "
                 "MTE2 -> V [event 0] is pending, so pipe V would wait "
                 "forever");
}

TEST_F(NpuEmulatorTest, SetNeverConsumed) {
  func::FuncOp plan = parse(syncPlan(R"mlir(vector {
  ^bb0(%block: index, %sub: index):
    %c1 = arith.constant 1 : index
    moe_npu.set_flag <mte2> -> <v> [%c1]
    moe_npu.set_flag <mte2> -> <v> [%c1]
    moe_npu.wait_flag <mte2> -> <v> [%c1]
  })mlir"));
  ASSERT_TRUE(plan);
  expectContains(runSyncPlan(plan),
                 "unbalanced sync in kernel 'k': 1 set_flag MTE2 -> V [event "
                 "1] on AIV 0.0 never consumed by a wait (last raised by "
                 "moe_npu.set_flag at plan.mlir:8:5)");
}

TEST_F(NpuEmulatorTest, CrossCoreDeadlock) {
  func::FuncOp plan = parse(syncPlan(R"mlir(cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    moe_npu.sync_block_wait <fix> [%c0]
    moe_npu.sync_block_set <fix> [%c1]
  } vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    moe_npu.sync_block_wait <mte2> [%c1]
    moe_npu.sync_block_set <mte2> [%c0]
  })mlir"));
  ASSERT_TRUE(plan);
  std::string text = runSyncPlan(plan);
  expectContains(text, "deadlock in kernel 'k': every unfinished core waits "
                       "for a cross-core flag no core can raise any more:");
  expectContains(text, "\n  AIC 0 blocked on moe_npu.sync_block_wait at "
                       "plan.mlir:8:5 (flag 0), waiting for AIV 0.0, AIV 0.1");
  expectContains(text, "\n  AIV 0.1 blocked on moe_npu.sync_block_wait at "
                       "plan.mlir:14:5 (flag 1), waiting for AIC 0");
}

TEST_F(NpuEmulatorTest, CrossCoreSyncNeedsTheOtherRegion) {
  func::FuncOp plan = parse(syncPlan(R"mlir(vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    moe_npu.sync_block_set <mte3> [%c0]
  })mlir"));
  ASSERT_TRUE(plan);
  expectContains(runSyncPlan(plan),
                 "on AIV 0.0: kernel 'k' has no cube region, so no core is on "
                 "the other side of this cross-core sync");
}

TEST_F(NpuEmulatorTest, EventIdsStayInTheTargetsBudget) {
  ASSERT_TRUE(parse(syncPlan(R"mlir(vector {
  ^bb0(%block: index, %sub: index):
    %c8 = arith.constant 8 : index
    moe_npu.set_flag <mte2> -> <v> [%c8]
    moe_npu.wait_flag <mte2> -> <v> [%c8]
  })mlir")));
  setTarget("ascend-910b");
  func::FuncOp plan = *module->getOps<func::FuncOp>().begin();
  expectContains(runSyncPlan(plan),
                 "moe_npu.set_flag at plan.mlir:7:5 on AIV 0.0: event id 8 is "
                 "outside the 8 event ids of target 'ascend-910b'");
}

TEST_F(NpuEmulatorTest, UnknownOpsAreNamed) {
  func::FuncOp plan = parse(syncPlan(R"mlir(vector {
  ^bb0(%block: index, %sub: index):
    %m = memref.alloc() : memref<4xf32>
  })mlir"));
  ASSERT_TRUE(plan);
  expectContains(runSyncPlan(plan),
                 "memref.alloc at plan.mlir:6:10 on AIV 0.0: the plan "
                 "interpreter cannot run 'memref.alloc'");
}

TEST_F(NpuEmulatorTest, FractalTilesMustBeWhole) {
  func::FuncOp plan = parse(syncPlan(R"mlir(cube {
  ^bb0(%block: index):
    %l1 = moe_npu.alloc "l1_odd" offset = 0 : memref<1x20x16xf32, #moe_npu.space<l1>>
  })mlir"));
  ASSERT_TRUE(plan);
  expectContains(runSyncPlan(plan),
                 "moe_npu.alloc at plan.mlir:6:11: L1 'l1_odd': a tile of "
                 "20x16 f32 is not a whole number of 16x8 fractals");
}

TEST_F(NpuEmulatorTest, LoopCarriedValuesAreRejected) {
  func::FuncOp plan = parse(syncPlan(R"mlir(vector {
  ^bb0(%block: index, %sub: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %sum = scf.for %i = %c0 to %c1 step %c1 iter_args(%acc = %c0) -> (index) {
      scf.yield %acc : index
    }
  })mlir"));
  ASSERT_TRUE(plan);
  expectContains(runSyncPlan(plan),
                 "scf.for with loop-carried values (iter_args) is not "
                 "supported by the plan interpreter");
}

} // namespace
