//===- NpuCostModelTest.cpp - the NPU cost model against arithmetic -------===//
//
// A plain bf16 GEMM plan (bm x bn output tiles dealt round-robin to the
// blocks, K in steps of bk, L1 and L0A/L0B double-buffered, one L0C tile)
// is timed by the cost model and, independently, by the target's
// peak/bandwidth arithmetic: the cube time is fractal multiplies over the
// clock, the load time bytes over the core's share of GM bandwidth plus a
// burst per load. The estimate must equal the larger of the two within the
// fill and drain of the tile pipeline.
//
//===----------------------------------------------------------------------===//

#include "moec/NPU/CostModel.h"
#include "moec/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "GemmPlanText.h"

#include "gtest/gtest.h"

#include <string>

using namespace mlir;
using namespace moec;
using namespace moec::npu;

namespace {

struct Gemm {
  int64_t m, n, k, bm, bn, bk, grid;
};

/// The shared GEMM plan (bf16 in, bf16 out) for `g`.
std::string gemmPlan(const Gemm &g) {
  test::GemmPlanShape shape;
  shape.m = g.m, shape.n = g.n, shape.k = g.k;
  shape.bm = g.bm, shape.bn = g.bn, shape.bk = g.bk, shape.grid = g.grid;
  shape.element = shape.result = "bf16";
  return test::gemmPlanText(shape);
}

/// The target's arithmetic for block 0 of the GEMM, in µs.
struct Arithmetic {
  double cube;  ///< fractal multiplies / clock
  double loads; ///< A and B bytes / (GM bandwidth / grid) + bursts
  double flops; ///< of the whole grid, block 0's work
};

Arithmetic arithmetic(const Gemm &g, const TargetDesc &target,
                      const CostParams &params) {
  int64_t tiles = (g.m / g.bm) * (g.n / g.bn);
  int64_t blockTiles = (tiles + g.grid - 1) / g.grid;
  int64_t steps = blockTiles * (g.k / g.bk);
  const MatrixMode &mode = *target.matrixMode("bf16");
  double clockPerUs = target.clockGHz * 1e3;
  double fractalCycles = double(g.bm / mode.m0) * (g.bk / mode.k0) *
                         (g.bn / mode.n0) * mode.m0 * mode.k0 * mode.n0 /
                         mode.macsPerCycle;
  double shareBytesPerUs = target.level("GM")->bandwidthGBs * 1e3 / g.grid;
  double stepBytes = double(g.bm * g.bk + g.bk * g.bn) * 2;
  Arithmetic a;
  a.cube = steps * fractalCycles / clockPerUs;
  a.loads = steps *
            (stepBytes / shareBytesPerUs + 2 * params.burstCycles / clockPerUs);
  a.flops = 2.0 * steps * g.bm * g.bn * g.bk * g.grid;
  return a;
}

class NpuCostModelTest : public ::testing::Test {
protected:
  NpuCostModelTest() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    moec::registerAllDialects(registry);
    return registry;
  }

  PlanEstimate estimate(const Gemm &g, const TargetDesc &target) {
    module = parseSourceString<ModuleOp>(gemmPlan(g), &context);
    EXPECT_TRUE(module);
    auto plan = module->lookupSymbol<func::FuncOp>("gemm");
    llvm::Expected<PlanEstimate> result =
        estimatePlan(plan, target, /*tokens=*/1, params);
    if (!result) {
      ADD_FAILURE() << llvm::toString(result.takeError());
      return {};
    }
    EXPECT_EQ(result->kernels.size(), 1u);
    return *result;
  }

  static TargetDesc target(llvm::StringRef spec) {
    llvm::Expected<TargetDesc> t = resolveTarget(spec);
    EXPECT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    return *t;
  }

