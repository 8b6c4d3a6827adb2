//===- CostModel.cpp - time estimate of a moe_npu plan --------------------===//
//
// estimatePlan: what each kernel holds (tiles, buffers) read off the IR,
// what it does (time per pipe, FLOPs, GM bytes) from running block 0
// through the plan interpreter with the timing handler, and the target's
// roofline for that work.
//
//===----------------------------------------------------------------------===//

#include "CostModelTimeline.h"
#include "PlanBuffers.h"

#include "moec/NPU/CostModel.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;

namespace moec::npu {
namespace {

/// The local memories each region of `kernel` uses, in memory-space order.
std::vector<MemoryUse> memoryOf(KernelOp kernel, const TargetDesc &target) {
  std::vector<MemoryUse> uses;
  for (bool cube : {true, false}) {
    Region &region = cube ? kernel.getCube() : kernel.getVector();
    std::array<int64_t, 6> bytes{};
    for (AllocOp alloc : regionAllocs(region))
      bytes[static_cast<unsigned>(alloc.getSpace())] +=
          allocBytes(alloc).value_or(0);
    for (auto [space, used] : llvm::enumerate(bytes)) {
      if (used == 0)
        continue;
      StringRef name = getLevelName(static_cast<MemorySpace>(space));
      const MemoryLevel *level = target.level(name);
      uses.push_back({name.str(), cube, used,
                      level ? static_cast<int64_t>(level->capacityBytes) : 0});
    }
  }
  return uses;
}

/// The kernel as the IR states it, before anything runs.
KernelEstimate describeKernel(KernelOp kernel, const TargetDesc &target) {
  KernelEstimate estimate;
  estimate.name = kernel.getKernelName().str();
  estimate.grid = kernel.getGrid();
  estimate.subblocks = kernel.getSubblocks();
  estimate.tiling = kernelTiling(kernel);
  estimate.memory = memoryOf(kernel, target);
  return estimate;
}

/// Adds the timing of block 0 and the roofline of the whole grid.
void addTiming(KernelEstimate &estimate, const KernelTiming &timing,
               const TargetDesc &target) {
  estimate.busy = timing.busy;
  estimate.estimateUs = timing.finishUs;
  // Ties go to the pipe listed first.
  estimate.bound = kReportPipeOrder.front();
  for (mlir::moe_npu::Pipe pipe : kReportPipeOrder)
    if (timing.busy[static_cast<unsigned>(pipe)].us >
        estimate.busy[static_cast<unsigned>(estimate.bound)].us)
      estimate.bound = pipe;
  double grid = static_cast<double>(estimate.grid);
  for (const auto &entry : timing.flops) {
    double flops = entry.getValue() * grid;
    estimate.flops += flops;
    // TFLOP/s is FLOPs per µs times 1e-6.
    double peak = target.peakTflops(entry.getKey());
    if (peak > 0)
      estimate.computeUs += flops / (peak * 1e6);
  }
  estimate.gmBytes = timing.gmBytes * grid;
  const MemoryLevel *gm = target.level("GM");
  // GB/s is bytes per µs times 1e-3.
  if (gm && gm->bandwidthGBs > 0)
    estimate.memoryUs = estimate.gmBytes / (gm->bandwidthGBs * 1e3);
}

llvm::Error estimateError(func::FuncOp plan, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "cost model of @" + plan.getSymName() + ": " +
                                     message);
}

} // namespace

double PlanEstimate::totalUs() const {
  double total = 0;
  for (const KernelEstimate &kernel : kernels)
    total += kernel.estimateUs;
  return total;
}

double PlanEstimate::totalFlops() const {
  double total = 0;
  for (const KernelEstimate &kernel : kernels)
    total += kernel.flops;
  return total;
}

double PlanEstimate::totalGmBytes() const {
  double total = 0;
  for (const KernelEstimate &kernel : kernels)
    total += kernel.gmBytes;
  return total;
}

double PlanEstimate::totalRooflineUs() const {
  double total = 0;
  for (const KernelEstimate &kernel : kernels)
    total += kernel.rooflineUs();
  return total;
}

llvm::Expected<PlanEstimate> estimatePlan(func::FuncOp plan,
                                          const TargetDesc &target,
                                          int64_t tokens,
                                          const CostParams &params) {
  if (tokens <= 0)
    return estimateError(plan, llvm::formatv("the token count must be "
                                             "positive, got {0}",
                                             tokens));
  // Every dynamic dimension of an argument is a token count.
  SmallVector<SmallVector<int64_t>> shapes;
  for (auto [index, type] : llvm::enumerate(plan.getArgumentTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref)
      return estimateError(plan, llvm::formatv("argument {0} is {1}, not a "
                                               "GM buffer",
                                               index, type));
    SmallVector<int64_t> shape;
    for (int64_t size : memref.getShape())
      shape.push_back(ShapedType::isDynamic(size) ? tokens : size);
    shapes.push_back(std::move(shape));
  }

  TimingHandler handler(target, params);
  InterpreterOptions options;
  options.blocks = {0};
  if (llvm::Error err = interpretPlan(plan, shapes, handler, options))
    return estimateError(plan, llvm::toString(std::move(err)));

  // The interpreter runs the kernels of the plan body in order, once each.
  SmallVector<KernelOp> kernels(plan.getBody().getOps<KernelOp>());
  if (kernels.size() != handler.kernels().size())
    return estimateError(plan, llvm::formatv("{0} kernel(s) in the plan but "
                                             "{1} timed",
                                             kernels.size(),
                                             handler.kernels().size()));
  PlanEstimate estimate;
  estimate.function = plan.getSymName().str();
  estimate.target = target.name;
  estimate.tokens = tokens;
  for (auto [kernel, timing] : llvm::zip(kernels, handler.kernels())) {
    estimate.kernels.push_back(describeKernel(kernel, target));
    addTiming(estimate.kernels.back(), timing, target);
  }
  return estimate;
}

} // namespace moec::npu
