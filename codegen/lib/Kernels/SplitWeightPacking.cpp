//===- SplitWeightPacking.cpp - pack-once entry points --------------------===//
//
// Runs on buffers, after results became out-parameters: every pack call then
// writes into a static allocation, which becomes an argument of the packed
// variant and an out-parameter of the prepack function, so that no function
// returns a dynamically shaped buffer.
//
//===----------------------------------------------------------------------===//

#include "WeightPacking.h"

#include "moec/Codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOESPLITWEIGHTPACKING
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace moec::cpu;

namespace {

/// A call of a packing function on an argument of the function it is in,
/// writing into an allocation of that function.
struct PackCall {
  mutable func::CallOp call;
  unsigned weightArgument;
  mutable memref::AllocOp destination;
};

/// True when nothing reached from `buffer` (through views) may write it; a
/// call other than a pack call reading its weight counts as a write.
bool isNeverWritten(Value buffer, SymbolTable &symbols) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (auto call = dyn_cast<func::CallOp>(user)) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (callee && callee->hasAttr(kWeightPackAttrName) &&
          use.getOperandNumber() == 0)
        continue;
      return false;
    }
    if (isa<ViewLikeOpInterface>(user)) {
      for (Value result : user->getResults())
        if (!isNeverWritten(result, symbols))
          return false;
      continue;
    }
    auto effects = dyn_cast<MemoryEffectOpInterface>(user);
    if (!effects)
      return false;
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffectsOnValue(buffer, instances);
    if (llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
          return isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect());
        }))
      return false;
  }
  return true;
}

/// The pack calls that can move to the pack-once entry point: those reading
/// an argument the function never writes. An out-parameter, or an argument
/// updated in place, may hold a weight only after the function wrote it (the
/// gradient function packs transposed weights into buffers bufferisation
/// may share with a result), so its packing stays where it is.
SmallVector<PackCall> packCalls(func::FuncOp function, SymbolTable &symbols) {
  SmallVector<PackCall> result;
  Block &entry = function.getBody().front();
  function.walk([&](func::CallOp call) {
    auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
    if (!callee || !callee->hasAttr(kWeightPackAttrName) ||
        call.getNumOperands() != 2 || call.getNumResults() != 0)
      return;
    auto weight = dyn_cast<BlockArgument>(call.getOperand(0));
    auto destination = call.getOperand(1).getDefiningOp<memref::AllocOp>();
    if (weight && weight.getOwner() == &entry &&
        isNeverWritten(weight, symbols) && destination &&
        destination->getParentOp() == function.getOperation())
      result.push_back({call, weight.getArgNumber(), destination});
  });
  return result;
}

/// The weight arguments `calls` read, ascending, each once.
SmallVector<unsigned> weightArguments(ArrayRef<PackCall> calls) {
  SmallVector<unsigned> indices;
  for (const PackCall &pack : calls)
    if (!llvm::is_contained(indices, pack.weightArgument))
      indices.push_back(pack.weightArgument);
  llvm::sort(indices);
  return indices;
}

/// `@f__prepack(weights..., packed outs...)`.
func::FuncOp createPrepack(func::FuncOp function, ArrayRef<PackCall> calls,
                           StringRef name, SymbolTable &symbols) {
  OpBuilder b(function->getContext());
  b.setInsertionPointAfter(function);
  SmallVector<unsigned> weights = weightArguments(calls);
  SmallVector<Type> inputs;
  for (unsigned index : weights)
    inputs.push_back(function.getArgument(index).getType());
  for (const PackCall &pack : calls)
    inputs.push_back(pack.destination.getType());
  auto prepack = func::FuncOp::create(b, function.getLoc(), name,
                                      b.getFunctionType(inputs, {}));
  prepack->setAttr(kPrepackOfAttrName, FlatSymbolRefAttr::get(function));
  for (auto [i, index] : llvm::enumerate(weights))
    prepack.setArgAttr(i, kWeightOfAttrName, b.getI64IntegerAttr(index));
  Block *entry = prepack.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, pack] : llvm::enumerate(calls)) {
    unsigned position =
        llvm::find(weights, pack.weightArgument) - weights.begin();
    func::CallOp::create(b, pack.call.getLoc(), pack.call.getCallee(),
                         TypeRange{},
                         ValueRange{entry->getArgument(position),
                                    entry->getArgument(weights.size() + i)});
  }
  func::ReturnOp::create(b, function.getLoc());
  symbols.insert(prepack);
  return prepack;
}

