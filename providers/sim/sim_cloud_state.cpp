// sim_cloud::impl: the state machine of the instances, randomness, places and throttling.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "providers/sim/sim_cloud_impl.hpp"

namespace styx {

sim_cloud::impl::impl(sim_config c, const clock& k) : cfg(std::move(c)), clk(k), rng(cfg.seed) {
  // nop
}

void sim_cloud::impl::reset() {
  instances.clear();
  live_by_zone.clear();
  live_total = 0;
  client_tokens.clear();
  buckets.clear();
  events = decltype(events){};
}

// -- state machine -------------------------------------------------------------------------------

void sim_cloud::impl::schedule(time_point at, const std::string& id) {
  if (at != time_point::max())
    events.push(event{at, id});
}

void sim_cloud::impl::advance(time_point now) {
  while (!events.empty() && events.top().at <= now) {
    auto id = events.top().id;
    events.pop();
    if (auto it = instances.find(id); it != instances.end())
      settle(it, now);
  }
}

void sim_cloud::impl::become_running(instance& x, time_point at) {
  x.info.state = instance_state::running;
  x.deadline = time_point::max();
  if (x.info.market == market_kind::spot) {
    x.preempt_at = draw_preemption(at);
    schedule(x.preempt_at, x.info.cloud_id);
  }
}

void sim_cloud::impl::become_terminated(instance& x, time_point at, state_reason reason) {
  if (x.info.state != instance_state::terminated) {
    auto& n = live_by_zone[x.info.zone];
    --n;
    --live_total;
  }
  x.info.state = instance_state::terminated;
  x.info.reason = reason;
  x.deadline = time_point::max();
  x.preempt_at = time_point::max();
  x.terminated_at = at;
  schedule(saturating_add(at, cfg.terminated_retention), x.info.cloud_id);
}

bool sim_cloud::impl::end_transition(instance& x, time_point now) {
  auto s = x.info.state;
  if (!is_transitional(s) || x.deadline > now)
    return false;
  auto at = x.deadline;
  if (s == instance_state::pending || s == instance_state::starting) {
    become_running(x, at);
  } else if (s == instance_state::stopping) {
    x.info.state = instance_state::stopped;
    x.deadline = time_point::max();
  } else { // terminating
    become_terminated(x, at, x.info.reason);
  }
  return true;
}

void sim_cloud::impl::settle(std::unordered_map<std::string, instance>::iterator it,
                             time_point now) {
  auto& x = it->second;
  for (;;) {
    auto s = x.info.state;
    if (end_transition(x, now)) {
      continue;
    } else if (s == instance_state::running && x.preempt_at <= now) {
      become_terminated(x, x.preempt_at, state_reason::preempted);
    } else if (s == instance_state::terminated
               && saturating_add(x.terminated_at, cfg.terminated_retention) <= now) {
      instances.erase(it);
      return;
    } else {
      return;
    }
  }
}

namespace {

constexpr const char* own_keys[] = {ownership_tag::instance, ownership_tag::request,
                                    ownership_tag::name};

/// The value of `x`'s own ownership tag `key`; nullopt when `key` is not one of its own.
std::optional<std::string> own_tag(const sim_cloud::impl::instance& x, const std::string& key) {
  if (!x.own_tags)
    return std::nullopt;
  if (key == ownership_tag::instance)
    return x.owner.to_string();
  if (key == ownership_tag::request)
    return x.request.to_string();
  if (key == ownership_tag::name)
    return x.name;
  return std::nullopt;
}

} // namespace

tag_map sim_cloud::impl::tags_of(const instance& x) {
  auto tags = *x.tags;
  if (x.own_tags)
    for (auto* key : own_keys)
      tags[key] = *own_tag(x, key);
  return tags;
}

bool sim_cloud::impl::has_tags(const instance& x, const tag_map& filter) {
  for (auto& [k, v] : filter) {
    if (auto own = own_tag(x, k)) {
      if (*own != v)
        return false;
    } else if (auto i = x.tags->find(k); i == x.tags->end() || i->second != v) {
      return false;
    }
  }
  return true;
}

cloud_instance sim_cloud::impl::full(const instance& x) {
  auto result = x.info;
  result.tags = tags_of(x);
  return result;
}

cloud_instance sim_cloud::impl::view(const instance& x) {
  auto result = status(x);
  result.tags = tags_of(x);
  return result;
}

cloud_instance sim_cloud::impl::status(const instance& x) {
  auto result = x.info;
  if (result.state == instance_state::starting)
    result.state = instance_state::pending; // as EC2 reports it after StartInstances
  return result;
}

// -- randomness ----------------------------------------------------------------------------------

duration sim_cloud::impl::uniform(duration lo, duration hi) {
  if (hi <= lo)
    return lo;
  std::uniform_int_distribution<int64_t> dist(lo.count(), hi.count());
  return duration(dist(rng));
}

time_point sim_cloud::impl::draw_preemption(time_point running_since) {
  if (cfg.spot_preemptions_per_hour <= 0)
    return time_point::max();
  std::exponential_distribution<double> dist(cfg.spot_preemptions_per_hour / 3600.0);
  auto secs = dist(rng);
  if (!(secs < 1e9)) // about 30 years: never
    return time_point::max();
  return saturating_add(running_since, from_seconds(secs));
}

std::string sim_cloud::impl::new_cloud_id() {
  static const char* hex = "0123456789abcdef";
  constexpr int bits = 44; // 11 hex digits
  constexpr uint64_t mask = (uint64_t{1} << bits) - 1;
  if (id_seq == 0)
    id_seq = (rng() & mask) | 1;
  for (;;) {
    // xorshift, multiply by an odd constant, xorshift: each step is a bijection mod 2^44.
    uint64_t x = id_seq++ & mask;
    x ^= x >> 22;
    x = (x * 0x9E3779B97F4A7C15ull) & mask;
    x ^= x >> 22;
    std::string id = "sim-";
    for (int i = bits - 4; i >= 0; i -= 4)
      id += hex[(x >> i) & 0xf];
    if (instances.count(id) == 0)
      return id;
  }
}

// -- places --------------------------------------------------------------------------------------

bool sim_cloud::impl::known_region(const std::string& region) const {
  for (auto& r : cfg.regions)
    if (r == region)
      return true;
  return false;
}

bool sim_cloud::impl::zone_in_region(const std::string& zone, const std::string& region) const {
  if (zone.size() != region.size() + 1 || zone.compare(0, region.size(), region) != 0)
    return false;
  auto letter = zone.back();
  return letter >= 'a' && letter < 'a' + std::min(cfg.zones_per_region, 26);
}

std::vector<std::string> sim_cloud::impl::zones_of(const std::string& region) const {
  std::vector<std::string> result;
  for (int i = 0; i < std::min(cfg.zones_per_region, 26); ++i)
    result.push_back(region + static_cast<char>('a' + i));
  return result;
}

int64_t sim_cloud::impl::remaining_capacity(const std::string& zone) const {
  int64_t cap = cfg.capacity_per_zone;
  if (auto i = cfg.zone_capacity.find(zone); i != cfg.zone_capacity.end())
    cap = i->second;
  if (cap < 0)
    return std::numeric_limits<int64_t>::max();
  auto used = live_by_zone.find(zone);
  return cap - (used == live_by_zone.end() ? 0 : used->second);
}

// -- throttling ----------------------------------------------------------------------------------

bool sim_cloud::impl::admit(const std::string& region, const api_call& call, time_point now) {
  auto it = buckets.find(region);
  if (it == buckets.end()) {
    auto& b = cfg.buckets;
    region_buckets rb{
      {b.create, now},          {b.start, now},               {b.describe, now},
      {b.terminate, now},       {b.mutate, now},              {b.create_instances, now},
      {b.start_instances, now}, {b.terminate_instances, now}, {b.stop_instances, now},
    };
    it = buckets.emplace(region, std::move(rb)).first;
  }
  auto& rb = it->second;
  token_bucket* req = nullptr;
  token_bucket* res = nullptr;
  switch (call.op) {
    case api_op::create: req = &rb.create_req; res = &rb.create_res; break;
    case api_op::start: req = &rb.start_req; res = &rb.start_res; break;
    case api_op::stop: req = &rb.stop_req; res = &rb.stop_res; break;
    case api_op::terminate: req = &rb.terminate_req; res = &rb.terminate_res; break;
    case api_op::describe:
    case api_op::list:
    case api_op::catalog:
    case api_op::watch: req = &rb.describe_req; break;
  }
  auto n = static_cast<double>(call.size());
  if (req->available(now) < 1 - 1e-9 || (res && res->available(now) < n - 1e-9))
    return false;
  req->try_consume(1, now);
  if (res)
    res->try_consume(n, now);
  return true;
}

} // namespace styx
