//===- LargeBuffer.h - buffers backed by transparent huge pages -*- C++ -*-===//
//
// Packed expert weights are streamed once per decode step, gigabytes of them
// on the large configurations. On 4 KiB pages every 64 cache lines cost a
// page walk, whose page-table lines have themselves been evicted by the
// stream, and the hardware prefetchers stop at every page boundary. Buffers
// of 2 MiB or more are therefore 2 MiB aligned and advised as huge pages.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_LARGEBUFFER_H
#define MOEC_RUNTIME_LARGEBUFFER_H

#include <cstddef>

namespace moec::detail {

/// At least `alignment` aligned (a power of two), or null when out of
/// memory; release with std::free.
void *allocateLargeBuffer(size_t alignment, size_t size);

} // namespace moec::detail

#endif // MOEC_RUNTIME_LARGEBUFFER_H
