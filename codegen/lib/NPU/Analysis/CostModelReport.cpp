//===- CostModelReport.cpp - the text of --moe-plan-report ----------------===//
//
// Per kernel, a few lines of what it holds (grid, tiles, buffer occupancy,
// roofline split), then one table of times with a row per kernel and a
// total row. Fixed column widths and three decimals, so that tests can
// match lines; the layout is documented in docs/npu-cost-model.md.
//
//===----------------------------------------------------------------------===//

#include "moec/NPU/CostModel.h"
#include "moec/NPU/PlanInterpreter.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace moec::npu;

namespace {

constexpr double kBytesPerMB = 1e6, kFlopsPerGFlop = 1e9;

void printMemory(const KernelEstimate &kernel, bool cube,
                 llvm::raw_ostream &os) {
  llvm::SmallVector<std::string> items;
  for (const MemoryUse &use : kernel.memory)
    if (use.cube == cube)
      items.push_back(
          llvm::formatv("{0} {1} B ({2:F1}%)", use.level, use.bytes,
                        use.capacity ? 100.0 * use.bytes / use.capacity : 0.0));
  if (!items.empty())
    os << "  " << (cube ? "cube" : "vector")
       << " memory: " << llvm::join(items, ", ") << "\n";
}

void printKernelHeader(const KernelEstimate &kernel, llvm::raw_ostream &os) {
  os << "kernel '" << kernel.name << "': grid = " << kernel.grid
     << ", subblocks = " << kernel.subblocks
     << ", tiles = " << (kernel.tiling.empty() ? "-" : kernel.tiling) << "\n";
  printMemory(kernel, /*cube=*/true, os);
  printMemory(kernel, /*cube=*/false, os);
  os << llvm::formatv("  roofline: compute {0:F3} us, GM {1:F3} us\n",
                      kernel.computeUs, kernel.memoryUs);
}

std::string ratio(double estimate, double roofline) {
  return roofline > 0 ? llvm::formatv("{0:F2}", estimate / roofline).str()
                      : "-";
}

/// One row of the table; `busy` and `bound` are empty for the total row.
void printRow(llvm::raw_ostream &os, size_t nameWidth, llvm::StringRef name,
              const std::array<PipeBusy, kNumPipes> *busy,
              const std::string &bound, double estimate, double flops,
              double bytes, double roofline) {
  os << llvm::left_justify(name, nameWidth);
  for (mlir::moe_npu::Pipe pipe : kReportPipeOrder) {
    if (busy)
      os << llvm::formatv(" {0,10:F3}",
                          (*busy)[static_cast<unsigned>(pipe)].us);
    else
      os << llvm::formatv(" {0,10}", "");
  }
  os << llvm::formatv(" {0,12:F3} {1,-11} {2,10:F3} {3,10:F3} {4,12:F3} {5,8}",
                      estimate, bound, flops / kFlopsPerGFlop,
                      bytes / kBytesPerMB, roofline, ratio(estimate, roofline))
     << "\n";
}

} // namespace

void moec::npu::printPlanEstimate(const PlanEstimate &estimate,
                                  llvm::raw_ostream &os) {
  os << "plan @" << estimate.function << " on " << estimate.target
     << ", tokens = " << estimate.tokens
     << ": block 0 of each kernel timed; FLOPs and GM bytes are block 0's "
        "times the grid\n";
  size_t nameWidth = std::string("kernel").size();
  for (const KernelEstimate &kernel : estimate.kernels) {
    printKernelHeader(kernel, os);
    nameWidth = std::max(nameWidth, kernel.name.size());
  }

  os << llvm::left_justify("kernel", nameWidth);
  for (mlir::moe_npu::Pipe pipe : kReportPipeOrder)
    os << llvm::formatv(" {0,10}", pipeName(pipe) + " us");
  os << llvm::formatv(" {0,12} {1,-11} {2,10} {3,10} {4,12} {5,8}",
                      "estimate us", "bound", "GFLOP", "GM MB", "roofline us",
                      "est/roof")
     << "\n";
  for (const KernelEstimate &kernel : estimate.kernels) {
    std::string bound =
        kernel.estimateUs > 0
            ? pipeName(kernel.bound) +
                  (kernel.busy[static_cast<unsigned>(kernel.bound)].onCube
                       ? " (AIC)"
                       : " (AIV)")
            : "-";
    printRow(os, nameWidth, kernel.name, &kernel.busy, bound, kernel.estimateUs,
             kernel.flops, kernel.gmBytes, kernel.rooflineUs());
  }
  printRow(os, nameWidth, "total", nullptr, "", estimate.totalUs(),
           estimate.totalFlops(), estimate.totalGmBytes(),
           estimate.totalRooflineUs());
}
