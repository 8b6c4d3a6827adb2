//===- Plan.cpp - --moe-npu-plan: tiled moe ops to a kernel plan ----------===//
//
// Walks a decomposed, tiled layer in order and emits one kernel launch per
// op group (see the pass description): tensors become GM buffers (function
// arguments, out-parameters or workspaces), each group a moe_npu.kernel.
//
//===----------------------------------------------------------------------===//

#include "CubeKernels.h"
#include "LayerPatterns.h"
#include "VectorKernels.h"

#include "moec/Codegen/Passes.h"
#include "moec/Dialect/MoE/MoEOps.h"
#include "moec/Dialect/MoENpu/MoENpuOps.h"
#include "moec/Pipelines/NPUPipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::moe {
#define GEN_PASS_DEF_MOENPUPLAN
#include "moec/Codegen/Passes.h.inc"
} // namespace mlir::moe

using namespace mlir;
using namespace moec;
using namespace moec::npu;
namespace npu_ir = mlir::moe_npu;

namespace {

constexpr llvm::StringLiteral kTiling = "moe_npu.tiling";

/// What a moe.dispatch became: the metadata the grouped GEMMs and the
/// combine read.
struct DispatchPlan {
  Value x, tokens, pairRows, tiles, tableLength;
  int64_t bm = 0;
};

class Planner {
public:
  Planner(func::FuncOp source, const TargetDesc &target)
      : source(source), target(target), b(source.getContext()) {}

  LogicalResult run();

private:
  LogicalResult planOp(Operation *op);
  LogicalResult planMatmul(linalg::MatmulOp matmul);
  LogicalResult planRouter(moe::RouterOp router);
  LogicalResult planDispatch(moe::DispatchOp dispatch);
  LogicalResult planGroupedMatmul(moe::GroupedMatmulOp gemm);
  LogicalResult planSwiglu(moe::SwigluOp swiglu);
  LogicalResult planCombine(moe::CombineOp combine);

  /// The GM buffer holding `tensor`; it must have been planned.
  Value bufferOf(Value tensor) { return buffers.lookup(tensor); }
  /// A GM buffer for `tensor`: its out-parameter when the function returns
  /// it, else a new workspace with `rows` rows.
  Value newBuffer(Value tensor, Value rows, StringRef name);
  Value workspace(StringRef name, ArrayRef<int64_t> shape, Type element,
                  Value rows);

  FailureOr<GemmTiles> tilesOf(Operation *op, Attribute &attr);
  FailureOr<GemmSpec> gemmSpec(Operation *gemm, StringRef name);
  /// The left operand of a GEMM over `tensor`: the dispatch's gathered rows
  /// are read from `x` through the token list.
  LhsOperand lhsOf(Value tensor);
  FailureOr<RowTiling> groupedRows(Operation *gemm, Value offsets, int64_t bm);

  func::FuncOp source, plan;
  const TargetDesc &target;
  OpBuilder b;
  DenseMap<Value, Value> buffers;
  DenseMap<Value, Value> outParams;
  /// Keyed by each result of the dispatch op.
  DenseMap<Value, std::shared_ptr<DispatchPlan>> dispatches;
};

LogicalResult Planner::run() {
  Location loc = source.getLoc();
  SmallVector<Type> argTypes;
  for (Type type : source.getArgumentTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return source.emitOpError("has a non-tensor argument of type ")
             << type << "; a plan takes ranked tensors only";
    argTypes.push_back(planBufferType(
        tensor.getShape(), tensor.getElementType(), MemorySpace::gm));
  }
  for (Type type : source.getResultTypes()) {
    auto tensor = cast<RankedTensorType>(type);
    argTypes.push_back(planBufferType(
        tensor.getShape(), tensor.getElementType(), MemorySpace::gm));
  }
  b.setInsertionPoint(source);
  plan = func::FuncOp::create(b, loc, source.getName(),
                              b.getFunctionType(argTypes, {}));
  plan->setAttr(kPlanAttrName, b.getUnitAttr());
  Block *entry = plan.addEntryBlock();
  for (auto [arg, buffer] :
       llvm::zip(source.getArguments(), entry->getArguments()))
    buffers[arg] = buffer;
  auto ret = cast<func::ReturnOp>(source.getBody().front().getTerminator());
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    if (isa<BlockArgument>(value))
      return ret.emitOpError("returns argument ")
             << cast<BlockArgument>(value).getArgNumber()
             << " unchanged, which a plan does not copy";
    outParams[value] = entry->getArgument(source.getNumArguments() + index);
  }
  b.setInsertionPointToEnd(entry);
  for (Operation &op : source.getBody().front().without_terminator())
    if (failed(planOp(&op)))
      return failure();
  func::ReturnOp::create(b, loc);
  source.erase();
  return success();
}

