//===- CacheFlush.h - evict the caches between timed calls ------*- C++ -*-===//
//
// In a model, the other layers run between two calls of this one and push
// its weights out of every cache. Timing the same layer back to back instead
// lets a large L3 serve part of the weights, and decode cases then read
// "faster than memory". Streaming a buffer larger than the last-level cache
// before each call restores the cold start a real decode step sees.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_CACHEFLUSH_H
#define MOEC_TOOLS_MOEBENCH_CACHEFLUSH_H

#include <cstdint>
#include <memory>

namespace moec::bench {

/// Twice the last-level cache the OS reports, at least 64 MiB and at most
/// 1 GiB.
uint64_t defaultFlushBytes();

class CacheFlusher {
public:
  explicit CacheFlusher(uint64_t bytes);
  /// Reads one word of every cache line of the buffer.
  void flush();
  uint64_t bytes() const { return size; }

private:
  struct FreeDeleter {
    void operator()(char *pointer) const;
  };
  std::unique_ptr<char, FreeDeleter> buffer;
  uint64_t size;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_CACHEFLUSH_H
