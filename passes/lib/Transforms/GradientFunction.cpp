//===- GradientFunction.cpp - reverse-mode gradients of functions ---------===//

#include "moec/Transforms/GradientFunction.h"

#include "UpstreamAdjoints.h"

#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Dialect/MoE/MoEUtils.h"
#include "moec/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::moe;

namespace {

/// The cotangent of every value reached so far, summed over its uses.
class Cotangents {
public:
  explicit Cotangents(OpBuilder &b) : b(b) {}

  Value lookup(Value value) const { return sums.lookup(value); }

  /// Adds `cotangent` to `value`'s: a value with several uses (x feeds the
  /// router, the dispatch and the shared expert) gets their sum.
  void add(Value value, Value cotangent, Location loc) {
    if (cotangent.getType() != value.getType())
      cotangent = tensor::CastOp::create(b, loc, value.getType(), cotangent);
    auto [it, inserted] = sums.try_emplace(value, cotangent);
    if (inserted)
      return;
    auto type = cast<RankedTensorType>(value.getType());
    Value init = createEmptyLike(b, loc, type, it->second);
    it->second =
        linalg::AddOp::create(b, loc, ValueRange{it->second, cotangent},
                              ValueRange{init})
            .getResult(0);
  }

private:
  OpBuilder &b;
  DenseMap<Value, Value> sums;
};

LogicalResult checkDifferentiable(func::FuncOp forward) {
  if (forward.isExternal() || !forward.getBody().hasOneBlock())
    return forward.emitOpError()
           << "needs a body of one block to be differentiated";
  if (forward.getNumResults() != 1 ||
      !isa<RankedTensorType>(forward.getResultTypes().front()))
    return forward.emitOpError()
           << "must return exactly one ranked tensor to be differentiated, "
              "got "
           << forward.getNumResults() << " results";
  return success();
}

/// Emits the adjoint of every op of `body` in reverse order, starting from
/// `dy` as the cotangent of the returned value.
LogicalResult emitAdjoints(Block &body, func::ReturnOp ret, Value dy,
                           Cotangents &cotangents, OpBuilder &b) {
  cotangents.add(ret.getOperand(0), dy, ret.getLoc());
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    forwardOps.push_back(&op);
  for (Operation *op : llvm::reverse(forwardOps)) {
    SmallVector<Value> resultCotangents;
    for (Value result : op->getResults())
      resultCotangents.push_back(cotangents.lookup(result));
    if (llvm::all_of(resultCotangents, [](Value v) { return !v; }))
      continue;
    FailureOr<SmallVector<Value>> operandCotangents =
        isa<GradientOpInterface>(op)
            ? cast<GradientOpInterface>(op).emitAdjoint(b, resultCotangents)
            : emitUpstreamAdjoint(b, op, resultCotangents);
    if (failed(operandCotangents))
      return failure();
    if (operandCotangents->size() != op->getNumOperands())
      return op->emitOpError()
             << "adjoint returned " << operandCotangents->size()
             << " cotangents for " << op->getNumOperands() << " operands";
    for (auto [operand, cotangent] :
         llvm::zip(op->getOperands(), *operandCotangents))
      if (cotangent)
        cotangents.add(operand, cotangent, op->getLoc());
  }
  return success();
}

} // namespace

FailureOr<func::FuncOp> mlir::moe::buildGradientFunction(func::FuncOp forward) {
  if (failed(checkDifferentiable(forward)))
    return failure();
  std::string name = (forward.getSymName() + "_grad").str();
  // A private declaration of the name is a placeholder that a caller of
  // the gradient (a training step) needs in order to parse; it is defined
  // here. Any other symbol of that name is a clash.
  func::FuncOp declaration;
  if (Operation *parent = forward->getParentOp()) {
    Operation *existing = SymbolTable::lookupNearestSymbolFrom(
        parent, StringAttr::get(forward.getContext(), name));
    declaration = dyn_cast_or_null<func::FuncOp>(existing);
    if (existing && (!declaration || !declaration.isDeclaration() ||
                     !declaration.isPrivate()))
      return forward.emitOpError()
             << "cannot add '@" << name
             << "': the symbol exists already (only a private declaration "
                "may stand for it)";
  }

  auto grad = cast<func::FuncOp>(forward->clone());
  grad.setSymName(name);
  forward->getBlock()->getOperations().insertAfter(forward->getIterator(),
                                                   grad);
  {
    RewritePatternSet patterns(forward.getContext());
    populateDecomposeLayerPatterns(patterns);
    walkAndApplyPatterns(grad, std::move(patterns));
  }

  Block &body = grad.front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Type resultType = forward.getResultTypes().front();
  unsigned numInputs = forward.getNumArguments();
  if (failed(grad.insertArgument(numInputs, resultType, /*argAttrs=*/{},
                                 forward.getLoc())))
    return forward.emitOpError() << "could not add the cotangent argument";
  Value dy = body.getArgument(numInputs);

  OpBuilder b(ret);
  Cotangents cotangents(b);
  if (failed(emitAdjoints(body, ret, dy, cotangents, b))) {
    grad.erase();
    return failure();
  }

  SmallVector<Value> results{ret.getOperand(0)};
  SmallVector<int64_t> gradientOf;
  for (unsigned i = 0; i < numInputs; ++i)
    if (Value cotangent = cotangents.lookup(body.getArgument(i))) {
      results.push_back(cotangent);
      gradientOf.push_back(i);
    }
  func::ReturnOp::create(b, ret.getLoc(), results);
  ret.erase();

  SmallVector<Type> argTypes(body.getArgumentTypes());
  grad.setFunctionType(FunctionType::get(grad.getContext(), argTypes,
                                         ValueRange(results).getTypes()));
  SmallVector<DictionaryAttr> resultAttrs(
      results.size(), DictionaryAttr::get(grad.getContext()));
  for (auto [index, argIndex] : llvm::enumerate(gradientOf))
    resultAttrs[index + 1] = b.getDictionaryAttr(
        b.getNamedAttr(kGradientOfAttrName, b.getI64IntegerAttr(argIndex)));
  grad.setAllResultAttrs(resultAttrs);
  if (declaration) {
    if (declaration.getFunctionType() != grad.getFunctionType()) {
      InFlightDiagnostic diag =
          declaration.emitOpError()
          << "declares the gradient of '@" << forward.getSymName()
          << "' with type " << declaration.getFunctionType()
          << ", but it has type " << grad.getFunctionType();
      grad.erase();
      return failure();
    }
    grad.setPrivate();
    declaration.erase();
  }
  return grad;
}
