//===- WeightPacking.cpp - expert weights in register-tile order ----------===//

#include "WeightPacking.h"
#include "KernelBuilders.h"

#include "moec/Conversion/LoweringUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::moe::lowering;
using namespace moec::cpu;

namespace {

/// `[E, K, N]` of a 3-D weight or of a 2-D one taken as `E = 1`.
std::array<int64_t, 3> expertShape(RankedTensorType type) {
  if (type.getRank() == 2)
    return {1, type.getDimSize(0), type.getDimSize(1)};
  return {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2)};
}

std::string functionName(RankedTensorType type, PackedLayout layout) {
  std::string name;
  llvm::raw_string_ostream os(name);
  os << "__moe_pack_";
  for (int64_t size : type.getShape())
    os << size << 'x';
  os << type.getElementType() << "_nr" << layout.panelColumns
     << (layout.pairs ? "_pairs" : "");
  return name;
}

/// Copies panel `p` of expert `e`, row by row (or pair of rows by pair).
void packPanel(ImplicitLocOpBuilder &b, Value source, Value packed,
               PackedLayout layout, int64_t k, Value e, Value p) {
  int64_t nr = layout.panelColumns;
  bool threeD = cast<MemRefType>(source.getType()).getRank() == 3;
  Type element = cast<MemRefType>(source.getType()).getElementType();
  auto rowType = VectorType::get({nr}, element);
  Value column = arith::MulIOp::create(b, p, indexConstant(b, nr));
  auto sourceIndices = [&](Value row) -> SmallVector<Value> {
    if (threeD)
      return {e, row, column};
    return {row, column};
  };
  Value zero = indexConstant(b, 0);
  int64_t steps = layout.pairs ? k / 2 : k;
  buildLoop(
      b, indexConstant(b, steps), ValueRange{},
      [&](ImplicitLocOpBuilder &lb, Value step, ValueRange) {
        if (!layout.pairs) {
          Value row =
              vector::LoadOp::create(lb, rowType, source, sourceIndices(step));
          vector::StoreOp::create(lb, row, packed,
                                  ValueRange{e, p, step, zero});
          return SmallVector<Value>{};
        }
        Value even = arith::MulIOp::create(lb, step, indexConstant(lb, 2));
        Value odd = arith::AddIOp::create(lb, even, indexConstant(lb, 1));
        Value first =
            vector::LoadOp::create(lb, rowType, source, sourceIndices(even));
        Value second =
            vector::LoadOp::create(lb, rowType, source, sourceIndices(odd));
        Value pairs = vector::InterleaveOp::create(lb, first, second);
        vector::StoreOp::create(lb, pairs, packed,
                                ValueRange{e, p, step, zero});
        return SmallVector<Value>{};
      });
}

func::FuncOp createPackFunction(ModuleOp module, StringRef name,
                                RankedTensorType type, PackedLayout layout) {
  MLIRContext *context = module.getContext();
  RankedTensorType resultType = packedType(type, layout);
  auto b = ImplicitLocOpBuilder::atBlockEnd(UnknownLoc::get(context),
                                            module.getBody());
  auto function = func::FuncOp::create(
      b, name, FunctionType::get(context, {type}, {resultType}));
  function.setPrivate();
  function->setAttr(kWeightPackAttrName, b.getUnitAttr());
  // Internal, so that two layers with the same weight shapes, compiled
  // ahead of time, link together.
  function->setAttr("llvm.linkage",
                    LLVM::LinkageAttr::get(context, LLVM::Linkage::Internal));
  b.setInsertionPointToStart(function.addEntryBlock());

  Value source = readBuffer(b, function.getArgument(0));
  Value packed = allocBuffer(b, resultType, ValueRange{});
  std::array<int64_t, 3> shape = expertShape(type);
  int64_t k = shape[1];
  Value zero = indexConstant(b, 0), one = indexConstant(b, 1);
  scf::ParallelOp::create(
      b, ValueRange{zero, zero},
      ValueRange{indexConstant(b, shape[0]),
                 indexConstant(b, shape[2] / layout.panelColumns)},
      ValueRange{one, one},
      [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder nb(loc, nested);
        packPanel(nb, source, packed, layout, k, ivs[0], ivs[1]);
      });
  func::ReturnOp::create(b, bufferAsTensor(b, packed));
  return function;
}

} // namespace

bool moec::cpu::canPack(RankedTensorType weightType, PackedLayout layout) {
  if (!weightType.hasStaticShape() ||
      (weightType.getRank() != 2 && weightType.getRank() != 3) ||
      layout.panelColumns <= 0)
    return false;
  std::array<int64_t, 3> shape = expertShape(weightType);
  return shape[2] % layout.panelColumns == 0 &&
         (!layout.pairs || shape[1] % 2 == 0);
}

RankedTensorType moec::cpu::packedType(RankedTensorType weightType,
                                       PackedLayout layout) {
  auto [experts, k, n] = expertShape(weightType);
  int64_t nr = layout.panelColumns;
  SmallVector<int64_t> shape =
      layout.pairs ? SmallVector<int64_t>{experts, n / nr, k / 2, 2 * nr}
                   : SmallVector<int64_t>{experts, n / nr, k, nr};
  return RankedTensorType::get(shape, weightType.getElementType());
}

Value moec::cpu::packWeight(ImplicitLocOpBuilder &b, ModuleOp module,
                            Value weight, PackedLayout layout) {
  auto type = cast<RankedTensorType>(weight.getType());
  std::string name = functionName(type, layout);
  auto function = module.lookupSymbol<func::FuncOp>(name);
  if (!function)
    function = createPackFunction(module, name, type, layout);
  return func::CallOp::create(b, function, ValueRange{weight}).getResult(0);
}
