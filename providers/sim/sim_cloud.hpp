#pragma once
// The simulated cloud's state: every instance of every region, shared by the sim_api of each
// region. It behaves like EC2: server-side token buckets per region (RequestLimitExceeded),
// finite zone capacity (InsufficientInstanceCapacity, all or nothing), client-token
// idempotency, instances that boot and change state after a delay, spot preemptions, and
// terminated instances that stay visible for a while.
//
// Time comes only from the injected clock and randomness only from a generator seeded from
// config.seed, so a run is reproducible. States advance lazily: each call first applies every
// transition that became due since the last call. Thread-safe (one mutex).

#include <memory>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "providers/cloud_api.hpp"
#include "providers/sim/sim_config.hpp"

namespace styx {

class sim_cloud {
public:
  sim_cloud(sim_config config, const clock& clk);
  ~sim_cloud();
  sim_cloud(const sim_cloud&) = delete;
  sim_cloud& operator=(const sim_cloud&) = delete;

  /// Applies one API call made to `region`, at clock.now(). A throttled or failed call
  /// changes nothing.
  api_reply handle(const std::string& region, const api_call& call);

  /// One API round trip's latency (lognormal, from the config); zero if latency is off.
  duration draw_latency();

  /// Replaces the state with config.state_file's. A missing file is an empty cloud. On a
  /// malformed file returns false with "<file>: <what is wrong>" and changes nothing. Pending
  /// transitions are moved by the wall time that passed since the save. No file configured:
  /// nothing to do, true.
  bool load(std::string* error);

  /// Writes the state to config.state_file atomically. No file configured: true.
  bool save(std::string* error);

  const sim_config& config() const;

  // -- for tests and tools ---------------------------------------------------------------------

  /// Overrides the capacity of `zone` (negative: unlimited).
  void set_zone_capacity(const std::string& zone, int n);

  /// Preempts the live spot instance `cloud_id` now: it becomes terminated with state_reason
  /// "preempted". False if there is no such live spot instance.
  bool preempt(const std::string& cloud_id);

  /// Instances not terminated, in every region.
  size_t live_count() const;

  /// Every instance still visible (including recently terminated ones), by cloud_id.
  std::vector<cloud_instance> all() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace styx
