//===- LayerBuildTest.cpp - build and decompose moe.layer from C++ --------===//

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Model/LayerBuilder.h"
#include "moec/Registration.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {

class LayerBuildTest : public ::testing::Test {
protected:
  LayerBuildTest() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    moec::registerAllDialects(registry);
    return registry;
  }

  /// A function holding one moe.layer built with the ODS-generated builder:
  /// H = 16, E = 8, I = 4, optional shared experts of width 4 and a bias.
  OwningOpRef<ModuleOp> buildLayer(bool shared, int64_t wUpHidden = 16) {
    OpBuilder b(&context);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    Type f32 = b.getF32Type();
    auto t = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, f32);
    };
    int64_t dyn = ShapedType::kDynamic;
    SmallVector<Type> args = {t({dyn, 16}),  t({16, 8}),
                              t({8, 16, 4}), t({8, wUpHidden, 4}),
                              t({8, 4, 16}), t({8})};
    if (shared)
      args.append({t({16, 4}), t({16, 4}), t({4, 16})});
    auto fn = func::FuncOp::create(b, loc, "layer",
                                   b.getFunctionType(args, t({dyn, 16})));
    Block *body = fn.addEntryBlock();
    b.setInsertionPointToStart(body);
    auto routing = moe::RoutingAttr::get(
        &context, /*k=*/2, moe::ScoringFunc::sigmoid,
        /*nGroup=*/4, /*topkGroup=*/2, moe::GroupScore::top2_sum,
        /*normTopkProb=*/true, 2.5);
    ValueRange a = body->getArguments();
    auto layer =
        moe::LayerOp::create(b, loc, t({dyn, 16}), a[0], a[1], a[2], a[3], a[4],
                             shared ? a[6] : Value(), shared ? a[7] : Value(),
                             shared ? a[8] : Value(), /*bias=*/a[5], Value(),
                             Value(), routing, b.getF64FloatAttr(10.0));
    func::ReturnOp::create(b, loc, layer.getResult());
    return module;
  }

  template <typename OpTy> static int count(ModuleOp module) {
    int n = 0;
    module.walk([&](OpTy) { ++n; });
    return n;
  }

  MLIRContext context;
};

TEST_F(LayerBuildTest, GeneratedBuilderProducesVerifiedLayer) {
  OwningOpRef<ModuleOp> module = buildLayer(/*shared=*/true);
  ASSERT_TRUE(succeeded(verify(*module)));
  EXPECT_EQ(count<moe::LayerOp>(*module), 1);
}

TEST_F(LayerBuildTest, VerifierNamesTheMismatchedOperand) {
  OwningOpRef<ModuleOp> module = buildLayer(/*shared=*/false, /*wUpHidden=*/12);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_EQ(message, "'moe.layer' op expected w_up dim 1 (hidden) to be 16 to "
                     "match x, got 12");
}

TEST_F(LayerBuildTest, DecompositionProducesComponentOps) {
  for (bool shared : {false, true}) {
    SCOPED_TRACE(shared ? "with shared experts" : "routed experts only");
    OwningOpRef<ModuleOp> module = buildLayer(shared);
    PassManager pm(&context);
    pm.addPass(moe::createMoEDecomposeLayer());
    ASSERT_TRUE(succeeded(pm.run(*module)));
    ASSERT_TRUE(succeeded(verify(*module)));

    EXPECT_EQ(count<moe::LayerOp>(*module), 0);
    EXPECT_EQ(count<moe::RouterOp>(*module), 1);
    EXPECT_EQ(count<moe::DispatchOp>(*module), 1);
    EXPECT_EQ(count<moe::GroupedMatmulOp>(*module), 3);
    EXPECT_EQ(count<moe::CombineOp>(*module), 1);
    EXPECT_EQ(count<moe::SwigluOp>(*module), shared ? 2 : 1);
    EXPECT_EQ(count<linalg::MatmulOp>(*module), shared ? 4 : 1);
    EXPECT_EQ(count<linalg::AddOp>(*module), shared ? 1 : 0);

    moe::RouterOp router;
    module->walk([&](moe::RouterOp op) { router = op; });
    EXPECT_EQ(router.getRouting().getK(), 2);
    EXPECT_EQ(router.getRouting().getNGroup(), 4);
    EXPECT_EQ(router.getRouting().getScale(), 2.5);
    EXPECT_TRUE(router.getBias() != nullptr);
    moe::DispatchOp dispatch;
    module->walk([&](moe::DispatchOp op) { dispatch = op; });
    EXPECT_EQ(dispatch.getNumExperts(), 8u);
    // The grouped GEMMs consume the dispatch's offsets.
    module->walk([&](moe::GroupedMatmulOp op) {
      EXPECT_EQ(op.getOffsets(), dispatch.getOffsets());
    });
  }
}

/// H = 32, I = 8, k = 2 and `experts` routed experts, defaults otherwise.
moec::MoELayerConfig smallConfig(int64_t experts) {
  moec::MoELayerConfig config;
  config.hidden = 32;
  config.intermediate = 8;
  config.numExperts = experts;
  config.topK = 2;
  return config;
}

TEST_F(LayerBuildTest, ConfigBuilderMatchesExampleSignature) {
  moec::MoELayerConfig config = smallConfig(/*experts=*/4);
  config.numSharedExperts = 2;
  config.selectionBias = true;
  config.scoring = moec::Scoring::SqrtSoftplus;
  config.normTopkProb = true;
  config.routedScalingFactor = 1.5;
  config.swigluLimit = 10.0;
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      moec::buildLayerModule(context, config);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  auto fn = (**module).lookupSymbol<func::FuncOp>("moe_layer");
  ASSERT_TRUE(fn);
  // x, router_w, w_gate, w_up, w_down, 3 shared weights, bias.
  EXPECT_EQ(fn.getNumArguments(), 9u);
  auto shared = cast<RankedTensorType>(fn.getArgumentTypes()[5]);
  EXPECT_EQ(shared.getShape(), ArrayRef<int64_t>({32, 16}));
}

TEST_F(LayerBuildTest, ConfigBuilderReportsRoutingErrors) {
  moec::MoELayerConfig config = smallConfig(/*experts=*/8);
  config.nGroup = 3;
  config.topkGroup = 1;
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      moec::buildLayerModule(context, config);
  ASSERT_FALSE(static_cast<bool>(module));
  EXPECT_EQ(llvm::toString(module.takeError()),
            "'moe.layer' op routing n_group = 3 must divide the number of "
            "experts (8)");
}

// buildLayerFunction maps the config's enums onto the dialect's by name.
TEST(LayerConfigTest, EnumeratorsSpellTheDialectKeywords) {
  for (moec::Scoring scoring : {moec::Scoring::Softmax, moec::Scoring::Sigmoid,
                                moec::Scoring::SqrtSoftplus})
    EXPECT_TRUE(moe::symbolizeScoringFunc(moec::toString(scoring)))
        << moec::toString(scoring).str();
  for (moec::GroupScore score :
       {moec::GroupScore::Top2Sum, moec::GroupScore::Max})
    EXPECT_TRUE(moe::symbolizeGroupScore(moec::toString(score)))
        << moec::toString(score).str();
  for (moec::ElementType type :
       {moec::ElementType::F32, moec::ElementType::F16, moec::ElementType::BF16,
        moec::ElementType::F64})
    EXPECT_EQ(moec::parseElementType(moec::toString(type)), type);
  EXPECT_FALSE(moec::parseElementType("f8"));
}

} // namespace