/// `@f__packed(packed..., @f's arguments...)`: `@f` without its pack calls.
func::FuncOp createPacked(func::FuncOp function, ArrayRef<PackCall> calls,
                          StringRef name, SymbolTable &symbols) {
  IRMapping mapping;
  auto packed = cast<func::FuncOp>(function->clone(mapping));
  packed.setSymName(name);
  packed->setAttr(kPackedOfAttrName, FlatSymbolRefAttr::get(function));
  function->getBlock()->getOperations().insertAfter(Block::iterator(function),
                                                    packed);
  for (auto [i, pack] : llvm::enumerate(calls)) {
    auto destination = cast<memref::AllocOp>(
        mapping.lookup(pack.destination.getResult()).getDefiningOp());
    auto call = cast<func::CallOp>(mapping.lookup(pack.call.getOperation()));
    (void)packed.insertArgument(i, destination.getType(), {},
                                destination.getLoc());
    call.erase();
    destination.getResult().replaceAllUsesWith(packed.getArgument(i));
    destination.erase();
  }
  symbols.insert(packed);
  return packed;
}

/// `@f` keeps its signature and becomes: allocate, prepack, run packed.
void forwardToPacked(func::FuncOp function, ArrayRef<PackCall> calls,
                     func::FuncOp prepack, func::FuncOp packed) {
  Region &body = function.getBody();
  Block &entry = body.front();
  SmallVector<Value> arguments(entry.getArguments());
  Location loc = function.getLoc();
  // The pack calls die with the old body; keep what the new one needs.
  SmallVector<unsigned> weights = weightArguments(calls);
  // Out-parameter allocations lose the kernels' 64-byte alignment; packed
  // panels are read a cache line at a time.
  IntegerAttr cacheLine = OpBuilder(function).getI64IntegerAttr(64);
  SmallVector<std::pair<MemRefType, IntegerAttr>> buffers;
  for (const PackCall &pack : calls)
    buffers.push_back({pack.destination.getType(), cacheLine});
  for (Block &block : body)
    for (Operation &op : block)
      op.dropAllUses();
  for (Block &block : body)
    block.dropAllDefinedValueUses();
  while (body.getBlocks().size() > 1)
    body.back().erase();
  while (!entry.empty())
    entry.back().erase();

  OpBuilder b = OpBuilder::atBlockEnd(&entry);
  SmallVector<Value> prepackArgs, packedArgs;
  for (unsigned index : weights)
    prepackArgs.push_back(entry.getArgument(index));
  for (auto [type, alignment] : buffers) {
    Value buffer =
        memref::AllocOp::create(b, loc, type, ValueRange{}, alignment);
    prepackArgs.push_back(buffer);
    packedArgs.push_back(buffer);
  }
  func::CallOp::create(b, loc, prepack, prepackArgs);
  llvm::append_range(packedArgs, arguments);
  auto result = func::CallOp::create(b, loc, packed, packedArgs);
  func::ReturnOp::create(b, loc, result.getResults());
}

struct MoESplitWeightPackingPass
    : moe::impl::MoESplitWeightPackingBase<MoESplitWeightPackingPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> publicFunctions;
    for (auto function : module.getOps<func::FuncOp>())
      if (function.isPublic() && !function.isDeclaration() &&
          !function->hasAttr(kPrepackOfAttrName) &&
          !function->hasAttr(kPackedOfAttrName))
        publicFunctions.push_back(function);
    for (func::FuncOp function : publicFunctions) {
      SmallVector<PackCall> calls = packCalls(function, symbols);
      if (calls.empty())
        continue;
      std::string base = function.getSymName().str();
      for (StringRef suffix : {"__prepack", "__packed"})
        if (symbols.lookup(base + suffix.str())) {
          function.emitError() << "cannot split weight packing: @" << base
                               << suffix << " already exists";
          return signalPassFailure();
        }
      func::FuncOp prepack =
          createPrepack(function, calls, base + "__prepack", symbols);
      func::FuncOp packed =
          createPacked(function, calls, base + "__packed", symbols);
      forwardToPacked(function, calls, prepack, packed);
    }
  }
};

} // namespace
