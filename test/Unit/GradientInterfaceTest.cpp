//===- GradientInterfaceTest.cpp - moe GradientOpInterface ----------------===//
//
// emitAdjoint called through the interface, as --moe-grad will call it.
//
//===----------------------------------------------------------------------===//

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {

DialectRegistry makeRegistry() {
  DialectRegistry registry;
  moec::registerAllDialects(registry);
  return registry;
}

constexpr const char *kSource = R"mlir(
func.func @f(%g: tensor<4x8xf32>, %u: tensor<4x8xf32>, %dh: tensor<4x8xf32>,
             %gu: tensor<4x16xf32>, %dh2: tensor<4x8xf32>) {
  %h = moe.swiglu %g, %u limit = 3.0
      : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %h2 = moe.swiglu %gu : tensor<4x16xf32> -> tensor<4x8xf32>
  return
}
)mlir";

TEST(GradientInterface, SwigluEmitsSwigluGrad) {
  MLIRContext context(makeRegistry());
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kSource, &context);
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  SmallVector<moe::SwigluOp> swiglus(func.getOps<moe::SwigluOp>());
  ASSERT_EQ(swiglus.size(), 2u);

  // Two-operand form: one moe.swiglu_grad after the op, with the limit.
  auto iface = cast<moe::GradientOpInterface>(swiglus[0].getOperation());
  OpBuilder b(&context);
  b.setInsertionPointAfter(swiglus[0]);
  Value dh = func.getArgument(2);
  FailureOr<SmallVector<Value>> cotangents = iface.emitAdjoint(b, {dh});
  ASSERT_TRUE(succeeded(cotangents));
  ASSERT_EQ(cotangents->size(), 2u);
  auto grad = (*cotangents)[0].getDefiningOp<moe::SwigluGradOp>();
  ASSERT_TRUE(grad);
  EXPECT_EQ((*cotangents)[0], grad.getDgate());
  EXPECT_EQ((*cotangents)[1], grad.getDup());
  EXPECT_EQ(grad.getGate(), swiglus[0].getGate());
  EXPECT_EQ(grad.getUp(), swiglus[0].getUp());
  EXPECT_EQ(grad.getDh(), dh);
  EXPECT_EQ(grad.getLimitAttr(), swiglus[0].getLimitAttr());
  EXPECT_EQ(swiglus[0]->getNextNode(), grad.getOperation());
  EXPECT_TRUE(succeeded(grad.verify()));

  // No result cotangent: no gradient, nothing emitted.
  FailureOr<SmallVector<Value>> none = iface.emitAdjoint(b, {Value()});
  ASSERT_TRUE(succeeded(none));
  EXPECT_EQ(none->size(), 2u);
  EXPECT_FALSE((*none)[0] || (*none)[1]);

  // The fused form has no adjoint yet: a failure with an error.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto fused = cast<moe::GradientOpInterface>(swiglus[1].getOperation());
  b.setInsertionPointAfter(swiglus[1]);
  EXPECT_TRUE(failed(fused.emitAdjoint(b, {func.getArgument(4)})));
  EXPECT_NE(message.find("fused single-operand form"), std::string::npos)
      << message;
}

constexpr const char *kCombineSource = R"mlir(
func.func @f(%ys: tensor<?x16xbf16>, %perm: tensor<?xi32>, %w: tensor<?x2xf32>,
             %dy: tensor<?x16xbf16>, %dy_f32: tensor<?x16xf32>) {
  %y = moe.combine %ys, %perm, %w
      : tensor<?x16xbf16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x16xbf16>
  return
}
)mlir";

