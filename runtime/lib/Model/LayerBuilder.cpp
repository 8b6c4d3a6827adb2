//===- LayerBuilder.cpp - moe.layer functions from a config ---------------===//

#include "moec/Model/LayerBuilder.h"

#include "moec/Dialect/MoE/MoEDialect.h"
#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace moec;

static Type toMLIR(Builder &b, ElementType type) {
  switch (type) {
  case ElementType::F32:
    return b.getF32Type();
  case ElementType::F16:
    return b.getF16Type();
  case ElementType::BF16:
    return b.getBF16Type();
  case ElementType::F64:
    return b.getF64Type();
  }
  llvm_unreachable("unknown element type");
}

func::FuncOp moec::buildLayerFunction(OpBuilder &b, Location loc,
                                      const MoELayerConfig &c, StringRef name) {
  MLIRContext *ctx = b.getContext();
  // The config's enumerators are spelled like the dialect's keywords.
  moe::RoutingAttr routing = moe::RoutingAttr::getChecked(
      [&] { return emitError(loc); }, ctx, c.topK,
      *moe::symbolizeScoringFunc(toString(c.scoring)), c.nGroup, c.topkGroup,
      *moe::symbolizeGroupScore(toString(c.groupScore)), c.normTopkProb,
      APFloat(c.routedScalingFactor));
  if (!routing)
    return nullptr;

  Type t = toMLIR(b, c.elementType);
  int64_t dyn = ShapedType::kDynamic, h = c.hidden, e = c.numExperts,
          i = c.intermediate, s = c.sharedIntermediate();
  auto tensor = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, t);
  };
  SmallVector<Type> args = {tensor({dyn, h}), tensor({h, e}), tensor({e, h, i}),
                            tensor({e, h, i}), tensor({e, i, h})};
  if (s > 0)
    args.append({tensor({h, s}), tensor({h, s}), tensor({s, h})});
  if (c.selectionBias)
    args.push_back(tensor({e}));
  Type result = tensor({dyn, h});

  auto fn = func::FuncOp::create(b, loc, name, b.getFunctionType(args, result));
  Block *entry = fn.addEntryBlock();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(entry);
  ValueRange in = entry->getArguments();
  Value sharedGate, sharedUp, sharedDown, bias;
  unsigned next = 5;
  if (s > 0) {
    sharedGate = in[next++];
    sharedUp = in[next++];
    sharedDown = in[next++];
  }
  if (c.selectionBias)
    bias = in[next++];
  FloatAttr limit =
      c.swigluLimit ? b.getF64FloatAttr(*c.swigluLimit) : FloatAttr();
  auto layer = moe::LayerOp::create(b, loc, result, in[0], in[1], in[2], in[3],
                                    in[4], sharedGate, sharedUp, sharedDown,
                                    bias, /*token_ids=*/Value(),
                                    /*hash_table=*/Value(), routing, limit);
  func::ReturnOp::create(b, loc, layer.getResult());
  return fn;
}

llvm::Expected<OwningOpRef<ModuleOp>>
moec::buildLayerModule(MLIRContext &context, const MoELayerConfig &config,
                       StringRef name) {
  if (llvm::Error e = config.validate())
    return std::move(e);
  context.loadDialect<moe::MoEDialect, func::FuncDialect>();

  std::string messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (!messages.empty())
      messages += "\n";
    messages += diag.str();
    return success();
  });
  Location loc = NameLoc::get(StringAttr::get(&context, name));
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b = OpBuilder::atBlockEnd(module->getBody());
  if (!buildLayerFunction(b, loc, config, name) || failed(verify(*module)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(), messages);
  return module;
}
