//===- GemmTiling.cpp - GEMM tile sizes from the CPU description ----------===//

#include "moec/Target/CPUTarget.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>

using namespace moec;

namespace {

constexpr llvm::StringLiteral kLanes = "lanes", kMr = "mr", kNv = "nv",
                              kMt = "mt", kKc = "kc", kBf16Dot = "bf16_dot";
constexpr llvm::StringLiteral kValidKeys = "lanes, mr, nv, mt, kc, bf16_dot";
/// K blocks are whole cache lines of f32 and whole k pairs of bf16.
constexpr int64_t kKcGranule = 16;

/// Rows of the register tile unless the register file is too small for it;
/// see selectGemmTiling in the header.
constexpr int64_t kPreferredRows = 6;
/// Work items never exceed this many register tiles: expert groups differ in
/// size, and small items keep the cores evenly loaded.
constexpr int64_t kMaxTilesPerItem = 16;

llvm::Error tilingError(const llvm::Twine &message) {
  return llvm::createStringError(kCPUTilingAttrName + ": " + message);
}

std::string print(mlir::Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  return text;
}

} // namespace

mlir::DictionaryAttr GemmTiling::toAttr(mlir::MLIRContext *context) const {
  mlir::Builder b(context);
  return b.getDictionaryAttr({
      b.getNamedAttr(kLanes, b.getI64IntegerAttr(lanes)),
      b.getNamedAttr(kMr, b.getI64IntegerAttr(mr)),
      b.getNamedAttr(kNv, b.getI64IntegerAttr(nv)),
      b.getNamedAttr(kMt, b.getI64IntegerAttr(mt)),
      b.getNamedAttr(kKc, b.getI64IntegerAttr(kc)),
      b.getNamedAttr(kBf16Dot, b.getBoolAttr(bf16Dot)),
  });
}

llvm::Expected<GemmTiling> GemmTiling::fromAttr(mlir::DictionaryAttr attr) {
  for (mlir::NamedAttribute entry : attr)
    if (!llvm::is_contained({kLanes, kMr, kNv, kMt, kKc, kBf16Dot},
                            entry.getName().strref()))
      return tilingError("unknown key '" + entry.getName().strref() +
                         "'; valid keys: " + kValidKeys);

  GemmTiling tiling;
  auto readInt = [&](llvm::StringRef key, int64_t &out) -> llvm::Error {
    mlir::Attribute value = attr.get(key);
    if (!value)
      return tilingError("missing key '" + key + "'");
    auto integer = llvm::dyn_cast<mlir::IntegerAttr>(value);
    if (!integer || !integer.getType().isSignlessInteger(64))
      return tilingError("'" + key + "' must be an i64 integer, got " +
                         print(value));
    out = integer.getInt();
    return llvm::Error::success();
  };
  for (auto [key, field] :
       {std::pair{kLanes, &tiling.lanes}, std::pair{kMr, &tiling.mr},
        std::pair{kNv, &tiling.nv}, std::pair{kMt, &tiling.mt},
        std::pair{kKc, &tiling.kc}})
    if (llvm::Error error = readInt(key, *field))
      return std::move(error);

  mlir::Attribute bf16Dot = attr.get(kBf16Dot);
  if (!bf16Dot)
    return tilingError("missing key '" + kBf16Dot + "'");
  auto flag = llvm::dyn_cast<mlir::BoolAttr>(bf16Dot);
  if (!flag)
    return tilingError("'" + kBf16Dot + "' must be a bool, got " +
                       print(bf16Dot));
  tiling.bf16Dot = flag.getValue();

  if (!llvm::is_contained({4, 8, 16}, tiling.lanes))
    return tilingError("'lanes' must be 4, 8 or 16, got " +
                       llvm::Twine(tiling.lanes));
  if (tiling.mr < 1)
    return tilingError("'mr' must be at least 1, got " +
                       llvm::Twine(tiling.mr));
  if (tiling.nv < 1)
    return tilingError("'nv' must be at least 1, got " +
                       llvm::Twine(tiling.nv));
  if (tiling.kc < 1)
    return tilingError("'kc' must be at least 1, got " +
                       llvm::Twine(tiling.kc));
  if (tiling.mt < 1 || tiling.mt % tiling.mr != 0)
    return tilingError("'mt' must be a positive multiple of mr (" +
                       llvm::Twine(tiling.mr) + "), got " +
                       llvm::Twine(tiling.mt));
  return tiling;
}

GemmTiling moec::selectGemmTiling(const CPUTargetDesc &target, int64_t k,
                                  int64_t n, unsigned numWeights, bool bf16) {
  assert((numWeights == 1 || numWeights == 2) && "one or two weights");
  const int64_t weights = numWeights;
  GemmTiling tiling;
  tiling.lanes = target.vectorBits / 32;

  const int64_t registerBudget =
      static_cast<int64_t>(target.numVectorRegisters) - 1;
  auto fits = [&](int64_t mr, int64_t nv) {
    int64_t accumulators = mr * nv * weights;
    int64_t weightVectors = nv * weights;
    return accumulators + weightVectors + /*broadcast=*/1 <= registerBudget;
  };
  tiling.mr = kPreferredRows;
  while (tiling.mr > 1 && !fits(tiling.mr, 1))
    --tiling.mr;
  tiling.nv = 1;
  while (fits(tiling.mr, tiling.nv * 2))
    tiling.nv *= 2;
  while (tiling.nv > 1 && n % tiling.panelColumns() != 0)
    tiling.nv /= 2;

  // A block of the weight panel is reused by every row of the work item and
  // must stay in L2 while they pass over it; the register tile's input rows
  // are reused by every vector of the panel and should stay in L1.
  const uint64_t elementBytes = bf16 ? 2 : 4;
  const uint64_t bytesPerK = tiling.panelColumns() * weights * elementBytes;
  const int64_t kcForL2 = static_cast<int64_t>(target.l2Bytes / 4 / bytesPerK);
  const int64_t kcForL1 =
      static_cast<int64_t>(target.l1dBytes / 2 / (tiling.mr * elementBytes));
  const int64_t kcLimit = std::max<int64_t>(
      std::min(kcForL2, kcForL1) / kKcGranule * kKcGranule, kKcGranule);
  tiling.kc = std::min(kcLimit, std::max<int64_t>(k, 1));

  // The other half of L2 is left to the output rows and to the next panel
  // block's prefetch.
  const uint64_t rowBytes = static_cast<uint64_t>(tiling.kc) * elementBytes;
  const uint64_t panelBytes = rowBytes * tiling.panelColumns() * weights;
  const uint64_t l2Budget = target.l2Bytes / 2;
  const uint64_t rowsThatFit =
      panelBytes < l2Budget ? (l2Budget - panelBytes) / rowBytes : 0;
  const uint64_t maxRows = kMaxTilesPerItem * tiling.mr;
  tiling.mt = static_cast<int64_t>(std::clamp<uint64_t>(
      rowsThatFit / tiling.mr * tiling.mr, tiling.mr, maxRows));

  tiling.bf16Dot = bf16 && target.hasAVX512BF16 && target.vectorBits == 512;
  return tiling;
}
