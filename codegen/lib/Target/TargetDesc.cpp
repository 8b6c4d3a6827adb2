//===- TargetDesc.cpp - targets as data: queries and printing -------------===//

#include "moec/Target/TargetDesc.h"

#include "moec/Target/CPUTarget.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdio>

using namespace moec;

namespace {

/// "1600", "1.59": no trailing zeros, as an override would be written.
std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

} // namespace

const MemoryLevel *TargetDesc::level(llvm::StringRef levelName) const {
  auto it = llvm::find_if(memory, [&](const MemoryLevel &level) {
    return level.name == levelName;
  });
  return it == memory.end() ? nullptr : &*it;
}

const MatrixMode *TargetDesc::matrixMode(llvm::StringRef elementType) const {
  auto it = llvm::find_if(matrixModes, [&](const MatrixMode &mode) {
    return mode.elementType == elementType;
  });
  return it == matrixModes.end() ? nullptr : &*it;
}

std::optional<std::string> TargetDesc::copyPipe(llvm::StringRef from,
                                                llvm::StringRef to) const {
  for (const CopyEdge &edge : copies)
    if (edge.from == from && edge.to == to)
      return edge.pipe;
  return std::nullopt;
}

double TargetDesc::peakTflops(llvm::StringRef elementType) const {
  const MatrixMode *mode = matrixMode(elementType);
  if (!mode)
    return 0;
  return 2.0 * mode->macsPerCycle * matrixCores * clockGHz / 1e3;
}

void TargetDesc::print(llvm::raw_ostream &os) const {
  os << name << " (" << kind << ")\n";
  if (clockGHz > 0)
    os << "  clock-ghz=" << formatNumber(clockGHz) << "\n";
  if (matrixCores)
    os << "  cube-cores=" << matrixCores << "\n";
  os << "  vector-cores=" << vectorCores << "\n";
  for (const MatrixMode &mode : matrixModes)
    os << llvm::formatv("  macs-{0}={1}  (fractal {2}x{3}x{4}; peak {5:F1} "
                        "TFLOP/s)\n",
                        mode.elementType, mode.macsPerCycle, mode.m0, mode.k0,
                        mode.n0, peakTflops(mode.elementType));
  os << "  vector-width=" << vector.widthBytes << "  (bytes per instruction; "
     << vector.blockBytes << "-byte blocks)\n";
  for (const MemoryLevel &level : memory) {
    std::string key = llvm::StringRef(level.name).lower();
    os << "  " << key << "="
       << (level.capacityBytes ? formatByteSize(level.capacityBytes)
                               : std::string("?"))
       << " " << key << "-align=" << level.alignmentBytes;
    if (level.bandwidthGBs > 0)
      os << " " << key << "-bw=" << formatNumber(level.bandwidthGBs);
    os << "\n";
  }
  for (const CopyEdge &edge : copies)
    os << "  copy " << edge.from << " -> " << edge.to << " on " << edge.pipe
       << "\n";
  if (!pipes.empty())
    os << "  pipes " << llvm::join(pipes, " ") << "; " << eventIds
       << " event ids per core, " << crossCoreEventIds << " across cores\n";
}
