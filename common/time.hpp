#pragma once
// Time vocabulary shared by every layer. Logic never reads a clock itself: callers pass `now`
// (from an injected clock), so that every policy is deterministic under test.

#include <chrono>
#include <cstdint>

namespace styx {

using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using duration = std::chrono::nanoseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

/// Milliseconds since the Unix epoch, for records that outlive a process.
using unix_ms = int64_t;

/// A source of time. Real code uses system_clock(); tests use a manual_clock.
class clock {
public:
  virtual ~clock() = default;
  /// Monotonic time, for rate limits and timeouts.
  virtual time_point now() const = 0;
  /// Wall time, for records that outlive a process.
  virtual unix_ms wall_ms() const = 0;
};

/// The machine's clocks.
class system_clock final : public clock {
public:
  time_point now() const override { return clock_type::now(); }
  unix_ms wall_ms() const override;
};

/// A clock that moves only when told to.
class manual_clock final : public clock {
public:
  time_point now() const override { return now_; }
  unix_ms wall_ms() const override;
  void advance(duration d) { now_ += d; }
  void set(time_point t) { now_ = t; }

private:
  time_point now_{seconds(1'000'000)};
};

inline double to_seconds(duration d) {
  return std::chrono::duration<double>(d).count();
}

inline duration from_seconds(double s) {
  return std::chrono::duration_cast<duration>(std::chrono::duration<double>(s));
}

} // namespace styx
