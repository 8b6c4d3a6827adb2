//===- MachineKernels.h - loops that measure the machine --------*- C++ -*-===//
//
// One set per instruction set, each compiled in its own file with the flags
// of that set, so that nothing else in moe-bench depends on them and the AVX2
// set cannot pick up AVX-512 instructions. Callers check the CPU first.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_MACHINEKERNELS_H
#define MOEC_TOOLS_MOEBENCH_MACHINEKERNELS_H

#include <cstddef>
#include <cstdint>

namespace moec::bench {

/// Runs `iterations` rounds of independent f32 FMAs; returns a value that
/// depends on all of them (so none can be optimised away). Each round is
/// kFmaFlopsPerRound* floating-point operations.
float fmaLoopAvx512(uint64_t iterations);
float fmaLoopAvx2(uint64_t iterations);
constexpr uint64_t kFmaFlopsPerRoundAvx512 = 16 * 16 * 2;
constexpr uint64_t kFmaFlopsPerRoundAvx2 = 12 * 8 * 2;

/// Sums `count` floats at `data` (64-byte aligned, count a multiple of
/// kStreamSumGranule) with vector loads only; the sum is returned so the
/// reads must happen. It reads four quarters of the range at once: a core
/// following a single stream leaves bandwidth unused on current x86 parts
/// (too few misses in flight), and GEMM kernels read several streams too.
constexpr size_t kStreamSumGranule = 4 * 32;
float streamSumAvx512(const float *data, size_t count);
float streamSumAvx2(const float *data, size_t count);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_MACHINEKERNELS_H
