#include "actors/placement_plan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace styx {

namespace {

/// Integer parts of `want` (non-negative reals) that sum to `count`: floors, then the rest by
/// the largest fractions (ties to the lower index).
std::vector<int64_t> round_shares(const std::vector<double>& want, int64_t count) {
  std::vector<int64_t> out(want.size(), 0);
  if (want.empty())
    return out;
  double sum = std::accumulate(want.begin(), want.end(), 0.0);
  std::vector<double> scaled(want.size(), 0);
  for (size_t i = 0; i < want.size(); ++i)
    scaled[i] = sum > 0 ? want[i] * static_cast<double>(count) / sum : 0;
  int64_t given = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    out[i] = static_cast<int64_t>(std::floor(scaled[i]));
    given += out[i];
  }
  std::vector<size_t> order(want.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return scaled[a] - std::floor(scaled[a]) > scaled[b] - std::floor(scaled[b]);
  });
  for (size_t k = 0; given < count; k = (k + 1) % order.size(), ++given)
    ++out[order[k]];
  return out;
}

/// `count` in equal parts over the lanes flagged in `use` (none flagged: over all).
std::vector<int64_t> equal_shares(size_t lanes, int64_t count, const std::vector<bool>& use) {
  std::vector<double> want(lanes, 0);
  bool any = std::find(use.begin(), use.end(), true) != use.end();
  for (size_t i = 0; i < lanes; ++i)
    want[i] = !any || use[i] ? 1 : 0;
  return round_shares(want, count);
}

/// Water-filling of `count` over `lanes`.
std::vector<int64_t> fastest_shares(const std::vector<plan_lane>& lanes, int64_t count) {
  std::vector<bool> unlimited(lanes.size(), false);
  bool any_unlimited = false;
  for (size_t i = 0; i < lanes.size(); ++i)
    any_unlimited = (unlimited[i] = lanes[i].unlimited) || any_unlimited;
  if (any_unlimited) // they admit everything at once: spread over them alone
    return equal_shares(lanes.size(), count, unlimited);
  double t = water_level(lanes, static_cast<double>(count));
  if (t == plan_never) // refill nowhere: what the tokens allow, the rest in equal parts
    return equal_shares(lanes.size(), count, {});
  std::vector<double> want(lanes.size(), 0);
  for (size_t i = 0; i < lanes.size(); ++i)
    want[i] = admits_within(lanes[i], t);
  if (std::accumulate(want.begin(), want.end(), 0.0) <= 0)
    return equal_shares(lanes.size(), count, {});
  return round_shares(want, count);
}

size_t cheapest_lane(const std::vector<plan_lane>& lanes) {
  size_t best = 0;
  for (size_t i = 1; i < lanes.size(); ++i)
    if (lanes[i].price < lanes[best].price)
      best = i;
  return best;
}

/// Cheapest first within `within` seconds; false when even every lane cannot make it.
bool within_shares(const std::vector<plan_lane>& lanes, int64_t count, double within,
                   std::vector<int64_t>& out) {
  out.assign(lanes.size(), 0);
  if (within < 0)
    return false;
  std::vector<size_t> order(lanes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return lanes[a].price < lanes[b].price; });
  int64_t left = count;
  for (size_t g = 0; g < order.size() && left > 0;) {
    size_t end = g; // lanes of one price: [g, end)
    while (end < order.size() && lanes[order[end]].price == lanes[order[g]].price)
      ++end;
    std::vector<plan_lane> group;
    double room = 0;
    for (size_t k = g; k < end; ++k) {
      auto& lane = lanes[order[k]];
      group.push_back(lane);
      room += lane.unlimited ? plan_never : std::floor(admits_within(lane, within));
    }
    if (room >= static_cast<double>(left)) {
      auto split = fastest_shares(group, left);
      for (size_t k = g; k < end; ++k)
        out[order[k]] += split[k - g];
      left = 0;
    } else {
      for (size_t k = g; k < end; ++k) {
        auto n = static_cast<int64_t>(std::floor(admits_within(lanes[order[k]], within)));
        out[order[k]] += n;
        left -= n;
      }
    }
    g = end;
  }
  return left == 0;
}

} // namespace

double admits_within(const plan_lane& lane, double t) {
  if (lane.unlimited)
    return plan_never;
  return std::max(0.0, lane.tokens + lane.refill * std::max(0.0, t) - lane.backlog);
}

double seconds_to_admit(const plan_lane& lane, double n) {
  if (lane.unlimited || n <= 0)
    return 0;
  double need = lane.backlog + n - lane.tokens;
  if (need <= 0)
    return 0;
  return lane.refill > 0 ? need / lane.refill : plan_never;
}

double water_level(const std::vector<plan_lane>& lanes, double count) {
  if (count <= 0)
    return 0;
  double fixed = 0; // what lanes without refill admit, at any time
  struct rising {
    double from; // when it starts to admit new instances
    double head; // tokens - backlog
    double refill;
  };
  std::vector<rising> up;
  for (auto& l : lanes) {
    if (l.unlimited)
      return 0;
    if (l.refill > 0)
      up.push_back(rising{std::max(0.0, (l.backlog - l.tokens) / l.refill), l.tokens - l.backlog,
                          l.refill});
    else
      fixed += std::max(0.0, l.tokens - l.backlog);
  }
  if (fixed >= count)
    return 0;
  std::sort(up.begin(), up.end(), [](const rising& a, const rising& b) { return a.from < b.from; });
  double head = 0, refill = 0; // of the lanes admitting by now
  for (size_t k = 0; k < up.size(); ++k) {
    head += up[k].head;
    refill += up[k].refill;
    double t = std::max(up[k].from, (count - fixed - head) / refill);
    if (k + 1 == up.size() || t <= up[k + 1].from)
      return t;
  }
  return plan_never;
}

plan_split_result plan_split(const std::vector<plan_lane>& lanes, int64_t count, plan_rule rule) {
  plan_split_result r;
  r.shares.assign(lanes.size(), 0);
  if (lanes.empty()) {
    r.seconds = count > 0 ? plan_never : 0;
    r.deadline_met = count <= 0;
    return r;
  }
  count = std::max<int64_t>(0, count);
  switch (rule.policy) {
    case placement_policy::fastest:
      r.shares = fastest_shares(lanes, count);
      break;
    case placement_policy::least_loaded:
      r.shares = equal_shares(lanes.size(), count, {});
      break;
    case placement_policy::round_robin: // the caller orders the lanes as the cursor does
      r.shares[0] = count;
      break;
    case placement_policy::cheapest_within:
      if (!within_shares(lanes, count, rule.within_seconds, r.shares)) {
        r.shares = fastest_shares(lanes, count);
        r.deadline_met = false;
      }
      break;
    default: // cheapest
      r.shares[cheapest_lane(lanes)] = count;
      break;
  }
  auto cheapest = lanes[cheapest_lane(lanes)].price;
  for (size_t i = 0; i < lanes.size(); ++i) {
    if (r.shares[i] <= 0)
      continue;
    r.seconds = std::max(r.seconds, seconds_to_admit(lanes[i], static_cast<double>(r.shares[i])));
    r.spend_per_hour += static_cast<double>(r.shares[i]) * lanes[i].price;
  }
  r.cheapest_spend_per_hour = static_cast<double>(count) * cheapest;
  return r;
}

} // namespace styx