TEST(GradientInterface, CombineEmitsCombineGrad) {
  MLIRContext context(makeRegistry());
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kCombineSource, &context);
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  auto combine = *func.getOps<moe::CombineOp>().begin();

  // One moe.combine_grad after the op; cotangents for expert_out and
  // weights, in their own types, none for perm.
  auto iface = cast<moe::GradientOpInterface>(combine.getOperation());
  OpBuilder b(&context);
  b.setInsertionPointAfter(combine);
  Value dy = func.getArgument(3);
  FailureOr<SmallVector<Value>> cotangents = iface.emitAdjoint(b, {dy});
  ASSERT_TRUE(succeeded(cotangents));
  ASSERT_EQ(cotangents->size(), 3u);
  auto grad = (*cotangents)[0].getDefiningOp<moe::CombineGradOp>();
  ASSERT_TRUE(grad);
  EXPECT_EQ((*cotangents)[0], grad.getDExpertOut());
  EXPECT_FALSE((*cotangents)[1]);
  EXPECT_EQ((*cotangents)[2], grad.getDWeights());
  EXPECT_EQ(grad.getExpertOut(), combine.getExpertOut());
  EXPECT_EQ(grad.getPerm(), combine.getPerm());
  EXPECT_EQ(grad.getWeights(), combine.getWeights());
  EXPECT_EQ(grad.getDy(), dy);
  EXPECT_EQ(grad.getDExpertOut().getType(), combine.getExpertOut().getType());
  EXPECT_EQ(grad.getDWeights().getType(), combine.getWeights().getType());
  EXPECT_EQ(combine->getNextNode(), grad.getOperation());
  EXPECT_TRUE(succeeded(grad.verify()));

  // No result cotangent: no gradient, nothing emitted.
  FailureOr<SmallVector<Value>> none = iface.emitAdjoint(b, {Value()});
  ASSERT_TRUE(succeeded(none));
  EXPECT_EQ(none->size(), 3u);
  EXPECT_FALSE((*none)[0] || (*none)[1] || (*none)[2]);

  // A cotangent of the wrong type (or count) fails with an error.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(iface.emitAdjoint(b, {func.getArgument(4)})));
  EXPECT_NE(message.find("expected the result cotangent to have the result's "
                         "type"),
            std::string::npos)
      << message;
  EXPECT_TRUE(failed(iface.emitAdjoint(b, {dy, dy})));
  EXPECT_NE(message.find("expected 1 result cotangent, got 2"),
            std::string::npos)
      << message;
  // Only the one moe.combine_grad was emitted.
  EXPECT_EQ(std::distance(func.getOps<moe::CombineGradOp>().begin(),
                          func.getOps<moe::CombineGradOp>().end()),
            1);
}

constexpr const char *kRouterSource = R"mlir(
func.func @f(%logits: tensor<?x16xbf16>, %bias: tensor<16xf32>,
             %dw: tensor<?x4xbf16>, %dw_f32: tensor<?x4xf32>,
             %tokens: tensor<?xi32>, %table: tensor<7x4xi32>) {
  %w, %ids = moe.router %logits bias %bias
      routing <k = 4, scoring = sigmoid, n_group = 4, topk_group = 2,
               norm_topk_prob = true, routed_scaling_factor = 2.5>
      : (tensor<?x16xbf16>, tensor<16xf32>)
      -> (tensor<?x4xbf16>, tensor<?x4xi32>)
  %hw, %hids = moe.router %logits hash(%tokens, %table)
      routing <k = 4, scoring = sqrtsoftplus, norm_topk_prob = true>
      : (tensor<?x16xbf16>, tensor<?xi32>, tensor<7x4xi32>)
      -> (tensor<?x4xbf16>, tensor<?x4xi64>)
  return
}
)mlir";

