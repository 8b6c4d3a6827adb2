//===- CacheFlush.h - evict the caches between timed calls ------*- C++ -*-===//
//
// In a model, the other layers run between two calls of this one and push
// its weights out of every cache. Timing the same layer back to back instead
// lets a large L3 serve part of the weights, and decode cases then read
// "faster than memory". Streaming a buffer larger than the last-level cache
// before each call restores the cold start a real decode step sees.
//
// Each flush is also a bandwidth measurement, taken with the loop and the
// threads of the machine measurement right before the call it precedes: on
// a shared machine the bandwidth drifts by tens of percent within a run, and
// a weight-bound call is best held against what memory delivered then.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_CACHEFLUSH_H
#define MOEC_TOOLS_MOEBENCH_CACHEFLUSH_H

#include <cstdint>
#include <memory>
#include <vector>

namespace moec::bench {

/// Twice the last-level cache the OS reports, at least 64 MiB and at most
/// 1 GiB.
uint64_t defaultFlushBytes();

class CacheFlusher {
public:
  /// Fails (bytes() == 0) only when the buffer cannot be allocated.
  CacheFlusher(uint64_t bytes, unsigned threads);
  /// Reads the whole buffer once; records the GB/s of that read.
  void flush();
  uint64_t bytes() const { return size; }
  /// The GB/s of every flush since the last call, oldest first.
  std::vector<double> takeSamples();

private:
  struct FreeDeleter {
    void operator()(float *pointer) const;
  };
  std::unique_ptr<float, FreeDeleter> buffer;
  uint64_t size;
  unsigned threads;
  std::vector<double> samples;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_CACHEFLUSH_H
