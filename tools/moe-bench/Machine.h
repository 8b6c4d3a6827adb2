//===- Machine.h - the peak and bandwidth the results are held against ----===//
//
// The benchmark measures the machine it runs on, in the same run, instead of
// trusting data sheets: a VM's clock, its share of the memory system and
// turbo behaviour all move the real ceilings.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_MACHINE_H
#define MOEC_TOOLS_MOEBENCH_MACHINE_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace moec::bench {

struct MachineInfo {
  /// e.g. "AMD EPYC (znver5)": the kernel's model name and LLVM's.
  std::string cpuName;
  /// The instruction set the measuring loops used: "avx512f" or "avx2".
  std::string isa;
  unsigned threads = 1;
  /// f32 FMA throughput of `threads` threads running at once, GFLOP/s
  /// (an FMA counts as 2 FLOPs).
  double fmaPeakGflops = 0;
  /// Streaming-read bandwidth of `threads` threads, GB/s (10^9 bytes).
  double bandwidthGBs = 0;
  /// Size of the buffer the bandwidth was read from.
  uint64_t bandwidthBufferBytes = 0;
};

/// Cores this process may run on.
unsigned availableCores();

/// Measures the machine with `threads` threads. `quick` shortens the loops
/// and shrinks the buffer (still several times the L3 of current CPUs) for
/// smoke tests; the numbers are then rougher.
llvm::Expected<MachineInfo> measureMachine(unsigned threads, bool quick);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_MACHINE_H
