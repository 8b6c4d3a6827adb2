//===- TargetDesc.h - targets as data: units, memories, copies --*- C++ -*-===//
//
// One description for every target moec plans for: the host CPU and
// Ascend-like cube/vector chips. A target is data (compute units, memory
// levels with their copy edges, core counts, clock), looked up by name in a
// registry and overridable key by key, so a variant chip needs no rebuild.
// docs/target-description.md has the user's view.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TARGET_TARGETDESC_H
#define MOEC_TARGET_TARGETDESC_H

#include "moec/Target/CPUTarget.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
class Operation;
namespace moe {
class TargetAttr;
} // namespace moe
} // namespace mlir

namespace moec {

/// One operating mode of a matrix unit: per instruction it multiplies an
/// `m0 x k0` by a `k0 x n0` fractal of `elementType` operands.
struct MatrixMode {
  std::string elementType; ///< "f16", "bf16", "f32", "i8"
  int64_t m0 = 0, k0 = 0, n0 = 0;
  /// Multiply-accumulates per cycle per matrix core.
  int64_t macsPerCycle = 0;
};

struct VectorUnit {
  /// Bytes one instruction (repeat) processes.
  int64_t widthBytes = 0;
  /// Alignment unit of vector operands, bytes.
  int64_t blockBytes = 0;
  /// Vector registers per core; 0 where nothing is sized from it.
  unsigned registers = 0;
};

struct MemoryLevel {
  std::string name; ///< "GM", "L1", "UB", ...; "L1d", "L2", ... on a CPU
  uint64_t capacityBytes = 0;
  uint64_t alignmentBytes = 1;
  /// Bytes per second it delivers (GM: the chip's bandwidth); 0 = unknown.
  double bandwidthGBs = 0;
};

/// A legal copy and the pipe (hardware queue) that performs it.
struct CopyEdge {
  std::string from, to, pipe;
};

struct TargetDesc {
  std::string name;
  /// "cpu" or "npu" (cube/vector accelerator).
  std::string kind;
  double clockGHz = 0;
  unsigned matrixCores = 0, vectorCores = 0;
  std::vector<MatrixMode> matrixModes;
  VectorUnit vector;
  std::vector<MemoryLevel> memory;
  std::vector<CopyEdge> copies;
  /// Pipes that synchronise with set/wait flags, and the event ids each
  /// core has for it (within a core and across cube/vector cores).
  std::vector<std::string> pipes;
  unsigned eventIds = 0, crossCoreEventIds = 0;
  /// Instruction-set features ("avx512f", "fma", ...) on a CPU.
  std::vector<std::string> features;

  const MemoryLevel *level(llvm::StringRef levelName) const;
  const MatrixMode *matrixMode(llvm::StringRef elementType) const;
  /// The pipe copying `from` -> `to`, or std::nullopt when the target has no
  /// such path.
  std::optional<std::string> copyPipe(llvm::StringRef from,
                                      llvm::StringRef to) const;
  /// Matrix-unit peak of the whole chip in TFLOP/s (2 FLOPs per MAC), or 0.
  double peakTflops(llvm::StringRef elementType) const;

  /// Every field, one per line, in the key=value spelling overrides use.
  void print(llvm::raw_ostream &os) const;
};

/// Names in the registry, in the order --moe-list-targets prints them.
llvm::ArrayRef<llvm::StringRef> registeredTargets();

/// Resolves "name", "name:key=value,..." or "@file", a text file whose first
/// line is one of the former and whose other lines are one key=value each
/// ('#' starts a comment). `cpu-host` is the running
/// machine (resolveCPUTarget's keys apply); the Ascend-like entries take:
///   clock-ghz, cube-cores, vector-cores, vector-width, <level> (capacity),
///   <level>-align, <level>-bw (GB/s), macs-<type> (per cycle per cube core)
/// with level names in lower case (gm, l1, l0a, l0b, l0c, ub). Unknown
/// names, unknown or repeated keys and bad values are errors that name them
/// and list the valid ones.
llvm::Expected<TargetDesc> resolveTarget(llvm::StringRef spec);

/// The module attribute `moe.target` holds a description as a
/// `#moe.target`; the two convert both ways without loss. Element types are
/// spelt as MLIR types ("bf16" is `bf16`, "i8" is `i8`).
constexpr llvm::StringLiteral kTargetAttrName = "moe.target";
mlir::moe::TargetAttr toTargetAttr(mlir::MLIRContext *context,
                                   const TargetDesc &target);
TargetDesc fromTargetAttr(mlir::moe::TargetAttr attr);

/// An MLIR element type as matrix modes spell it ("bf16", "f32", "i8").
std::string elementTypeName(mlir::Type type);

/// The module's `moe.target` as an NPU target description; an error when it
/// is missing or not of kind "npu".
llvm::Expected<TargetDesc> npuTargetOf(mlir::Operation *module);

/// The CPU description the CPU kernels are tiled for: the module's
/// `moe.target` when it has one (which must be a CPU target), else
/// resolveCPUTarget(fallbackSpec).
llvm::Expected<CPUTargetDesc> cpuTargetOf(mlir::Operation *module,
                                          llvm::StringRef fallbackSpec);

} // namespace moec

#endif // MOEC_TARGET_TARGETDESC_H
