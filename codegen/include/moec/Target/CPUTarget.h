//===- CPUTarget.h - host CPU description and GEMM tile sizes ---*- C++ -*-===//
//
// The `cpu-host` target: what the generated CPU kernels may assume about the
// machine (ISA features, vector width, register count, caches, cores), and
// the GEMM tile sizes derived from it. Passes ask this description instead of
// hard-coding sizes, so one compiler serves AVX2 and AVX-512 hosts and tests
// can pin a machine with overrides. docs/cpu-target.md has the user's view.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TARGET_CPUTARGET_H
#define MOEC_TARGET_CPUTARGET_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace moec {

struct CPUTargetDesc {
  std::string name = "cpu-host";
  /// LLVM's name for the host CPU (`llvm::sys::getHostCPUName()`).
  std::string cpuName;
  /// Widest usable SIMD register: 512 with AVX-512F, 256 with AVX2, else 128.
  unsigned vectorBits = 128;
  /// 32 with AVX-512F, else 16.
  unsigned numVectorRegisters = 16;
  bool hasFMA = false, hasAVX2 = false, hasAVX512F = false,
       hasAVX512BF16 = false;
  /// Per core for L1d and L2; L3 as the system reports it.
  uint64_t l1dBytes = 0, l2Bytes = 0, l3Bytes = 0;
  /// Cores this process may run on (its affinity mask), not the machine's.
  unsigned numCores = 1;

  /// One line, e.g. "cpu-host (znver5): avx512f avx512bf16 avx2 fma, 512-bit
  /// x 32 regs, L1d 48K L2 1M L3 32M, 2 cores".
  std::string str() const;

  /// The features it has, in LLVM's spelling and the order fma, avx2,
  /// avx512f, avx512bf16.
  std::vector<std::string> featureNames() const;
  /// Turns on the features `names` spells; other names are ignored.
  void enableFeatures(llvm::ArrayRef<std::string> names);
};

/// Describes the machine this process runs on. Features come from
/// `llvm::sys::getHostCPUFeatures()`. Cache sizes come from
/// /sys/devices/system/cpu/cpu0/cache, else from `sysconf` (glibc reads
/// CPUID), else 32K / 1M / 8M, so every size is positive.
CPUTargetDesc detectHostCPU();

/// Resolves a target spec: "cpu-host" or "cpu-host:key=value,...". Keys:
/// vector-bits (128|256|512), registers (8..64), l1d, l2, l3 (bytes, optional
/// K/M/G suffix), cores, fma, avx2, avx512f, avx512bf16 (true/false/1/0).
/// Features imply what they need as LLVM's do (avx512bf16 -> avx512f ->
/// avx2, fma; switching one off switches off what needs it); vector-bits and
/// registers, unless given, follow the resulting features. Unknown targets,
/// unknown or repeated keys, bad values and contradictions (avx512f=true with
/// avx2=false, vector-bits wider than the features allow) are errors that
/// name the offending key or value and list the valid ones.
llvm::Expected<CPUTargetDesc> resolveCPUTarget(llvm::StringRef spec);

/// A byte count with an optional K, M or G (binary) suffix, as sysfs and the
/// overrides write it: "48K" is 49152. std::nullopt when malformed or zero.
std::optional<uint64_t> parseByteSize(llvm::StringRef text);
/// Walks the overrides of a target spec, "key=value,key=value,...": calls
/// `apply(key, value)` for each item in order, spaces around key and value
/// trimmed, and stops at the first error it returns. An item that is not
/// key=value, and a key given twice, are errors "<target>: ..." that list
/// `validKeys`. Every target of the registry parses its overrides with it.
llvm::Error forEachOverride(
    llvm::StringRef target, llvm::StringRef overrides,
    llvm::StringRef validKeys,
    llvm::function_ref<llvm::Error(llvm::StringRef key, llvm::StringRef value)>
        apply);
/// "<target>: bad value '<value>' for '<key>'; valid values: <valid>".
llvm::Error badOverrideValue(llvm::StringRef target, llvm::StringRef key,
                             llvm::StringRef value, const llvm::Twine &valid);

/// The inverse for sizes that are whole K, M or G: "48K", "1M"; else the
/// plain number.
std::string formatByteSize(uint64_t bytes);

struct CPUCacheSizes {
  uint64_t l1dBytes = 0, l2Bytes = 0, l3Bytes = 0;
};

