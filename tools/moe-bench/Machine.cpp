//===- Machine.cpp - FMA peak and memory bandwidth of this machine --------===//

#include "Machine.h"

#include "MachineKernels.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <sched.h>
#include <thread>
#include <vector>

using namespace moec::bench;

namespace {

using Clock = std::chrono::steady_clock;

/// Runs `work(thread)` on `threads` threads released together; returns the
/// seconds from the first start to the last finish.
double runTogether(unsigned threads,
                   const std::function<void(unsigned)> &work) {
  std::atomic<unsigned> arrived{0};
  std::vector<Clock::time_point> starts(threads), ends(threads);
  auto body = [&](unsigned index) {
    // Spin rather than block, so no thread starts late because it was asleep.
    arrived.fetch_add(1);
    while (arrived.load() < threads) {
    }
    starts[index] = Clock::now();
    work(index);
    ends[index] = Clock::now();
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back(body, i);
  body(0);
  for (std::thread &t : pool)
    t.join();
  return std::chrono::duration<double>(
             *std::max_element(ends.begin(), ends.end()) -
             *std::min_element(starts.begin(), starts.end()))
      .count();
}

/// Keeps results the compiler must assume are used.
std::atomic<float> sink{0};

/// The best of `measure()` over at least `runs` runs and `seconds`: other
/// processes on a small machine stall some runs, the best one did not.
double bestOf(unsigned runs, double seconds,
              const std::function<double()> &measure) {
  double best = 0;
  auto start = Clock::now();
  for (unsigned run = 0;
       run < runs ||
       std::chrono::duration<double>(Clock::now() - start).count() < seconds;
       ++run)
    best = std::max(best, measure());
  return best;
}

struct Isa {
  const char *name;
  float (*fmaLoop)(uint64_t);
  uint64_t flopsPerRound;
  float (*streamSum)(const float *, size_t);
};

llvm::Expected<Isa> detectIsa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    return Isa{"avx512f", fmaLoopAvx512, kFmaFlopsPerRoundAvx512,
               streamSumAvx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Isa{"avx2", fmaLoopAvx2, kFmaFlopsPerRoundAvx2, streamSumAvx2};
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "this CPU has neither AVX-512F nor AVX2+FMA; moe-bench measures the "
      "FMA peak with one of them");
}

double measureFmaPeak(const Isa &isa, unsigned threads, bool quick) {
  // Calibrate on one thread so that a run lasts about `target` seconds:
  // long enough to swamp thread start-up, short enough to repeat.
  double target = quick ? 0.02 : 0.2;
  uint64_t rounds = 1 << 16;
  auto start = Clock::now();
  sink = sink + isa.fmaLoop(rounds);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rounds = std::max<uint64_t>(
      rounds, static_cast<uint64_t>(rounds * target / std::max(seconds, 1e-6)));

  return bestOf(quick ? 2 : 3, quick ? 0 : 1.0,
                [&] {
                  double wall = runTogether(threads, [&](unsigned) {
                    sink = sink + isa.fmaLoop(rounds);
                  });
                  return rounds * isa.flopsPerRound * threads / wall;
                }) /
         1e9;
}

struct FreeDeleter {
  void operator()(float *pointer) const { std::free(pointer); }
};

llvm::Expected<double> measureBandwidth(const Isa &isa, unsigned threads,
                                        uint64_t bytes, bool quick) {
  size_t perThread =
      bytes / sizeof(float) / threads / kStreamSumGranule * kStreamSumGranule;
  size_t total = perThread * threads;
  std::unique_ptr<float, FreeDeleter> buffer(
      static_cast<float *>(std::aligned_alloc(64, total * sizeof(float))));
  if (!buffer)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "cannot allocate %llu bytes for the bandwidth measurement",
        static_cast<unsigned long long>(total * sizeof(float)));
  float *data = buffer.get();
  // Each thread first touches its own slice, as it will read it.
  runTogether(threads, [&](unsigned t) {
    std::fill(data + t * perThread, data + (t + 1) * perThread, 1.0f);
  });
  return bestOf(quick ? 3 : 7, quick ? 0 : 1.0,
                [&] {
                  double wall = runTogether(threads, [&](unsigned t) {
                    sink =
                        sink + isa.streamSum(data + t * perThread, perThread);
                  });
                  return total * sizeof(float) / wall;
                }) /
         1e9;
}

std::string cpuName() {
  std::string model;
  if (auto info = llvm::MemoryBuffer::getFileAsStream("/proc/cpuinfo")) {
    llvm::StringRef rest = (*info)->getBuffer();
    while (!rest.empty() && model.empty()) {
      auto [line, tail] = rest.split('\n');
      rest = tail;
      auto [key, value] = line.split(':');
      if (key.trim() == "model name")
        model = value.trim().str();
    }
  }
  std::string llvmName = llvm::sys::getHostCPUName().str();
  return model.empty() ? llvmName : model + " (" + llvmName + ")";
}

} // namespace

unsigned moec::bench::availableCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

llvm::Expected<MachineInfo> moec::bench::measureMachine(unsigned threads,
                                                        bool quick) {
  auto isa = detectIsa();
  if (!isa)
    return isa.takeError();
  MachineInfo info;
  info.cpuName = cpuName();
  info.isa = isa->name;
  info.threads = threads;
  info.fmaPeakGflops = measureFmaPeak(*isa, threads, quick);
  // 1 GiB dwarfs any L3 of the machines this runs on; the quick buffer is
  // still several times a 32 MiB L3.
  info.bandwidthBufferBytes =
      quick ? (uint64_t(256) << 20) : (uint64_t(1) << 30);
  auto bandwidth =
      measureBandwidth(*isa, threads, info.bandwidthBufferBytes, quick);
  if (!bandwidth)
    return bandwidth.takeError();
  info.bandwidthGBs = *bandwidth;
  return info;
}
