#pragma once
// The split of a request across providers, apart from any actor: water-filling over the
// providers' create buckets. The supervisor uses it for every wave it releases, `styx up`
// for its quote, and `styx bench` for the combined limit, so the three always agree.
//
// A lane is one place the request may go (a provider with its best fitting offering). Its
// create-instance bucket holds `tokens` now and refills at `refill` per second; `backlog`
// instances are already waiting for those tokens ahead of anything new. By `t` seconds from
// now the lane admits max(0, tokens + refill * t - backlog) new instances (all of them when
// unlimited). Water-filling finds the least `t` at which the lanes together admit `count`,
// and gives each lane what it admits by then: lanes that free up sooner or refill faster get
// more, and all of them finish together.
//
//   std::vector<plan_lane> lanes{{1000, 40, false, 0, 0.0104}, {1000, 40, false, 0, 0.0104}};
//   auto split = plan_split(lanes, 6000, plan_rule{placement_policy::fastest});
//   // split.shares == {3000, 3000}, split.seconds == 50
//
// Thread rules: pure functions of their arguments; no state, no clock, callable anywhere.

#include <cstdint>
#include <limits>
#include <vector>

#include "actors/placement.hpp"

namespace styx {

/// One provider (with its best fitting offering) as the plan sees it.
struct plan_lane {
  double tokens = 0;      // create-instance tokens there now
  double refill = 0;      // tokens per second
  bool unlimited = false; // no bucket: admits anything at once
  double backlog = 0;     // instances already waiting for its tokens, ahead of new ones
  double price = 0;       // USD per hour of one instance of its offering
};

/// How to split: the policy, and for cheapest_within the seconds left until its deadline.
struct plan_rule {
  placement_policy policy = placement_policy::cheapest;
  double within_seconds = 0;
};

/// What a split gives each lane and how long it takes.
struct plan_split_result {
  std::vector<int64_t> shares;     // per lane, in the lanes' order; they sum to count
  double seconds = 0;              // from now until the last share is admitted; infinity: never
  bool deadline_met = true;        // cheapest_within: every share admitted within the deadline
  double spend_per_hour = 0;       // sum of share * price
  double cheapest_spend_per_hour = 0; // count * the lowest price of a lane
};

constexpr double plan_never = std::numeric_limits<double>::infinity();

/// New instances `lane` admits within `t` seconds from now.
double admits_within(const plan_lane& lane, double t);

/// Seconds from now until `lane` has admitted `n` new instances (after its backlog).
double seconds_to_admit(const plan_lane& lane, double n);

/// The least time in which `lanes` together admit `count` new instances; plan_never when they
/// cannot (no refill left and too few tokens).
double water_level(const std::vector<plan_lane>& lanes, double count);

/// Splits `count` new instances over `lanes` by `rule`:
/// - fastest: water-filling over every lane;
/// - cheapest, round_robin: all on the cheapest lane (the first of the cheapest);
/// - least_loaded: equal parts (each instance goes to the least loaded provider);
/// - cheapest_within: lanes by price, each price level filled with what it admits within the
///   deadline (water-filled among lanes of equal price), spilling to the next level only for
///   what is left; when even all lanes cannot make the deadline, the fastest split, with
///   deadline_met false.
plan_split_result plan_split(const std::vector<plan_lane>& lanes, int64_t count, plan_rule rule);

} // namespace styx
