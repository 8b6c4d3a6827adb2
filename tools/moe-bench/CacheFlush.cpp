//===- CacheFlush.cpp - evict the caches between timed calls --------------===//

#include "CacheFlush.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace moec::bench;

namespace {
constexpr uint64_t kLine = 64;
std::atomic<uint64_t> flushSink{0};
} // namespace

uint64_t moec::bench::defaultFlushBytes() {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  uint64_t lastLevel = static_cast<uint64_t>(std::max({l3, l2, 0L}));
  return std::clamp<uint64_t>(2 * lastLevel, uint64_t(64) << 20,
                              uint64_t(1) << 30);
}

void CacheFlusher::FreeDeleter::operator()(char *pointer) const {
  std::free(pointer);
}

CacheFlusher::CacheFlusher(uint64_t bytes)
    : size(std::max<uint64_t>(bytes / kLine, 1) * kLine) {
  buffer.reset(static_cast<char *>(std::aligned_alloc(kLine, size)));
  if (buffer)
    std::memset(buffer.get(), 1, size);
  else
    size = 0;
}

void CacheFlusher::flush() {
  const char *data = buffer.get();
  uint64_t sum = 0;
  for (uint64_t offset = 0; offset < size; offset += kLine)
    sum += static_cast<unsigned char>(data[offset]);
  flushSink.fetch_add(sum, std::memory_order_relaxed);
}