/// The data/unified cache sizes described by a sysfs cache directory (the
/// `index*/{level,type,size}` files under e.g.
/// /sys/devices/system/cpu/cpu0/cache); 0 for a level it does not describe.
CPUCacheSizes readSysfsCacheSizes(llvm::StringRef cacheDir);

/// Register and work-item tile of one (grouped) GEMM `[rows, K] x [K, N]`,
/// possibly with W weights computed in one pass (W = 2: gate and up of a
/// SwiGLU FFN share the input rows).
struct GemmTiling {
  /// f32 lanes per vector register (vectorBits / 32).
  int64_t lanes = 16;
  /// Rows per register tile.
  int64_t mr = 6;
  /// Vector registers per row of the register tile, per weight.
  int64_t nv = 4;
  /// Rows per parallel work item, a multiple of mr.
  int64_t mt = 48;
  /// Reduction (K) block: an item walks K in blocks of kc, every row tile
  /// per block, so that the block of the weight panel stays in L2 for all
  /// the item's rows; partial sums wait in an f32 scratch between blocks.
  /// kc >= K means one block.
  int64_t kc = 1 << 30;
  /// bf16 operands use AVX512_BF16 dot products (vdpbf16ps).
  bool bf16Dot = false;

  int64_t panelColumns() const { return lanes * nv; }

  bool operator==(const GemmTiling &other) const {
    return lanes == other.lanes && mr == other.mr && nv == other.nv &&
           mt == other.mt && kc == other.kc && bf16Dot == other.bf16Dot;
  }
  bool operator!=(const GemmTiling &other) const { return !(*this == other); }

  /// {bf16_dot = false, kc = 1024 : i64, lanes = 16 : i64, mr = 6 : i64,
  ///  mt = 48 : i64, nv = 4 : i64}
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *context) const;
  /// Every key of toAttr is required and no other is accepted (a misspelt key
  /// would otherwise be ignored silently). Sizes must be integers, bf16_dot a
  /// bool; mr >= 1, nv >= 1, kc >= 1, lanes in {4, 8, 16}, mt a positive
  /// multiple of mr. Errors name the key.
  static llvm::Expected<GemmTiling> fromAttr(mlir::DictionaryAttr attr);
};

/// The discardable attribute that carries a GemmTiling on a GEMM op.
constexpr llvm::StringLiteral kCPUTilingAttrName = "moe.cpu_tiling";

/// Tile sizes for a GEMM with reduction size \p k and \p n output columns.
/// \p numWeights is 1 (plain GEMM) or 2 (fused gate/up); \p bf16 says the
/// operands are bf16 (2 bytes), else f32 (4 bytes). With W = numWeights and
/// R = numVectorRegisters:
///  - lanes = vectorBits / 32.
///  - Registers: the mr x (nv * W) accumulators, the nv * W weight vectors
///    loaded per k step and one broadcast input value must fit in R - 1 (one
///    is left to the register allocator for addresses and bf16 widening).
///    mr is 6 (the BLIS/oneDNN shape: with the nv below it fills the
///    register file with at least 12 independent FMA chains, more than FMA
///    latency times FMA ports) and is lowered only when even nv = 1 does not
///    fit (a small `registers` override); nv is then the largest power of two
///    that fits. This gives mr x nv = 6 x 4 (W = 1) and 6 x 2 (W = 2) at 32
///    registers, 6 x 2 and 6 x 1 at 16.
///  - nv is halved until nv * lanes divides N, down to 1; if even lanes does
///    not divide N, nv stays 1 and the kernel generator falls back.
///  - kc: the largest multiple of 16 for which the panel block
///    (kc * nv * lanes * W elements) fills at most a quarter of L2 and the
///    mr input rows of a register tile (mr * kc elements) half of L1d; K
///    itself when K is no larger.
///  - mt: the largest multiple of mr for which the panel block plus mt input
///    rows (mt * kc elements) fit in half of L2, clamped to [mr, 16 * mr].
///  - bf16Dot = bf16 && hasAVX512BF16 && vectorBits == 512.
GemmTiling selectGemmTiling(const CPUTargetDesc &target, int64_t k, int64_t n,
                            unsigned numWeights, bool bf16);

} // namespace moec

#endif // MOEC_TARGET_CPUTARGET_H
