#pragma once
// What the micro-benchmarks measure besides time: heap bytes in use (glibc's mallinfo2, every
// arena: uordblks + hblkhd, exact to the chunk; with -DSTYX_MALLOC=mimalloc the bytes mimalloc
// has committed, with jemalloc its stats.allocated) and resident memory (/proc/self/statm).
// Header-only; Linux only.

#include <malloc.h>
#include <unistd.h>

#if defined(STYX_WITH_MIMALLOC)
#include <mimalloc.h>
#elif defined(STYX_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

#include <cstdint>
#include <cstdio>

namespace styx::micro {

/// Bytes the allocator has handed out and not yet got back, mmapped blocks included.
inline uint64_t heap_in_use() {
#if defined(STYX_WITH_MIMALLOC)
  size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;
  mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
  return static_cast<uint64_t>(commit);
#elif defined(STYX_WITH_JEMALLOC)
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  size_t allocated = 0;
  len = sizeof(allocated);
  mallctl("stats.allocated", &allocated, &len, nullptr, 0);
  return static_cast<uint64_t>(allocated);
#else
  struct mallinfo2 m = mallinfo2();
  return static_cast<uint64_t>(m.uordblks) + static_cast<uint64_t>(m.hblkhd);
#endif
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
#if defined(STYX_WITH_MIMALLOC)
  mi_collect(true);
#else
  malloc_trim(0);
#endif
}

} // namespace styx::micro
