//===- GradientInterfaceTest.cpp - moe GradientOpInterface ----------------===//
//
// emitAdjoint called through the interface, as --moe-grad will call it.
//
//===----------------------------------------------------------------------===//

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
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

} // namespace
