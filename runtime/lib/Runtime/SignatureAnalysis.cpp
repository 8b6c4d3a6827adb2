//===- SignatureAnalysis.cpp - a func's Signature from its tensor IR
//-------===//

#include "SignatureAnalysis.h"

#include "moec/Dialect/MoE/MoEOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Support/DebugStringHelper.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace moec;

namespace {

llvm::Error analysisError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::optional<DType> toDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF64())
    return DType::F64;
  if (type.isSignlessInteger(32))
    return DType::I32;
  if (type.isSignlessInteger(64))
    return DType::I64;
  return std::nullopt;
}

llvm::Expected<TensorSpec> toSpec(Type type, std::string name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return analysisError(
        llvm::formatv("{0}: the runtime passes ranked tensors only, got {1}",
                      name, debugString(type)));
  std::optional<DType> dtype = toDType(tensor.getElementType());
  if (!dtype)
    return analysisError(llvm::formatv(
        "{0}: element type {1} is not one of f32, f16, bf16, f64, i32, i64",
        name, debugString(tensor.getElementType())));
  TensorSpec spec{std::move(name), *dtype, {}};
  for (int64_t size : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(size) ? kDynamic : size);
  return spec;
}

/// The operand names of moe.layer, which is what framework users know the
/// arguments of a layer function by.
std::optional<std::string> nameFromUse(BlockArgument arg) {
  for (OpOperand &use : arg.getUses()) {
    auto layer = dyn_cast<moe::LayerOp>(use.getOwner());
    if (!layer)
      continue;
    Value v = arg;
    std::pair<Value, const char *> named[] = {
        {layer.getX(), "x"},
        {layer.getRouterWeight(), "router_weight"},
        {layer.getWGate(), "w_gate"},
        {layer.getWUp(), "w_up"},
        {layer.getWDown(), "w_down"},
        {layer.getSharedGate(), "shared_gate"},
        {layer.getSharedUp(), "shared_up"},
        {layer.getSharedDown(), "shared_down"},
        {layer.getBias(), "bias"},
        {layer.getTokenIds(), "token_ids"},
        {layer.getHashTable(), "hash_table"}};
    for (auto [operand, name] : named)
      if (operand == v)
        return std::string(name);
  }
  return std::nullopt;
}

/// Follows a dynamic dimension of `value` back to a function argument through
/// the ops whose result sizes are those of an operand.
std::optional<DimSource> traceDim(Value value, unsigned dim, Block &entry,
                                  unsigned depth = 0) {
  if (depth > 64)
    return std::nullopt;
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner() == &entry
               ? std::optional(DimSource{arg.getArgNumber(), dim})
               : std::nullopt;
  Operation *op = value.getDefiningOp();
  auto follow = [&](Value source, unsigned sourceDim) {
    return traceDim(source, sourceDim, entry, depth + 1);
  };
  // The token dimension of every moe op result comes from its first operand
  // (tokens or rows); other dimensions of moe results are static.
  if (dim == 0) {
    if (auto layer = dyn_cast<moe::LayerOp>(op))
      return follow(layer.getX(), 0);
    if (auto router = dyn_cast<moe::RouterOp>(op))
      return follow(router.getLogits(), 0);
    if (auto combine = dyn_cast<moe::CombineOp>(op))
      return follow(combine.getWeights(), 0);
    if (auto matmul = dyn_cast<moe::GroupedMatmulOp>(op))
      return follow(matmul.getInput(), 0);
  }
  if (auto swiglu = dyn_cast<moe::SwigluOp>(op))
    return follow(swiglu.getGate(), dim);
  // Both cotangents have the forward inputs' shape.
  if (auto swigluGrad = dyn_cast<moe::SwigluGradOp>(op))
    return follow(swigluGrad.getGate(), dim);
  // d_logits has the logits' shape.
  if (auto routerGrad = dyn_cast<moe::RouterGradOp>(op))
    return follow(routerGrad.getLogits(), dim);
  // The cotangents have the shapes of expert_out and weights.
  if (auto combineGrad = dyn_cast<moe::CombineGradOp>(op))
    return follow(value == combineGrad.getDExpertOut()
                      ? combineGrad.getExpertOut()
                      : combineGrad.getWeights(),
                  dim);
  // The loss gradients' d_logits has the logits' type.
  if (auto lbGrad = dyn_cast<moe::LoadBalancingLossGradOp>(op))
    return follow(lbGrad.getLogits(), dim);
  if (auto zGrad = dyn_cast<moe::RouterZLossGradOp>(op))
    return follow(zGrad.getLogits(), dim);
  if (auto mseGrad = dyn_cast<moe::MseLossGradOp>(op))
    return follow(mseGrad.getInput(), dim);
  // Elementwise arithmetic on tensors (a negated cotangent) keeps shapes.
  if (op->hasTrait<OpTrait::Elementwise>() && op->getNumOperands() > 0)
    return follow(op->getOperand(0), dim);
  // Every result of the optimizer update has the parameter's shape.
  if (auto adamw = dyn_cast<moe::AdamWOp>(op))
    return follow(adamw.getParam(), dim);
  if (auto bias = dyn_cast<moe::BiasUpdateOp>(op))
    return follow(bias.getBias(), dim);
  if (auto cast = dyn_cast<tensor::CastOp>(op))
    return follow(cast.getSource(), dim);
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    auto dimOp = empty.getDynamicSize(dim).getDefiningOp<tensor::DimOp>();
    APInt index;
    if (dimOp && matchPattern(dimOp.getIndex(), m_ConstantInt(&index)))
      return follow(dimOp.getSource(), index.getZExtValue());
    return std::nullopt;
  }
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    return follow(
        dps.getDpsInitOperand(cast<OpResult>(value).getResultNumber())->get(),
        dim);
  return std::nullopt;
}