TEST(GradientInterface, RouterEmitsRouterGrad) {
  MLIRContext context(makeRegistry());
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kRouterSource, &context);
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  SmallVector<moe::RouterOp> routers(func.getOps<moe::RouterOp>());
  ASSERT_EQ(routers.size(), 2u);
  moe::RouterOp router = routers[0];

  // One moe.router_grad after the op: the logits get d_logits in their own
  // type, the bias none; the forward's ids, bias and routing are reused,
  // and the ids' cotangent is ignored.
  auto iface = cast<moe::GradientOpInterface>(router.getOperation());
  OpBuilder b(&context);
  b.setInsertionPointAfter(router);
  Value dw = func.getArgument(2);
  FailureOr<SmallVector<Value>> cotangents =
      iface.emitAdjoint(b, {dw, func.getArgument(4)});
  ASSERT_TRUE(succeeded(cotangents));
  ASSERT_EQ(cotangents->size(), 2u);
  auto grad = (*cotangents)[0].getDefiningOp<moe::RouterGradOp>();
  ASSERT_TRUE(grad);
  EXPECT_FALSE((*cotangents)[1]);
  EXPECT_EQ(grad.getDLogits(), (*cotangents)[0]);
  EXPECT_EQ(grad.getLogits(), router.getLogits());
  EXPECT_EQ(grad.getBias(), router.getBias());
  EXPECT_EQ(grad.getIds(), router.getIds());
  EXPECT_EQ(grad.getDWeights(), dw);
  EXPECT_EQ(grad.getRouting(), router.getRouting());
  EXPECT_EQ(grad.getDLogits().getType(), router.getLogits().getType());
  EXPECT_EQ(router->getNextNode(), grad.getOperation());
  EXPECT_TRUE(succeeded(grad.verify()));

  // Hash routing: four operands, only the logits get a gradient; the grad
  // takes the table's i64 ids.
  moe::RouterOp hashed = routers[1];
  auto hashIface = cast<moe::GradientOpInterface>(hashed.getOperation());
  b.setInsertionPointAfter(hashed);
  FailureOr<SmallVector<Value>> hashCotangents =
      hashIface.emitAdjoint(b, {dw, Value()});
  ASSERT_TRUE(succeeded(hashCotangents));
  ASSERT_EQ(hashCotangents->size(), 3u);
  auto hashGrad = (*hashCotangents)[0].getDefiningOp<moe::RouterGradOp>();
  ASSERT_TRUE(hashGrad);
  EXPECT_FALSE((*hashCotangents)[1] || (*hashCotangents)[2]);
  EXPECT_FALSE(hashGrad.getBias());
  EXPECT_EQ(hashGrad.getIds(), hashed.getIds());
  EXPECT_TRUE(succeeded(hashGrad.verify()));

  // No weights cotangent: no gradient, nothing emitted.
  FailureOr<SmallVector<Value>> none =
      iface.emitAdjoint(b, {Value(), func.getArgument(4)});
  ASSERT_TRUE(succeeded(none));
  EXPECT_EQ(none->size(), 2u);
  EXPECT_FALSE((*none)[0] || (*none)[1]);

  // A cotangent of the wrong type (or count) fails with an error.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(iface.emitAdjoint(b, {func.getArgument(3), Value()})));
  EXPECT_NE(message.find("expected the weights cotangent to have the "
                         "weights' type"),
            std::string::npos)
      << message;
  EXPECT_TRUE(failed(iface.emitAdjoint(b, {dw})));
  EXPECT_NE(message.find("expected 2 result cotangents (weights, ids), got 1"),
            std::string::npos)
      << message;
  // Only the two moe.router_grad ops were emitted.
  EXPECT_EQ(std::distance(func.getOps<moe::RouterGradOp>().begin(),
                          func.getOps<moe::RouterGradOp>().end()),
            2);
}

constexpr const char *kLossSource = R"mlir(
func.func @f(%logits: tensor<?x8xbf16>, %ids: tensor<?x2xi32>,
             %dloss: tensor<f32>, %dloss_bf16: tensor<bf16>) {
  %aux = moe.load_balancing_loss %logits, %ids alpha = 0.01
      : tensor<?x8xbf16>, tensor<?x2xi32> -> tensor<f32>
  %z = moe.router_z_loss %logits : tensor<?x8xbf16> -> tensor<f32>
  return
}
)mlir";

