#pragma once
// An engine config for runtime tests: one simulated region, fast and unthrottled, persisted
// under `dir` (empty: in memory).

#include <string>

#include "runtime/engine_config.hpp"

namespace styx::test {

inline engine_config fast_config(const std::string& dir, uint64_t seed = 41) {
  engine_config cfg;
  cfg.state_dir = dir;
  cfg.threads = 2;
  cfg.seed = seed;
  cfg.sim.seed = seed + 2;
  cfg.sim.regions = {"us-east-1"};
  cfg.sim.latency_median = milliseconds(2);
  cfg.sim.latency_p99 = milliseconds(10);
  cfg.sim.throttle = false;
  cfg.sim.pending_min = milliseconds(20);
  cfg.sim.pending_max = milliseconds(60);
  cfg.sim.transition_min = milliseconds(10);
  cfg.sim.transition_max = milliseconds(40);
  for (auto& p : cfg.providers) {
    p.limits.limits = rate_limits::unlimited();
    p.limits.poll_interval = milliseconds(50);
  }
  return cfg;
}

} // namespace styx::test