  static double busy(const KernelEstimate &k, mlir::moe_npu::Pipe pipe) {
    return k.busy[static_cast<unsigned>(pipe)].us;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  CostParams params;
};

using mlir::moe_npu::Pipe;

// 4096^3 on all 24 cube cores with GM fast enough for the cube (as when the
// operands are re-read from L2): 128x256 tiles give a core 85 FLOPs per
// byte, which 1600 GB/s shared by 24 cores cannot feed.
TEST_F(NpuCostModelTest, LargeGemmRunsAtCubePeak) {
  Gemm g{4096, 4096, 4096, 128, 256, 64, 24};
  TargetDesc t = target("ascend-910b:gm-bw=6000");
  KernelEstimate k = estimate(g, t).kernels.front();
  Arithmetic a = arithmetic(g, t, params);
  EXPECT_NEAR(busy(k, Pipe::m), a.cube, 1e-6 * a.cube);
  EXPECT_NEAR(busy(k, Pipe::mte2), a.loads, 1e-6 * a.loads);
  EXPECT_EQ(k.bound, Pipe::m);
  EXPECT_DOUBLE_EQ(k.flops, a.flops);
  // Block 0's cube time is the chip's peak arithmetic for block 0's work.
  EXPECT_NEAR(k.computeUs, a.cube, 1e-6 * a.cube);
  // Fill (the first loads and copies) and drain (FixPipe after each tile,
  // with one L0C buffer) only add a few percent.
  EXPECT_GE(k.estimateUs, a.cube);
  EXPECT_LE(k.estimateUs, 1.05 * a.cube);
  std::printf("4096^3 bf16, gm-bw=6000: estimate %.3f us, cube arithmetic "
              "%.3f us (+%.2f%%)\n",
              k.estimateUs, a.cube, 100 * (k.estimateUs / a.cube - 1));
}

// The same GEMM on the stock 910B: the loads bound it.
TEST_F(NpuCostModelTest, LargeGemmOnStockBandwidthIsBoundByLoads) {
  Gemm g{4096, 4096, 4096, 128, 256, 64, 24};
  TargetDesc t = target("ascend-910b");
  KernelEstimate k = estimate(g, t).kernels.front();
  Arithmetic a = arithmetic(g, t, params);
  EXPECT_EQ(k.bound, Pipe::mte2);
  EXPECT_NEAR(busy(k, Pipe::mte2), a.loads, 1e-6 * a.loads);
  EXPECT_GE(k.estimateUs, a.loads);
  EXPECT_LE(k.estimateUs, 1.02 * a.loads);
  std::printf("4096^3 bf16, stock: estimate %.3f us, load arithmetic %.3f us "
              "(+%.2f%%), cube %.3f us\n",
              k.estimateUs, a.loads, 100 * (k.estimateUs / a.loads - 1),
              a.cube);
}

// A decode-sized GEMM (16 rows): every B tile is loaded for 16 rows of
// work, so MTE2 bounds it and the cube idles.
TEST_F(NpuCostModelTest, SmallMGemmIsBoundByLoads) {
  Gemm g{16, 4096, 4096, 16, 256, 64, 16};
  TargetDesc t = target("ascend-910b");
  KernelEstimate k = estimate(g, t).kernels.front();
  Arithmetic a = arithmetic(g, t, params);
  EXPECT_EQ(k.bound, Pipe::mte2);
  EXPECT_NEAR(busy(k, Pipe::mte2), a.loads, 1e-6 * a.loads);
  EXPECT_LT(busy(k, Pipe::m), 0.2 * a.loads);
  EXPECT_GE(k.estimateUs, a.loads);
  EXPECT_LE(k.estimateUs, 1.03 * a.loads);
  // Memory-bound against the roofline too: GM bytes over the bandwidth.
  EXPECT_GT(k.memoryUs, k.computeUs);
  std::printf("16x4096x4096 bf16: estimate %.3f us, load arithmetic %.3f us "
              "(+%.2f%%), roofline %.3f us\n",
              k.estimateUs, a.loads, 100 * (k.estimateUs / a.loads - 1),
              k.rooflineUs());
}

TEST_F(NpuCostModelTest, MissingBandwidthIsAnError) {
  Gemm g{128, 256, 128, 128, 256, 64, 1};
  TargetDesc t = target("ascend-910b");
  t.memory[1].bandwidthGBs = 0; // L1
  module = parseSourceString<ModuleOp>(gemmPlan(g), &context);
  ASSERT_TRUE(module);
  llvm::Expected<PlanEstimate> result =
      estimatePlan(module->lookupSymbol<func::FuncOp>("gemm"), t, /*tokens=*/1);
  ASSERT_FALSE(static_cast<bool>(result));
  std::string message = llvm::toString(result.takeError());
  EXPECT_NE(message.find("needs the bandwidth of L1, which target "
                         "'ascend-910b' does not give (set l1-bw)"),
            std::string::npos)
      << message;
}

} // namespace
