#pragma once
// Test helper: an engine on one simulated region, fast and unthrottled, persisted under a
// state dir; tests tweak the rest.

#include <string>

#include "runtime/engine_config.hpp"

namespace styx::test {

inline engine_config fast_engine_config(const std::string& dir) {
  engine_config cfg;
  cfg.state_dir = dir;
  cfg.threads = 2;
  cfg.seed = 41;
  cfg.sim.seed = 43;
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