LogicalResult Planner::planOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](linalg::MatmulOp matmul) { return planMatmul(matmul); })
      .Case([&](moe::RouterOp router) { return planRouter(router); })
      .Case([&](moe::DispatchOp dispatch) { return planDispatch(dispatch); })
      .Case([&](moe::GroupedMatmulOp gemm) { return planGroupedMatmul(gemm); })
      .Case([&](moe::SwigluOp swiglu) { return planSwiglu(swiglu); })
      .Case([&](moe::CombineOp combine) {
        // Combined with the shared experts' output at the linalg.add,
        // once that output is planned.
        return matchCombineAdd(combine) ? success() : planCombine(combine);
      })
      .Case([&](linalg::AddOp add) -> LogicalResult {
        for (Value input : add.getDpsInputs())
          if (auto combine = input.getDefiningOp<moe::CombineOp>())
            if (matchCombineAdd(combine) == add)
              return planCombine(combine);
        return add.emitOpError("has no NPU plan: only the sum of moe.combine "
                               "and the shared experts' output is planned");
      })
      // Shapes and zero inits: the kernels size and initialise their own
      // buffers.
      .Case<tensor::DimOp, tensor::EmptyOp, linalg::FillOp, arith::ConstantOp>(
          [](Operation *) { return success(); })
      .Default([](Operation *op) {
        return op->emitOpError(
            "has no NPU plan (the planner takes decomposed moe layers: "
            "linalg.matmul, moe.router, moe.dispatch, moe.grouped_matmul, "
            "moe.swiglu, moe.combine and the shared experts' linalg.add)");
      });
}

Value Planner::workspace(StringRef name, ArrayRef<int64_t> shape, Type element,
                         Value rows) {
  SmallVector<Value> sizes;
  if (ShapedType::isDynamic(shape[0]))
    sizes.push_back(rows);
  return npu_ir::WorkspaceOp::create(
      b, plan.getLoc(), planBufferType(shape, element, MemorySpace::gm),
      b.getStringAttr(name), sizes);
}

Value Planner::newBuffer(Value tensor, Value rows, StringRef name) {
  Value buffer = outParams.lookup(tensor);
  if (!buffer) {
    auto type = cast<RankedTensorType>(tensor.getType());
    buffer = workspace(name, type.getShape(), type.getElementType(), rows);
  }
  buffers[tensor] = buffer;
  return buffer;
}

FailureOr<GemmTiles> Planner::tilesOf(Operation *op, Attribute &attr) {
  auto tiling = op->getAttrOfType<npu_ir::GemmTilingAttr>(kTiling);
  if (!tiling)
    return op->emitOpError("has no #moe_npu.gemm_tiling '")
           << kTiling << "' (run --moe-npu-select-tiles first)";
  attr = tiling;
  return GemmTiles{tiling.getBm(), tiling.getBn(), tiling.getBk()};
}

LhsOperand Planner::lhsOf(Value tensor) {
  auto it = dispatches.find(tensor);
  if (it != dispatches.end())
    return {it->second->x, it->second->tokens};
  return {bufferOf(tensor), Value()};
}

