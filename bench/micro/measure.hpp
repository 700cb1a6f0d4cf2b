#pragma once
// What the micro-benchmarks measure besides time: heap bytes in use (glibc's mallinfo2, every
// arena: uordblks + hblkhd, exact to the chunk) and resident memory (/proc/self/statm).
// Header-only; Linux and glibc only.

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace styx::micro {

/// Bytes the allocator has handed out and not yet got back, mmapped blocks included.
inline uint64_t heap_in_use() {
  struct mallinfo2 m = mallinfo2();
  return static_cast<uint64_t>(m.uordblks) + static_cast<uint64_t>(m.hblkhd);
}

/// The resident set size now (not the peak), in bytes.
inline uint64_t rss_now() {
  unsigned long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%lu %lu", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

/// Returns freed memory at the top of every arena to the OS, so that RSS follows the heap.
inline void trim_heap() {
  malloc_trim(0);
}

} // namespace styx::micro
