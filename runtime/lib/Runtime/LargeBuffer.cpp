//===- LargeBuffer.cpp - buffers backed by transparent huge pages ---------===//

#include "LargeBuffer.h"

#include <algorithm>
#include <cstdlib>
#include <sys/mman.h>

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
} // namespace

void *moec::detail::allocateLargeBuffer(size_t alignment, size_t size) {
  // aligned_alloc wants a power-of-two alignment of at least sizeof(void *)
  // and a size that is a multiple of it.
  size_t align = std::max(alignment, sizeof(void *));
  if (size >= kHugePage)
    align = std::max(align, kHugePage);
  size_t rounded = std::max((size + align - 1) / align * align, align);
  void *block = std::aligned_alloc(align, rounded);
  // Only advice: without THP (or with it disabled) the pages stay small.
  if (block && size >= kHugePage)
    madvise(block, rounded, MADV_HUGEPAGE);
  return block;
}
