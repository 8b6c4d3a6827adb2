//===- NpuPlanSyncTest.cpp - the flags of a planned layer are all needed --===//
//
// A layer planned by --moe-npu-pipeline runs clean on the emulator; with any
// one of its waits deleted (--moe-npu-drop-sync) the emulator must refuse
// it: a read or overwrite no longer ordered after the access it depends on,
// or a flag left set when the kernel ends.
//
//===----------------------------------------------------------------------===//

#include "moec/Codegen/Passes.h"
#include "moec/Dialect/MoENpu/MoENpuOps.h"
#include "moec/NPU/Emulator.h"
#include "moec/Pipelines/NPUPipeline.h"
#include "moec/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace moec;

namespace {

// Routed and shared experts, so every kernel kind of the plan is present.
constexpr const char *kLayer = R"mlir(
func.func @moe_layer(%x: tensor<?x32xf32>, %router: tensor<32x8xf32>,
                     %w_gate: tensor<8x32x32xf32>, %w_up: tensor<8x32x32xf32>,
                     %w_down: tensor<8x32x32xf32>, %s_gate: tensor<32x32xf32>,
                     %s_up: tensor<32x32xf32>, %s_down: tensor<32x32xf32>)
    -> tensor<?x32xf32> {
  %y = moe.layer %x router %router experts %w_gate, %w_up, %w_down
      shared %s_gate, %s_up, %s_down routing <k = 2>
      : (tensor<?x32xf32>, tensor<32x8xf32>, tensor<8x32x32xf32>,
         tensor<8x32x32xf32>, tensor<8x32x32xf32>, tensor<32x32xf32>,
         tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
)mlir";

class PlannedLayer : public ::testing::Test {
protected:
  void SetUp() override {
    DialectRegistry registry;
    moec::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    module = parseSourceString<ModuleOp>(kLayer, &context);
    ASSERT_TRUE(module);
    PassManager pm(&context);
    NPUPipelineOptions options;
    options.target = "ascend-910b";
    buildNPUPipeline(pm, options);
    ASSERT_TRUE(succeeded(pm.run(*module)));
    // Deterministic inputs; the out-parameter last.
    for (func::FuncOp plan : module->getOps<func::FuncOp>())
      for (Type type : plan.getArgumentTypes()) {
        auto memref = cast<MemRefType>(type);
        std::vector<int64_t> shape(memref.getShape());
        if (ShapedType::isDynamic(shape[0]))
          shape[0] = kTokens;
        int64_t count = 1;
        for (int64_t dim : shape)
          count *= dim;
        std::vector<float> &data = storage.emplace_back(count);
        for (int64_t i = 0; i < count; ++i)
          data[i] = float((i * 37 + storage.size() * 11) % 29) / 29.0f - 0.5f;
        shapes.push_back(shape);
      }
  }

  /// Emulates a copy of the plan with wait `index` dropped (or none for -1).
  llvm::Error run(int64_t index) {
    OwningOpRef<ModuleOp> copy(module->clone());
    if (index >= 0) {
      PassManager pm(&context);
      pm.addPass(mlir::moe::createMoENpuDropSync({index}));
      if (failed(pm.run(*copy)))
        return llvm::createStringError("drop-sync failed");
    }
    std::vector<TensorView> views;
    for (auto [data, shape] : llvm::zip(storage, shapes))
      views.emplace_back(data.data(), DType::F32, shape);
    auto plan = *copy->getOps<func::FuncOp>().begin();
    return npu::emulatePlan(plan, views);
  }

  int64_t countWaits() {
    int64_t waits = 0;
    module->walk([&](Operation *op) {
      waits += isa<moe_npu::WaitFlagOp, moe_npu::SyncBlockWaitOp>(op);
    });
    return waits;
  }

  static constexpr int64_t kTokens = 5;
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::vector<std::vector<float>> storage;
  std::vector<std::vector<int64_t>> shapes;
};

TEST_F(PlannedLayer, RunsClean) {
  llvm::Error err = run(-1);
  EXPECT_FALSE(static_cast<bool>(err)) << llvm::toString(std::move(err));
}

TEST_F(PlannedLayer, EveryDroppedWaitIsCaught) {
  int64_t waits = countWaits();
  ASSERT_GT(waits, 20);
  int64_t races = 0;
  for (int64_t index = 0; index < waits; ++index) {
    llvm::Error err = run(index);
    ASSERT_TRUE(static_cast<bool>(err))
        << "wait " << index << " of " << waits << " can be dropped unnoticed";
    std::string error = llvm::toString(std::move(err));
    bool race = error.find("not ordered") != std::string::npos;
    // With a handful of tokens most loops run once or twice, so a dropped
    // "slot free" wait often guards nothing yet; the set it would have
    // consumed is then left over when the kernel ends.
    bool unbalanced = error.find("unbalanced sync") != std::string::npos;
    EXPECT_TRUE(race || unbalanced) << "wait " << index << ": " << error;
    races += race;
  }
  EXPECT_GE(races, 20) << races << " of " << waits;
}

TEST_F(PlannedLayer, DroppedWaitBeforeMmadNamesTheRace) {
  // The first wait of M for MTE1 guards the mmad's read of L0A.
  int64_t index = 0, found = -1;
  module->walk([&](Operation *op) {
    if (auto wait = dyn_cast<moe_npu::WaitFlagOp>(op)) {
      if (found < 0 && wait.getSrc() == moe_npu::Pipe::mte1 &&
          wait.getDst() == moe_npu::Pipe::m)
        found = index;
      ++index;
    } else if (isa<moe_npu::SyncBlockWaitOp>(op)) {
      ++index;
    }
  });
  ASSERT_GE(found, 0);
  llvm::Error err = run(found);
  ASSERT_TRUE(static_cast<bool>(err));
  std::string error = llvm::toString(std::move(err));
  EXPECT_NE(error.find("not ordered"), std::string::npos) << error;
  EXPECT_NE(error.find("mmad"), std::string::npos) << error;
}

} // namespace