/// The argument result `index` of `func` is written into (`moe.in_place =
/// M`, docs/training-design.md "In place"), checked as the CPU pipeline
/// checks it, so that a bad tie is reported before compiling.
llvm::Expected<std::optional<unsigned>> readInPlaceOf(func::FuncOp func,
                                                      unsigned index) {
  Attribute attr = func.getResultAttr(index, "moe.in_place");
  if (!attr)
    return std::nullopt;
  std::string what =
      llvm::formatv("@{0} result {1}", func.getSymName(), index).str();
  auto argument = dyn_cast<IntegerAttr>(attr);
  if (!argument || !isa<IntegerType>(argument.getType()))
    return analysisError(llvm::formatv(
        "{0}: moe.in_place must be the index of an argument (an integer), "
        "got {1}",
        what, debugString(attr)));
  int64_t m = argument.getInt();
  if (m < 0 || m >= func.getNumArguments())
    return analysisError(llvm::formatv(
        "{0}: moe.in_place = {1} is not an argument index (the function has "
        "{2} arguments)",
        what, m, func.getNumArguments()));
  Type argumentType = func.getArgument(m).getType();
  Type resultType = func.getResultTypes()[index];
  if (argumentType != resultType)
    return analysisError(llvm::formatv(
        "{0} (moe.in_place = {1}) must have argument {1}'s type {2} to be "
        "written into its buffer, got {3}",
        what, m, debugString(argumentType), debugString(resultType)));
  for (unsigned other = 0; other < index; ++other)
    if (auto earlier =
            func.getResultAttrOfType<IntegerAttr>(other, "moe.in_place");
        earlier && earlier.getInt() == m)
      return analysisError(llvm::formatv(
          "@{0} results {1} and {2} are both moe.in_place = {3}; an "
          "argument's buffer can hold one result",
          func.getSymName(), other, index, m));
  return std::optional<unsigned>(m);
}

} // namespace