TEST(GradientInterface, LossesEmitLossGrads) {
  MLIRContext context(makeRegistry());
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kLossSource, &context);
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  auto balancing = *func.getOps<moe::LoadBalancingLossOp>().begin();
  auto zLoss = *func.getOps<moe::RouterZLossOp>().begin();
  Value dloss = func.getArgument(2);
  OpBuilder b(&context);

  // Balancing loss: one moe.load_balancing_loss_grad after the op, with its
  // alpha; a cotangent for logits (in logits' type), none for ids.
  auto iface = cast<moe::GradientOpInterface>(balancing.getOperation());
  b.setInsertionPointAfter(balancing);
  FailureOr<SmallVector<Value>> cotangents = iface.emitAdjoint(b, {dloss});
  ASSERT_TRUE(succeeded(cotangents));
  ASSERT_EQ(cotangents->size(), 2u);
  auto grad = (*cotangents)[0].getDefiningOp<moe::LoadBalancingLossGradOp>();
  ASSERT_TRUE(grad);
  EXPECT_FALSE((*cotangents)[1]);
  EXPECT_EQ(grad.getLogits(), balancing.getLogits());
  EXPECT_EQ(grad.getIds(), balancing.getIds());
  EXPECT_EQ(grad.getDloss(), dloss);
  EXPECT_EQ(grad.getAlphaAttr(), balancing.getAlphaAttr());
  EXPECT_EQ(grad.getDLogits().getType(), balancing.getLogits().getType());
  EXPECT_EQ(balancing->getNextNode(), grad.getOperation());
  EXPECT_TRUE(succeeded(grad.verify()));

  // Z-loss: one moe.router_z_loss_grad.
  auto zIface = cast<moe::GradientOpInterface>(zLoss.getOperation());
  b.setInsertionPointAfter(zLoss);
  FailureOr<SmallVector<Value>> zCotangents = zIface.emitAdjoint(b, {dloss});
  ASSERT_TRUE(succeeded(zCotangents));
  ASSERT_EQ(zCotangents->size(), 1u);
  auto zGrad = (*zCotangents)[0].getDefiningOp<moe::RouterZLossGradOp>();
  ASSERT_TRUE(zGrad);
  EXPECT_EQ(zGrad.getLogits(), zLoss.getLogits());
  EXPECT_EQ(zGrad.getDloss(), dloss);
  EXPECT_EQ(zGrad.getDLogits().getType(), zLoss.getLogits().getType());
  EXPECT_EQ(zLoss->getNextNode(), zGrad.getOperation());
  EXPECT_TRUE(succeeded(zGrad.verify()));

  // No result cotangent: no gradient, nothing emitted.
  for (moe::GradientOpInterface op : {iface, zIface}) {
    FailureOr<SmallVector<Value>> none = op.emitAdjoint(b, {Value()});
    ASSERT_TRUE(succeeded(none));
    EXPECT_EQ(none->size(), op->getNumOperands());
    for (Value v : *none)
      EXPECT_FALSE(v);
  }

  // A cotangent of the wrong type (bf16, not the f32 loss) or count fails
  // with an error and emits nothing.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  for (moe::GradientOpInterface op : {iface, zIface}) {
    message.clear();
    EXPECT_TRUE(failed(op.emitAdjoint(b, {func.getArgument(3)})));
    EXPECT_NE(message.find("expected the result cotangent to have the loss's "
                           "type 'tensor<f32>', got 'tensor<bf16>'"),
              std::string::npos)
        << message;
    EXPECT_TRUE(failed(op.emitAdjoint(b, {dloss, dloss})));
    EXPECT_NE(message.find("expected 1 result cotangent, got 2"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(std::distance(func.getOps<moe::LoadBalancingLossGradOp>().begin(),
                          func.getOps<moe::LoadBalancingLossGradOp>().end()),
            1);
  EXPECT_EQ(std::distance(func.getOps<moe::RouterZLossGradOp>().begin(),
                          func.getOps<moe::RouterZLossGradOp>().end()),
            1);
}

constexpr const char *kGroupedMatmulSource = R"mlir(
func.func @f(%x: tensor<?x16xf32>, %w: tensor<4x16x8xf32>, %off: tensor<5xi32>,
             %dy: tensor<?x8xf32>, %dy_bf16: tensor<?x8xbf16>,
             %dy_dyn: tensor<?x?xf32>) {
  %y = moe.grouped_matmul %x, %w, %off
      : tensor<?x16xf32>, tensor<4x16x8xf32>, tensor<5xi32> -> tensor<?x8xf32>
  %y_dyn = moe.grouped_matmul %x, %w, %off
      : tensor<?x16xf32>, tensor<4x16x8xf32>, tensor<5xi32> -> tensor<?x?xf32>
  return
}
)mlir";

