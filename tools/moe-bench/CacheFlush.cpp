//===- CacheFlush.cpp - evict the caches between timed calls --------------===//

#include "CacheFlush.h"

#include "Machine.h"

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

using namespace moec::bench;

uint64_t moec::bench::defaultFlushBytes() {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  uint64_t lastLevel = static_cast<uint64_t>(std::max({l3, l2, 0L}));
  return std::clamp<uint64_t>(2 * lastLevel, uint64_t(64) << 20,
                              uint64_t(1) << 30);
}

void CacheFlusher::FreeDeleter::operator()(float *pointer) const {
  std::free(pointer);
}

CacheFlusher::CacheFlusher(uint64_t bytes, unsigned threads)
    : size(std::max<uint64_t>(bytes / 64, 1) * 64), threads(threads) {
  buffer.reset(static_cast<float *>(std::aligned_alloc(64, size)));
  if (buffer)
    std::fill(buffer.get(), buffer.get() + size / sizeof(float), 1.0f);
  else
    size = 0;
}

void CacheFlusher::flush() {
  if (size)
    samples.push_back(
        streamReadGBs(buffer.get(), size / sizeof(float), threads));
}

std::vector<double> CacheFlusher::takeSamples() {
  std::vector<double> taken;
  taken.swap(samples);
  return taken;
}
