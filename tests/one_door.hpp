#pragma once
// The one door's count, for the tests that prove it (tests/aws/one_door_moto_test.cpp,
// tests/gcp/gcp_engine_test.cpp): the request-bucket tokens the providers took, and the wait
// until a counting transport and those takes agree. Header-only.

#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>

#include "runtime/engine.hpp"

namespace styx::test {

/// Request-bucket tokens taken by every provider of `eng`: one per HTTP request let through.
inline uint64_t tokens_taken(engine& eng) {
  uint64_t n = 0;
  for (auto& s : eng.stats())
    for (auto t : s.tokens_taken)
      n += t;
  return n;
}

/// Waits until `wire`'s count (since `wire_before`) and the providers' takes (plus
/// `taken_before`) agree: a call admitted a moment ago may not have reached the transport yet.
/// Returns both as last seen. `Wire` has total().
template <class Wire>
std::pair<uint64_t, uint64_t> settled_counts(engine& eng, const Wire& wire, uint64_t wire_before,
                                             uint64_t taken_before) {
  std::pair<uint64_t, uint64_t> seen;
  for (int i = 0; i < 250; ++i) {
    seen = {wire.total() - wire_before, tokens_taken(eng) + taken_before};
    if (seen.first == seen.second && wire.total() - wire_before == seen.first)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return seen;
}

} // namespace styx::test
