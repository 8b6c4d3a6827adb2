//===- TileSelection.cpp - cube and vector tiles from a target ------------===//

#include "TileSelection.h"

#include "moec/NPU/CostModel.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <numeric>

using namespace moec;
using namespace moec::npu;

namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Capacity of a level, or an error when the target lacks it.
llvm::Expected<int64_t> capacityOf(const TargetDesc &target,
                                   llvm::StringRef level) {
  const MemoryLevel *found = target.level(level);
  if (!found || found->capacityBytes == 0)
    return error("target '" + target.name + "' has no memory level '" + level +
                 "' with a capacity");
  return static_cast<int64_t>(found->capacityBytes);
}

} // namespace

int64_t moec::npu::elementBytes(llvm::StringRef elementType) {
  return elementType == "f16" || elementType == "bf16" ? 2 : 4;
}

llvm::Expected<MatrixMode> moec::npu::cubeFractal(const TargetDesc &target,
                                                  llvm::StringRef elementType) {
  if (const MatrixMode *mode = target.matrixMode(elementType))
    return *mode;
  std::vector<std::string> have;
  for (const MatrixMode &mode : target.matrixModes)
    have.push_back(mode.elementType);
  return error("target '" + target.name + "' has no cube mode for " +
               elementType + " (it has: " + llvm::join(have, ", ") + ")");
}

llvm::Expected<GemmTiles>
moec::npu::selectGemmTiles(const TargetDesc &target,
                           const GemmProblem &problem) {
  auto mode = cubeFractal(target, problem.elementType);
  if (!mode)
    return mode.takeError();
  int64_t l0a = 0, l0b = 0, l0c = 0, l1 = 0;
  for (auto [level, bytes] : {std::pair{"L0A", &l0a}, std::pair{"L0B", &l0b},
                              std::pair{"L0C", &l0c}, std::pair{"L1", &l1}}) {
    auto capacity = capacityOf(target, level);
    if (!capacity)
      return capacity.takeError();
    *bytes = *capacity;
  }
  int64_t es = elementBytes(problem.elementType);
  int64_t rhs = problem.rhsOperands;
  // Both operands sit in L1 as fractals of 16 rows x 32 bytes and enter the
  // cube as m0 x k0 and k0 x n0 fractals: every dimension is a multiple of
  // all that apply to it.
  int64_t rowsOfBlock = 16, colsOfBlock = 32 / es;
  int64_t mGranule = std::lcm(mode->m0, rowsOfBlock);
  int64_t kGranule = std::lcm(std::lcm(mode->k0, rowsOfBlock), colsOfBlock);
  int64_t nGranule = std::lcm(mode->n0, colsOfBlock);
  // Tiles never exceed the problem (rounded up to the granule).
  int64_t maxBn = roundUp(problem.n, nGranule);
  int64_t maxBk = roundUp(problem.k, kGranule);
  // The cost model's view of one K step of one core, in cycles (see
  // docs/npu-cost-model.md): loads, L1 -> L0 copies and mmads overlap
  // (double buffers), FixPipe drains the accumulators once per output tile.
  // On-chip bandwidths are per core; GM's is shared by the cube cores.
  double clockHz = target.clockGHz * 1e9;
  auto bytesPerCycle = [&](llvm::StringRef level, int64_t sharers) {
    const MemoryLevel *found = target.level(level);
    return found && found->bandwidthGBs > 0
               ? found->bandwidthGBs * 1e9 / sharers / clockHz
               : 0.0;
  };
  double gmRate = bytesPerCycle("GM", std::max<int64_t>(1, target.matrixCores));
  double l1Rate = bytesPerCycle("L1", 1), fixRate = bytesPerCycle("L0C", 1);
  double burst = CostParams().burstCycles;
  double fractalCycles = double(mode->m0 * mode->k0 * mode->n0) /
                         std::max<int64_t>(1, mode->macsPerCycle);
  auto cyclesPerMac = [&](int64_t bm, int64_t bn, int64_t bk) {
    double bytes = double(bm * bk + rhs * bk * bn) * es;
    double cube = rhs * double(bm / mode->m0) * (bk / mode->k0) *
                  (bn / mode->n0) * fractalCycles;
    // A gathered left operand is one burst per row.
    double bursts = (problem.gatheredLhs ? bm : 1) + rhs;
    double load = (gmRate > 0 ? bytes / gmRate : 0) + bursts * burst;
    double copy = l1Rate > 0 ? bytes / l1Rate : 0;
    double kSteps = double((problem.k + bk - 1) / bk);
    double drain =
        fixRate > 0 ? double(rhs * bm * bn * 4) / fixRate / kSteps : 0;
    return (std::max({cube, load, copy}) + drain) / double(rhs * bm * bn * bk);
  };
  GemmTiles best;
  double bestCost = 0;
  auto consider = [&](int64_t bm, int64_t bn, int64_t bk) {
    bool fits = 2 * bm * bk * es <= l0a && 2 * rhs * bk * bn * es <= l0b &&
                rhs * bm * bn * 4 <= l0c &&
                2 * (bm * bk + rhs * bk * bn) * es <= l1;
    if (!fits)
      return;
    double cost = cyclesPerMac(bm, bn, bk);
    // Ties: deeper K steps (fewer flag round trips), then fewer rows, which
    // wastes less of the cube on the partial tiles of small expert groups.
    bool better = best.bm == 0 || cost < bestCost * (1 - 1e-9) ||
                  (cost <= bestCost * (1 + 1e-9) &&
                   (bk > best.bk || (bk == best.bk && bm < best.bm)));
    if (better) {
      bestCost = cost;
      best = {bm, bn, bk};
    }
  };
  for (int64_t bm = mGranule; bm <= 256; bm *= 2) {
    if (problem.fixedBm && bm != problem.fixedBm)
      continue;
    for (int64_t bn = nGranule;
         bn <= std::max(nGranule, std::min<int64_t>(256, maxBn)); bn *= 2)
      for (int64_t bk = kGranule;
           bk <= std::max(kGranule, std::min<int64_t>(512, maxBk)); bk *= 2)
        consider(bm, bn, bk);
  }
  if (best.bm == 0)
    return error(llvm::formatv(
        "no {0} cube tile fits target '{1}' (L0A {2}, L0B {3}, L0C {4}, L1 "
        "{5} bytes; fractal {6}x{7}x{8}{9})",
        problem.elementType, target.name, l0a, l0b, l0c, l1, mode->m0, mode->k0,
        mode->n0,
        problem.fixedBm
            ? llvm::formatv(", bm fixed at {0}", problem.fixedBm).str()
            : std::string()));
  return best;
}

llvm::Expected<int64_t>
moec::npu::selectVectorRows(const TargetDesc &target, int64_t bytesPerRow,
                            int64_t fixedBytes, int64_t rowMultiple,
                            int64_t maxRows, llvm::StringRef what) {
  auto ub = capacityOf(target, "UB");
  if (!ub)
    return ub.takeError();
  int64_t best = 0;
  for (int64_t rows = 1; rows <= maxRows; rows *= 2)
    if (rows % rowMultiple == 0 && fixedBytes + rows * bytesPerRow <= *ub)
      best = rows;
  if (best == 0)
    return error(llvm::formatv(
        "{0}: not even {1} row(s) fit UB of target '{2}' ({3} bytes; {4} "
        "bytes per row plus {5})",
        what, rowMultiple, target.name, *ub, bytesPerRow, fixedBytes));
  return best;
}