FailureOr<GemmSpec> Planner::gemmSpec(Operation *gemm, StringRef name) {
  GemmSpec spec;
  auto tiles = tilesOf(gemm, spec.tilingAttr);
  if (failed(tiles))
    return failure();
  spec.name = name.str();
  spec.tiles = *tiles;
  spec.lhs = lhsOf(gemmLhs(gemm));
  if (!spec.lhs.buffer)
    return gemm->emitOpError("reads a tensor the plan has no buffer for");
  Value rhs = gemmRhs(gemm);
  spec.k = dimOf(rhs, cast<ShapedType>(rhs.getType()).getRank() - 2);
  spec.n = dimOf(rhs, cast<ShapedType>(rhs.getType()).getRank() - 1);
  if (auto grouped = dyn_cast<moe::GroupedMatmulOp>(gemm)) {
    auto rows = groupedRows(gemm, grouped.getOffsets(), spec.tiles.bm);
    if (failed(rows))
      return failure();
    spec.rows = *rows;
  } else {
    IndexBuilder ib(b, gemm->getLoc());
    spec.rows.bm = spec.tiles.bm;
    spec.rows.rows = ib.dim(spec.lhs.buffer, 0);
  }
  return spec;
}

FailureOr<RowTiling> Planner::groupedRows(Operation *gemm, Value offsets,
                                          int64_t bm) {
  auto it = dispatches.find(offsets);
  if (it == dispatches.end())
    return gemm->emitOpError(
        "groups rows by offsets that no planned moe.dispatch produced");
  const DispatchPlan &dispatch = *it->second;
  if (dispatch.bm != bm)
    return gemm->emitOpError("has row tiles of ")
           << bm << " but the dispatch's tile table was cut for " << dispatch.bm
           << "; the grouped GEMMs of one dispatch share bm";
  RowTiling rows;
  rows.bm = bm;
  rows.table = dispatch.tiles;
  rows.tableLength = dispatch.tableLength;
  return rows;
}

LogicalResult Planner::planMatmul(linalg::MatmulOp matmul) {
  if (!isZeroInitMatmul(matmul))
    return matmul.emitOpError(
        "has no NPU plan: only a linalg.matmul into a zero fill is planned");
  // A gate or up projection of the shared experts is planned with its
  // SwiGLU.
  if (matmul->hasOneUse())
    if (auto swiglu = dyn_cast<moe::SwigluOp>(*matmul->getUsers().begin()))
      if (matchGateUp(swiglu))
        return success();
  Value lhs = matmul.getDpsInputs()[0];
  bool logits = llvm::all_of(matmul->getUsers(), [](Operation *user) {
    return isa<moe::RouterOp>(user);
  });
  bool sharedDown = static_cast<bool>(lhs.getDefiningOp<moe::SwigluOp>());
  StringRef name =
      logits ? "router_logits" : (sharedDown ? "shared_down" : "gemm");
  auto spec = gemmSpec(matmul, name);
  if (failed(spec))
    return failure();
  Value out =
      newBuffer(matmul.getResult(0), spec->rows.rows,
                logits ? "logits" : (sharedDown ? "shared_out" : "gemm_out"));
  emitGemmKernel(b, matmul.getLoc(), target, *spec, bufferOf(gemmRhs(matmul)),
                 out);
  return success();
}

LogicalResult Planner::planRouter(moe::RouterOp router) {
  auto tiling = router->getAttrOfType<npu_ir::VectorTilingAttr>(kTiling);
  if (!tiling)
    return router.emitOpError("has no #moe_npu.vector_tiling '")
           << kTiling << "' (run --moe-npu-select-tiles first)";
  Value logits = bufferOf(router.getLogits());
  if (!logits || !elementOf(router.getLogits()).isF32() ||
      !elementOf(router.getWeights()).isF32() ||
      !elementOf(router.getIds()).isInteger(32))
    return router.emitOpError(
        "has no NPU plan: the vector router takes f32 logits from a planned "
        "GEMM and writes f32 weights and i32 ids");
  Value bias;
  if (router.getBias()) {
    bias = bufferOf(router.getBias());
    if (!elementOf(router.getBias()).isF32())
      return router.emitOpError("has no NPU plan for a non-f32 bias");
  }
  IndexBuilder ib(b, router.getLoc());
  Value tokens = ib.dim(logits, 0);
  Value weights = newBuffer(router.getWeights(), tokens, "weights");
  Value ids = newBuffer(router.getIds(), tokens, "ids");
  emitRouterKernel(b, router.getLoc(), target, logits, bias, weights, ids,
                   router.getRouting(), tiling.getRows(), tiling);
  return success();
}