llvm::Expected<Signature> moec::analyzeSignature(func::FuncOp func) {
  Signature sig;
  sig.function = func.getSymName().str();
  if (func.isExternal())
    return analysisError("function @" + sig.function + " has no body");
  Block &entry = func.getBody().front();

  for (BlockArgument arg : func.getArguments()) {
    std::string name = nameFromUse(arg).value_or(
        llvm::formatv("arg{0}", arg.getArgNumber()).str());
    auto spec = toSpec(arg.getType(),
                       llvm::formatv("@{0} argument {1} ({2})", sig.function,
                                     arg.getArgNumber(), name));
    if (!spec)
      return spec.takeError();
    spec->name = name;
    sig.arguments.push_back(std::move(*spec));
  }

  auto returnOp = cast<func::ReturnOp>(entry.getTerminator());
  for (auto [index, value] : llvm::enumerate(returnOp.getOperands())) {
    std::string name = llvm::formatv("result{0}", index).str();
    auto spec =
        toSpec(value.getType(), llvm::formatv("@{0} {1}", sig.function, name));
    if (!spec)
      return spec.takeError();
    spec->name = name;
    auto inPlaceOf = readInPlaceOf(func, index);
    if (!inPlaceOf)
      return inPlaceOf.takeError();
    spec->inPlaceOf = *inPlaceOf;
    std::vector<std::optional<DimSource>> sources;
    for (auto [dim, size] : llvm::enumerate(spec->shape)) {
      if (size != kDynamic) {
        sources.push_back(std::nullopt);
        continue;
      }
      // An in-place result has its argument's type, hence its sizes.
      std::optional<DimSource> source =
          spec->inPlaceOf ? std::optional(DimSource{*spec->inPlaceOf,
                                                    static_cast<unsigned>(dim)})
                          : traceDim(value, dim, entry);
      if (!source)
        return analysisError(llvm::formatv(
            "@{0} {1}: cannot tell the size of dimension {2} from the "
            "arguments, so a caller could not allocate it; give the result a "
            "static size or make it the size of an argument dimension",
            sig.function, name, dim));
      sources.push_back(source);
    }
    sig.results.push_back(std::move(*spec));
    sig.resultDimSources.push_back(std::move(sources));
  }

  // Hash routing indexes token_ids with the token count of x (or the
  // logits), so the two must agree at run time, also when only one of them
  // is static (the verifier cannot compare a static size with a dynamic one).
  auto requireSameTokens = [&](Value tokens, Value tokenIds) {
    if (!tokenIds)
      return;
    std::optional<DimSource> a = traceDim(tokens, 0, entry);
    std::optional<DimSource> b = traceDim(tokenIds, 0, entry);
    if (a && b)
      sig.equalDims.push_back({*a, *b});
  };
  func.walk([&](Operation *op) {
    if (auto layer = dyn_cast<moe::LayerOp>(op))
      requireSameTokens(layer.getX(), layer.getTokenIds());
    else if (auto router = dyn_cast<moe::RouterOp>(op))
      requireSameTokens(router.getLogits(), router.getTokenIds());
  });
  return sig;
}

llvm::Expected<std::optional<PackingPlan>>
moec::analyzePacking(ModuleOp module, llvm::StringRef entry) {
  auto prepack = module.lookupSymbol<func::FuncOp>((entry + "__prepack").str());
  if (!prepack || !prepack->hasAttr("moe.prepack_of"))
    return std::nullopt;
  // Weight arguments (moe.weight_of) come first, then one static buffer per
  // packed weight.
  PackingPlan plan;
  for (unsigned i = 0, e = prepack.getNumArguments(); i < e; ++i) {
    if (auto index =
            prepack.getArgAttrOfType<IntegerAttr>(i, "moe.weight_of")) {
      plan.weightArguments.push_back(index.getInt());
      continue;
    }
    auto buffer = dyn_cast<MemRefType>(prepack.getArgument(i).getType());
    std::optional<DType> dtype =
        buffer ? toDType(buffer.getElementType()) : std::nullopt;
    if (!buffer || !buffer.hasStaticShape() || !dtype)
      return analysisError(llvm::formatv(
          "@{0}__prepack: argument {1} is not a static packed buffer", entry,
          i));
    plan.packed.push_back(
        TensorSpec{llvm::formatv("packed{0}", plan.packed.size()).str(), *dtype,
                   std::vector<int64_t>(buffer.getShape().begin(),
                                        buffer.getShape().end())});
  }
  return std::optional<PackingPlan>(std::move(plan));
}