TEST(GradientInterface, GroupedMatmulEmitsTransposedGemmAndWgrad) {
  MLIRContext context(makeRegistry());
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kGroupedMatmulSource, &context);
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  SmallVector<moe::GroupedMatmulOp> gemms(func.getOps<moe::GroupedMatmulOp>());
  ASSERT_EQ(gemms.size(), 2u);
  moe::GroupedMatmulOp gemm = gemms[0];

  // d_input = grouped_matmul(dy, transpose(w) [E, N, K], offsets), typed
  // like the input; d_weight = grouped_matmul_wgrad(x, dy, offsets), typed
  // like the weight; no cotangent for the offsets.
  auto iface = cast<moe::GradientOpInterface>(gemm.getOperation());
  OpBuilder b(&context);
  b.setInsertionPointAfter(gemm);
  Value dy = func.getArgument(3);
  FailureOr<SmallVector<Value>> cotangents = iface.emitAdjoint(b, {dy});
  ASSERT_TRUE(succeeded(cotangents));
  ASSERT_EQ(cotangents->size(), 3u);
  auto dInput = (*cotangents)[0].getDefiningOp<moe::GroupedMatmulOp>();
  ASSERT_TRUE(dInput);
  EXPECT_EQ(dInput.getInput(), dy);
  EXPECT_EQ(dInput.getOffsets(), gemm.getOffsets());
  EXPECT_EQ(dInput.getType(), gemm.getInput().getType());
  auto transpose = dInput.getWeight().getDefiningOp<linalg::TransposeOp>();
  ASSERT_TRUE(transpose);
  EXPECT_EQ(transpose.getInput(), gemm.getWeight());
  EXPECT_EQ(transpose.getPermutation(), ArrayRef<int64_t>({0, 2, 1}));
  EXPECT_EQ(dInput.getWeight().getType(),
            RankedTensorType::get({4, 8, 16}, b.getF32Type()));
  auto dWeight = (*cotangents)[1].getDefiningOp<moe::GroupedMatmulWgradOp>();
  ASSERT_TRUE(dWeight);
  EXPECT_EQ(dWeight.getInput(), gemm.getInput());
  EXPECT_EQ(dWeight.getDy(), dy);
  EXPECT_EQ(dWeight.getOffsets(), gemm.getOffsets());
  EXPECT_EQ(dWeight.getType(), gemm.getWeight().getType());
  EXPECT_FALSE((*cotangents)[2]);
  EXPECT_TRUE(succeeded(dInput.verify()));
  EXPECT_TRUE(succeeded(dWeight.verify()));
  EXPECT_TRUE(succeeded(transpose.verify()));

  // A forward result with a dynamic N: the cotangents still verify (the
  // weight gradient takes its static shape from the weight).
  auto dynamic = cast<moe::GradientOpInterface>(gemms[1].getOperation());
  b.setInsertionPointAfter(gemms[1]);
  FailureOr<SmallVector<Value>> dynamicCotangents =
      dynamic.emitAdjoint(b, {func.getArgument(5)});
  ASSERT_TRUE(succeeded(dynamicCotangents));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE((*dynamicCotangents)[i]);
    EXPECT_TRUE(
        succeeded(mlir::verify((*dynamicCotangents)[i].getDefiningOp())));
  }
  EXPECT_EQ((*dynamicCotangents)[1].getType(), gemm.getWeight().getType());

  // No result cotangent: no gradient, nothing emitted.
  FailureOr<SmallVector<Value>> none = iface.emitAdjoint(b, {Value()});
  ASSERT_TRUE(succeeded(none));
  EXPECT_EQ(none->size(), 3u);
  EXPECT_FALSE((*none)[0] || (*none)[1] || (*none)[2]);

  // A cotangent of the wrong type (or count) fails with an error.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(iface.emitAdjoint(b, {func.getArgument(4)})));
  EXPECT_NE(message.find("expected the result cotangent to have the result's "
                         "type"),
            std::string::npos)
      << message;
  EXPECT_TRUE(failed(iface.emitAdjoint(b, {dy, dy})));
  EXPECT_NE(message.find("expected 1 result cotangent, got 2"),
            std::string::npos)
      << message;
  // Only the two adjoints above were emitted.
  EXPECT_EQ(std::distance(func.getOps<moe::GroupedMatmulWgradOp>().begin(),
                          func.getOps<moe::GroupedMatmulWgradOp>().end()),
            2);
}

} // namespace
