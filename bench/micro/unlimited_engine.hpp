#pragma once
// The engine the lifecycle and memory micro-benchmarks run: one provider on a zero-latency,
// unlimited simulated cloud (no buckets, no boot delay, no capacity limit), with the same
// windows and polling as bench/lifecycle_bench.cpp and `styx bench --profile unlimited`.
// Also a counter of transitions into one state, fed by the engine's event subscription, that
// a benchmark blocks on instead of polling the supervisor.

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "runtime/bench.hpp"
#include "runtime/engine.hpp"

namespace styx::micro {

inline engine_config unlimited_engine_config(size_t threads = 0) {
  bench_options o; // styx bench's `unlimited` profile: no buckets, no latency, 1 ms windows
  o.profile = "unlimited";
  o.providers = 1;
  o.threads = threads; // 0: the machine's cores, with the sharing scheduler
  o.seed = 1;
  return bench_config(o);
}

/// Counts instance transitions into `target` that the engine publishes.
class state_counter {
public:
  state_counter(engine& eng, instance_state target)
    : target_(target), sub_(eng, [this](const engine_event& ev) {
        auto* c = std::get_if<instance_state_changed>(&ev);
        if (c == nullptr || c->record.state != target_)
          return;
        std::lock_guard<std::mutex> guard{mtx_};
        if (++count_ == wanted_) // the waiter wakes once, not once per event
          cv_.notify_all();
      }) {}
  state_counter(const state_counter&) = delete;
  state_counter& operator=(const state_counter&) = delete;

  /// Blocks until `n` transitions were counted or `timeout` passed; false on the timeout.
  bool wait_for(uint64_t n, duration timeout) {
    std::unique_lock<std::mutex> lock{mtx_};
    wanted_ = n;
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }

  uint64_t count() {
    std::lock_guard<std::mutex> guard{mtx_};
    return count_;
  }

private:
  instance_state target_;
  std::mutex mtx_;
  std::condition_variable cv_;
  uint64_t count_ = 0;
  uint64_t wanted_ = 0; // what the waiter waits for: notified when count_ reaches it
  scoped_subscription sub_; // last: ends first, before what its callback uses
};

} // namespace styx::micro