LogicalResult Planner::planDispatch(moe::DispatchOp dispatch) {
  if (dispatch.getBlock() || dispatch.getCapacity())
    return dispatch.emitOpError(
        "has no NPU plan with 'block' or 'capacity' padding yet; the plan "
        "cuts expert groups into tiles itself");
  if (!elementOf(dispatch.getIds()).isInteger(32))
    return dispatch.emitOpError("has no NPU plan for non-i32 expert ids");
  // The grouped GEMMs reading these offsets share one row tile.
  int64_t bm = 0;
  for (Operation *user : dispatch.getOffsets().getUsers())
    if (auto tiling = user->getAttrOfType<npu_ir::GemmTilingAttr>(kTiling)) {
      bm = tiling.getBm();
      break;
    }
  if (bm == 0)
    return dispatch.emitOpError(
        "feeds no tiled moe.grouped_matmul (run --moe-npu-select-tiles "
        "first)");
  int64_t experts = dispatch.getNumExperts();
  int64_t k = dimOf(dispatch.getIds(), 1);
  Location loc = dispatch.getLoc();
  IndexBuilder ib(b, loc);
  Value ids = bufferOf(dispatch.getIds());
  Value pairs = ib.mul(ib.dim(ids, 0), ib.c(k));
  auto plan = std::make_shared<DispatchPlan>();
  plan->x = bufferOf(dispatch.getX());
  plan->bm = bm;
  plan->tableLength = ib.add(ib.ceilDiv(pairs, ib.c(bm)), ib.c(experts));
  Type i32 = b.getI32Type();
  plan->tokens = workspace("tokens", {ShapedType::kDynamic}, i32, pairs);
  plan->pairRows = workspace("pair_rows", {ShapedType::kDynamic}, i32, pairs);
  plan->tiles =
      workspace("tiles", {ShapedType::kDynamic, 3}, i32, plan->tableLength);
  emitDispatchKernel(b, loc, ids, plan->tokens, plan->pairRows, plan->tiles,
                     experts, bm);
  for (Value result : dispatch->getResults())
    dispatches[result] = plan;
  return success();
}

LogicalResult Planner::planGroupedMatmul(moe::GroupedMatmulOp gemm) {
  if (gemm->hasOneUse())
    if (auto swiglu = dyn_cast<moe::SwigluOp>(*gemm->getUsers().begin()))
      if (matchGateUp(swiglu))
        return success();
  auto spec = gemmSpec(gemm, "expert_down");
  if (failed(spec))
    return failure();
  IndexBuilder ib(b, gemm.getLoc());
  Value rows = ib.dim(dispatches.lookup(gemm.getOffsets())->tokens, 0);
  Value out = newBuffer(gemm.getResult(), rows, "expert_out");
  emitGemmKernel(b, gemm.getLoc(), target, *spec, bufferOf(gemm.getWeight()),
                 out);
  return success();
}

