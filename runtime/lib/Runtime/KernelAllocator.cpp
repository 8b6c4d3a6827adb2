//===- KernelAllocator.cpp - the allocator JIT-compiled kernels call ------===//
//
// Kernels compiled by libmoec allocate their temporaries through MLIR's
// generic allocation functions. glibc serves large blocks with mmap and
// unmaps them on free, so every call would page-fault its temporaries (an
// [R, H] f32 buffer is 128 MiB at prefill) in again, which costs as much as
// the GEMMs. Blocks from 64 KiB up, where glibc starts to mmap or to trim
// its heap, are kept by exact size for the next call once freed; at most
// kCachedBytes stay cached.
//
//===----------------------------------------------------------------------===//

#include "LargeBuffer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>

namespace {

constexpr size_t kSmallBlock = size_t(64) << 10;
constexpr size_t kCachedBytes = size_t(4) << 30;

class BlockCache {
public:
  void *allocate(size_t alignment, size_t size) {
    if (size < kSmallBlock)
      return moec::detail::allocateLargeBuffer(alignment, size);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = free.find(size);
      while (it != free.end() && it->first == size) {
        void *block = it->second;
        if (reinterpret_cast<uintptr_t>(block) % alignment == 0) {
          free.erase(it);
          cached -= size;
          live[block] = size;
          return block;
        }
        ++it;
      }
    }
    void *block = moec::detail::allocateLargeBuffer(alignment, size);
    if (block) {
      std::lock_guard<std::mutex> lock(mutex);
      live[block] = size;
    }
    return block;
  }

  void release(void *block) {
    if (!block)
      return;
    std::unique_lock<std::mutex> lock(mutex);
    auto it = live.find(block);
    if (it == live.end()) {
      lock.unlock();
      std::free(block);
      return;
    }
    size_t size = it->second;
    live.erase(it);
    if (cached + size > kCachedBytes) {
      lock.unlock();
      std::free(block);
      return;
    }
    free.emplace(size, block);
    cached += size;
  }

private:
  std::mutex mutex;
  std::multimap<size_t, void *> free;
  std::unordered_map<void *, size_t> live;
  size_t cached = 0;
};

BlockCache &cache() {
  // Leaked: kernels may still free during static destruction.
  static BlockCache *instance = new BlockCache();
  return *instance;
}

} // namespace

#define MOEC_EXPORT __attribute__((visibility("default")))

extern "C" MOEC_EXPORT void *_mlir_memref_to_llvm_alloc(size_t size) {
  return cache().allocate(alignof(std::max_align_t), size);
}

extern "C" MOEC_EXPORT void *
_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return cache().allocate(alignment, size);
}

extern "C" MOEC_EXPORT void _mlir_memref_to_llvm_free(void *block) {
  cache().release(block);
}
