#pragma once
// Internals of sim_cloud, shared by sim_cloud.cpp (the API) and sim_cloud_store.cpp (load and
// save). Every member function expects the caller to hold `mtx`.

#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/token_bucket.hpp"
#include "providers/sim/sim_cloud.hpp"

namespace styx {

struct sim_cloud::impl {
  /// One instance. info.state is the sim's own state: `starting` is reported as `pending`.
  /// Its tags are kept apart from `info` (whose tags stay empty): the tags its create call gave
  /// every instance of the call are shared by them, and only its three ownership tags are its
  /// own. A copy of the whole map per instance was about 700 of the sim's 1,100 bytes each.
  struct instance {
    std::string region;
    cloud_instance info;
    std::shared_ptr<const tag_map> tags; // its create call's (or the state file's); never null
    // Its ownership tags (styx:instance, styx:request, styx:name), set by its create call:
    // an instance loaded from a state file has them among `tags`.
    bool own_tags = false;
    instance_id owner;
    request_id request;
    std::string name;
    time_point deadline = time_point::max();      // when the current transition ends
    time_point preempt_at = time_point::max();    // running spot: when it is preempted
    time_point terminated_at = time_point::max(); // when it became terminated
  };

  /// A moment at which something may happen to an instance. Stale events are harmless:
  /// settle() looks at the instance's own times.
  struct event {
    time_point at;
    std::string id;
    friend bool operator>(const event& a, const event& b) { return a.at > b.at; }
  };

  struct region_buckets {
    token_bucket create_req, start_req, describe_req, terminate_req, stop_req;
    token_bucket create_res, start_res, terminate_res, stop_res;
  };

  impl(sim_config c, const clock& k);

  // State machine.
  void advance(time_point now);
  void settle(std::unordered_map<std::string, instance>::iterator it, time_point now);
  /// Ends the transition of `x` when it is due by `now` (a transition of no time is due at
  /// once): true when it did. The instance stays in the table whatever it became.
  bool end_transition(instance& x, time_point now);
  void become_running(instance& x, time_point at);
  void become_terminated(instance& x, time_point at, state_reason reason);
  void schedule(time_point at, const std::string& id);
  void reset();

  // Randomness.
  duration uniform(duration lo, duration hi);
  time_point draw_preemption(time_point running_since);
  /// "sim-" and 11 hex digits: 15 characters, kept inline by std::string (no heap block per
  /// copy: the provider, the supervisor and every message hold one). The digits are a
  /// bijection of a sequence that starts at random, so no id repeats within a run; one that
  /// a state file holds is skipped.
  std::string new_cloud_id();

  // Places.
  bool known_region(const std::string& region) const;
  bool zone_in_region(const std::string& zone, const std::string& region) const;
  std::vector<std::string> zones_of(const std::string& region) const;
  int64_t remaining_capacity(const std::string& zone) const;

  /// Takes a token from each of the call's buckets, or from none.
  bool admit(const std::string& region, const api_call& call, time_point now);

  /// Everything known of `x`, its tags whole: as saved to the state file.
  static cloud_instance full(const instance& x);
  /// `x` as the API reports it, with its tags (a create, a list).
  static cloud_instance view(const instance& x);
  /// `x` as a status poll or a change reports it: without tags, as EC2's
  /// DescribeInstanceStatus and StopInstances do (nobody reads them there).
  static cloud_instance status(const instance& x);
  /// The tags of `x`, whole.
  static tag_map tags_of(const instance& x);
  /// True when `x` has every tag of `filter` (a list's filter), without making its tags whole.
  static bool has_tags(const instance& x, const tag_map& filter);

  sim_config cfg;
  const clock& clk;
  mutable std::mutex mtx;
  std::mt19937_64 rng;
  uint64_t id_seq = 0; // new_cloud_id's sequence; 0: not started
  std::unordered_map<std::string, instance> instances;
  std::unordered_map<std::string, int64_t> live_by_zone;
  size_t live_total = 0;
  std::unordered_map<std::string, std::vector<std::string>> client_tokens; // region \n token
  std::unordered_map<std::string, region_buckets> buckets;
  std::priority_queue<event, std::vector<event>, std::greater<event>> events;
};

/// t + d without overflowing past time_point::max().
inline time_point saturating_add(time_point t, duration d) {
  if (t == time_point::max() || (d > duration::zero() && t >= time_point::max() - d))
    return time_point::max();
  return t + d;
}

} // namespace styx
