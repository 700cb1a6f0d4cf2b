#include "providers/sim/sim_cloud.hpp"

#include <algorithm>
#include <cmath>

#include "providers/sim/sim_catalog.hpp"
#include "providers/sim/sim_cloud_impl.hpp"

namespace styx {

namespace {

api_reply fail(error_kind kind, std::string code, std::string message) {
  api_reply r;
  r.error = make_cloud_error(kind, std::move(code), std::move(message));
  return r;
}

void sort_by_id(std::vector<cloud_instance>& xs) {
  std::sort(xs.begin(), xs.end(),
            [](const cloud_instance& a, const cloud_instance& b) { return a.cloud_id < b.cloud_id; });
}

/// What the prices of `region` are multiplied by (sim_config::price_factor).
double price_factor(const sim_config& cfg, const std::string& region) {
  auto i = cfg.price_factor.find(region);
  return i != cfg.price_factor.end() ? i->second : 1.0;
}

// The operations, each with the lock held and due transitions applied.
using impl = sim_cloud::impl;

api_reply do_create(impl& s, const std::string& region, const api_call& call, time_point now) {
  const auto& spec = call.spec;
  if (call.slots.empty())
    return fail(error_kind::invalid_request, "InvalidParameterValue", "no instances to launch");
  auto token_key = region + "\n" + call.client_token;
  if (!call.client_token.empty()) {
    if (auto i = s.client_tokens.find(token_key); i != s.client_tokens.end()) {
      api_reply r; // the same instances again, as they are now
      for (auto& id : i->second)
        if (auto j = s.instances.find(id); j != s.instances.end())
          r.instances.push_back(impl::view(j->second));
      return r;
    }
  }
  auto type = find_sim_instance_type(spec.instance_type);
  if (!type)
    return fail(error_kind::invalid_request, "InvalidParameterValue",
                "Invalid value '" + spec.instance_type + "' for InstanceType.");
  auto n = static_cast<int64_t>(call.slots.size());
  auto zone = spec.zone;
  if (zone.empty()) { // EC2 picks a zone: the first one with room, else the first one
    auto zones = s.zones_of(region);
    if (zones.empty())
      return fail(error_kind::capacity, "InsufficientInstanceCapacity", "no zones in " + region);
    zone = zones.front();
    for (auto& z : zones)
      if (s.remaining_capacity(z) >= n) {
        zone = z;
        break;
      }
  } else if (!s.zone_in_region(zone, region)) {
    return fail(error_kind::invalid_request, "InvalidParameterValue",
                "Invalid availability zone: [" + zone + "]");
  }
  if (spec.market == market_kind::spot && spec.max_price > 0
      && spec.max_price < sim_spot_price(s.cfg.seed, zone, *type) * price_factor(s.cfg, region))
    return fail(error_kind::capacity, "SpotMaxPriceTooLow",
                "Your Spot request price is lower than the current Spot price in " + zone + ".");
  if (s.remaining_capacity(zone) < n)
    return fail(error_kind::capacity, "InsufficientInstanceCapacity",
                "We currently do not have sufficient " + spec.instance_type
                  + " capacity in the Availability Zone you requested (" + zone + ").");
  api_reply r;
  r.instances.reserve(call.slots.size());
  std::vector<std::string> ids;
  ids.reserve(call.slots.size());
  auto wall = s.clk.wall_ms();
  auto tags = std::make_shared<const tag_map>(spec.tags); // shared by the call's instances
  for (auto& slot : call.slots) {
    impl::instance x;
    x.region = region;
    x.tags = tags;
    x.own_tags = true;
    x.owner = slot.id;
    x.request = slot.request;
    x.name = slot.name;
    auto& i = x.info;
    i.cloud_id = s.new_cloud_id();
    i.zone = zone;
    i.instance_type = spec.instance_type;
    i.market = spec.market;
    i.state = instance_state::pending;
    i.launched_at = wall;
    x.deadline = saturating_add(now, s.uniform(s.cfg.pending_min, s.cfg.pending_max));
    if (!s.end_transition(x, now)) // no pending time: the answer says running
      s.schedule(x.deadline, i.cloud_id);
    r.instances.push_back(impl::view(x));
    ids.push_back(i.cloud_id);
    s.instances.emplace(i.cloud_id, std::move(x));
  }
  s.live_by_zone[zone] += n;
  s.live_total += static_cast<size_t>(n);
  if (!call.client_token.empty())
    s.client_tokens.emplace(std::move(token_key), std::move(ids));
  return r;
}

api_reply do_change(impl& s, const std::string& region, const api_call& call, time_point now) {
  api_reply r;
  r.instances.reserve(call.cloud_ids.size());
  for (auto& id : call.cloud_ids) {
    auto it = s.instances.find(id);
    if (it == s.instances.end() || it->second.region != region)
      continue; // lenient, like a batch of ids of which some are gone
    auto& x = it->second;
    auto st = x.info.state;
    auto moved = false;
    if (call.op == api_op::stop && st == instance_state::running) {
      x.info.state = instance_state::stopping;
      x.info.reason = state_reason::user_initiated;
      x.preempt_at = time_point::max();
      moved = true;
    } else if (call.op == api_op::start && st == instance_state::stopped) {
      x.info.state = instance_state::starting;
      x.info.reason = state_reason::none;
      moved = true;
    } else if (call.op == api_op::terminate && st != instance_state::terminated
               && st != instance_state::terminating) {
      x.info.state = instance_state::terminating;
      x.info.reason = state_reason::user_initiated;
      x.preempt_at = time_point::max();
      moved = true;
    }
    if (moved) {
      x.deadline = saturating_add(now, s.uniform(s.cfg.transition_min, s.cfg.transition_max));
      if (!s.end_transition(x, now)) // no transition time: the answer gives where it ended
        s.schedule(x.deadline, id);
    }
    r.instances.push_back(impl::status(x));
  }
  return r;
}

api_reply do_read(impl& s, const std::string& region, const api_call& call) {
  api_reply r;
  if (call.op == api_op::describe) {
    r.instances.reserve(call.cloud_ids.size());
    for (auto& id : call.cloud_ids)
      if (auto it = s.instances.find(id); it != s.instances.end() && it->second.region == region)
        r.instances.push_back(impl::status(it->second));
  } else if (call.op == api_op::list) {
    for (auto& [id, x] : s.instances)
      if (x.region == region && impl::has_tags(x, call.filter))
        r.instances.push_back(impl::view(x));
    sort_by_id(r.instances);
  } else { // catalog
    for (auto& zone : s.zones_of(region))
      for (auto& t : sim_instance_types()) {
        offering o;
        o.provider = provider_id{"sim", region};
        o.zone = zone;
        o.instance_type = t.name;
        o.cpus = t.cpus;
        o.memory_gib = t.memory_gib;
        o.gpus = t.gpus;
        o.gpu_kind = t.gpu_kind;
        o.on_demand_price = t.on_demand_price * price_factor(s.cfg, region);
        o.spot_price = sim_spot_price(s.cfg.seed, zone, t) * price_factor(s.cfg, region);
        r.offerings.push_back(std::move(o));
      }
  }
  return r;
}

} // namespace

sim_cloud::sim_cloud(sim_config config, const clock& clk)
  : impl_(std::make_unique<impl>(std::move(config), clk)) {
  // nop
}

sim_cloud::~sim_cloud() = default;

const sim_config& sim_cloud::config() const {
  return impl_->cfg;
}

api_reply sim_cloud::handle(const std::string& region, const api_call& call) {
  auto& s = *impl_;
  std::lock_guard<std::mutex> guard(s.mtx);
  auto now = s.clk.now();
  s.advance(now);
  if (!s.known_region(region))
    return fail(error_kind::invalid_request, "InvalidRegion",
                "The region '" + region + "' does not exist in the simulated cloud.");
  if (s.cfg.throttle && !s.admit(region, call, now))
    return fail(error_kind::throttled, "RequestLimitExceeded", "Request limit exceeded.");
  if (s.cfg.transient_error_rate > 0) {
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    if (dist(s.rng) < s.cfg.transient_error_rate)
      return fail(error_kind::transient, "InternalError",
                  "An internal error has occurred (simulated).");
  }
  auto lost = [&](api_reply done) {
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    if (s.cfg.lost_answer_rate <= 0 || done.error || dist(s.rng) >= s.cfg.lost_answer_rate)
      return done;
    return fail(error_kind::transient, "ConnectionReset",
                "The connection was reset after the call was made (simulated).");
  };
  switch (call.op) {
    case api_op::create: return lost(do_create(s, region, call, now));
    case api_op::stop:
    case api_op::start:
    case api_op::terminate: return lost(do_change(s, region, call, now));
    case api_op::describe:
    case api_op::list:
    case api_op::catalog: return do_read(s, region, call);
    case api_op::watch: break; // the simulated cloud pushes nothing
  }
  return fail(error_kind::invalid_request, "InvalidAction", "unknown operation");
}

duration sim_cloud::draw_latency() {
  auto& s = *impl_;
  std::lock_guard<std::mutex> guard(s.mtx);
  auto median = s.cfg.latency_median;
  auto p99 = s.cfg.latency_p99;
  if (median <= duration::zero())
    return duration::zero();
  if (p99 <= median)
    return median;
  // ln(X) ~ N(mu, sigma): the median is e^mu, the 99th percentile e^(mu + 2.3263 sigma).
  auto mu = std::log(to_seconds(median));
  auto sigma = std::log(to_seconds(p99) / to_seconds(median)) / 2.3263478740408408;
  std::lognormal_distribution<double> dist(mu, sigma);
  return from_seconds(std::min(dist(s.rng), 3600.0));
}

void sim_cloud::set_zone_capacity(const std::string& zone, int n) {
  std::lock_guard<std::mutex> guard(impl_->mtx);
  impl_->cfg.zone_capacity[zone] = n;
}

bool sim_cloud::preempt(const std::string& cloud_id) {
  auto& s = *impl_;
  std::lock_guard<std::mutex> guard(s.mtx);
  auto now = s.clk.now();
  s.advance(now);
  auto it = s.instances.find(cloud_id);
  if (it == s.instances.end() || it->second.info.market != market_kind::spot)
    return false;
  auto st = it->second.info.state;
  if (st == instance_state::terminated || st == instance_state::terminating)
    return false;
  s.become_terminated(it->second, now, state_reason::preempted);
  return true;
}

size_t sim_cloud::live_count() const {
  auto& s = *impl_;
  std::lock_guard<std::mutex> guard(s.mtx);
  s.advance(s.clk.now());
  return s.live_total;
}

std::vector<cloud_instance> sim_cloud::all() const {
  auto& s = *impl_;
  std::lock_guard<std::mutex> guard(s.mtx);
  s.advance(s.clk.now());
  std::vector<cloud_instance> result;
  result.reserve(s.instances.size());
  for (auto& [id, x] : s.instances)
    result.push_back(impl::view(x));
  sort_by_id(result);
  return result;
}

} // namespace styx