LogicalResult Planner::planSwiglu(moe::SwigluOp swiglu) {
  auto pattern = matchGateUp(swiglu);
  if (!pattern)
    return swiglu.emitOpError(
        "has no NPU plan: SwiGLU is planned fused with its gate and up GEMMs "
        "(two GEMMs of the same input, used only here)");
  auto vectorTiling = swiglu->getAttrOfType<npu_ir::VectorTilingAttr>(kTiling);
  if (!vectorTiling)
    return swiglu.emitOpError("has no #moe_npu.vector_tiling '")
           << kTiling << "' (run --moe-npu-select-tiles first)";
  Value lhsTensor = gemmLhs(pattern->gate);
  StringRef name = pattern->grouped ? "expert_gate_up" : "shared_gate_up";
  auto spec = gemmSpec(pattern->gate, name);
  if (failed(spec))
    return failure();
  Attribute upTiling;
  auto upTiles = tilesOf(pattern->up, upTiling);
  if (failed(upTiles))
    return failure();
  if (upTiling != spec->tilingAttr)
    return pattern->up->emitOpError("has tiles ")
           << upTiling << " but its gate GEMM has " << spec->tilingAttr
           << "; the fused gate/up kernel needs one tiling";
  if (vectorTiling.getCols() != spec->tiles.bn)
    return swiglu.emitOpError("has vector tiles of ")
           << vectorTiling.getCols() << " columns but its GEMMs' bn is "
           << spec->tiles.bn;
  Value gateWeight = bufferOf(gemmRhs(pattern->gate));
  Value upWeight = bufferOf(gemmRhs(pattern->up));
  IndexBuilder ib(b, swiglu.getLoc());
  Value rows = spec->rows.isGrouped()
                   ? ib.dim(dispatches.lookup(lhsTensor)->tokens, 0)
                   : spec->rows.rows;
  Value handoff =
      workspace(pattern->grouped ? "gate_up_handoff" : "shared_gate_up_handoff",
                gateUpHandoffShape(target, spec->tiles),
                elementOf(swiglu.getGate()), Value());
  Value h =
      newBuffer(swiglu.getResult(), rows, pattern->grouped ? "h" : "shared_h");
  std::optional<double> limit;
  if (swiglu.getLimit())
    limit = swiglu.getLimit()->convertToDouble();
  emitGateUpKernel(b, swiglu.getLoc(), target, *spec, gateWeight, upWeight,
                   handoff, h, vectorTiling.getRows(), vectorTiling, limit);
  return success();
}

LogicalResult Planner::planCombine(moe::CombineOp combine) {
  auto tiling = combine->getAttrOfType<npu_ir::VectorTilingAttr>(kTiling);
  if (!tiling)
    return combine.emitOpError("has no #moe_npu.vector_tiling '")
           << kTiling << "' (run --moe-npu-select-tiles first)";
  auto dispatch = dispatches.find(combine.getPerm());
  if (dispatch == dispatches.end())
    return combine.emitOpError(
        "unpermutes with a perm that no planned moe.dispatch produced");
  Value result = combine.getResult();
  Value init;
  if (linalg::AddOp add = matchCombineAdd(combine)) {
    Value other = add.getDpsInputs()[0] == result ? add.getDpsInputs()[1]
                                                  : add.getDpsInputs()[0];
    init = bufferOf(other);
    if (!init || elementOf(other) != elementOf(result))
      return add.emitOpError("adds a tensor the plan cannot start the "
                             "combine's sum from");
    result = add.getResult(0);
  }
  Value weights = bufferOf(combine.getWeights());
  IndexBuilder ib(b, combine.getLoc());
  Value out = newBuffer(result, ib.dim(weights, 0), "combined");
  emitCombineKernel(b, combine.getLoc(), target,
                    bufferOf(combine.getExpertOut()),
                    dispatch->second->pairRows, weights, init, out,
                    tiling.getRows(), tiling.getCols(), tiling);
  return success();
}

struct MoENpuPlan : mlir::moe::impl::MoENpuPlanBase<MoENpuPlan> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetDesc> target = planningTarget(module);
    if (failed(target))
      return signalPassFailure();
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func->hasAttr(kPlanAttrName) && !func.isExternal())
        functions.push_back(func);
    for (func::FuncOp func : functions)
      if (failed(Planner(func, *target).run()))
        return signalPassFailure();
  }
};

} // namespace
