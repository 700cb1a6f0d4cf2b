#pragma once
// styx::clock on CAF's actor clock, so that a simulated cloud and the actors share one time:
// real time in production, the test coordinator's virtual time in deterministic tests.

#include <caf/actor_clock.hpp>

#include "common/time.hpp"

namespace styx {

class actor_clock_adapter final : public clock {
public:
  /// `virtual_wall`: derive wall time from the actor clock (tests) instead of the system's.
  actor_clock_adapter(caf::actor_clock& clk, bool virtual_wall)
    : clk_(clk), virtual_wall_(virtual_wall) {}

  time_point now() const override { return clk_.now(); }

  unix_ms wall_ms() const override {
    if (!virtual_wall_)
      return system_clock{}.wall_ms();
    using namespace std::chrono;
    return 1'767'225'600'000 + duration_cast<milliseconds>(clk_.now().time_since_epoch()).count();
  }

private:
  caf::actor_clock& clk_;
  bool virtual_wall_;
};

} // namespace styx
