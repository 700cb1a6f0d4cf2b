#include "runtime/bench_plan.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "actors/placement_plan.hpp"
#include "runtime/bench.hpp"

namespace styx {

std::string check_plan_options(const bench_options& o) {
  if (o.shape != "even" && o.shape != "mix")
    return "unknown shape '" + o.shape + "' (known: even, mix)";
  if (o.arrival != "burst" && o.arrival != "uniform" && o.arrival != "poisson")
    return "unknown arrival '" + o.arrival + "' (known: burst, uniform, poisson)";
  if (o.arrival != "burst" && !(o.arrival_rate > 0))
    return "arrival " + o.arrival + " needs a positive arrival rate (requests per second)";
  if (o.shape == "even" && (o.requests <= 0 || o.requests > o.count))
    return "requests must be between 1 and count";
  return {};
}

std::vector<planned_request> plan_requests(const bench_options& o) {
  std::mt19937_64 rng{o.seed * 0x9E3779B97F4A7C15ull + 17};
  std::vector<planned_request> plan;
  if (o.shape == "mix") {
    // Sizes log-uniform between 1 and 1000: many small requests, a few large ones.
    std::uniform_real_distribution<double> log_size{0.0, std::log(1000.0)};
    for (int left = o.count; left > 0;) {
      int n = std::min(left, static_cast<int>(std::lround(std::exp(log_size(rng)))));
      n = std::max(1, n);
      plan.push_back(planned_request{0, n});
      left -= n;
    }
  } else {
    int parts = std::max(1, std::min(o.requests, o.count));
    for (int i = 0; i < parts; ++i)
      plan.push_back(planned_request{0, o.count / parts + (i < o.count % parts ? 1 : 0)});
  }
  if (o.arrival == "uniform") {
    for (size_t i = 0; i < plan.size(); ++i)
      plan[i].at = static_cast<double>(i) / o.arrival_rate;
  } else if (o.arrival == "poisson") {
    std::exponential_distribution<double> gap{o.arrival_rate};
    double t = 0;
    for (auto& p : plan) {
      p.at = t;
      t += gap(rng);
    }
  }
  return plan;
}

double create_bound_seconds(const rate_limits& limits, int count) {
  if (limits.create_instances.unlimited() || count <= 0)
    return 0;
  auto& res = limits.create_instances;
  double by_instances = std::max(0.0, (count - res.capacity) / res.refill_per_sec);
  // Every call carries at most 1000 instances and takes one request token.
  double calls = std::ceil(count / 1000.0);
  auto& req = limits.create;
  double by_calls = std::max(0.0, (calls - req.capacity) / req.refill_per_sec);
  return std::max(by_instances, by_calls);
}

double plan_bound_seconds(const std::vector<planned_request>& plan, const rate_limits& limits,
                          int providers) {
  providers = std::max(1, providers);
  std::vector<int> share(static_cast<size_t>(providers), 0);
  double last_arrival = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    share[i % share.size()] += plan[i].count;
    last_arrival = std::max(last_arrival, plan[i].at);
  }
  double bound = last_arrival;
  for (int n : share)
    bound = std::max(bound, create_bound_seconds(limits, n));
  return bound;
}

namespace {

/// Every provider's create bucket (instances, or calls), full.
std::vector<plan_lane> full_lanes(const std::vector<rate_limits>& providers, bool calls) {
  std::vector<plan_lane> out;
  for (auto& p : providers) {
    auto& b = calls ? p.create : p.create_instances;
    plan_lane l;
    l.unlimited = b.unlimited();
    l.tokens = b.capacity;
    l.refill = b.refill_per_sec;
    out.push_back(l);
  }
  return out;
}

std::vector<planned_request> by_arrival(std::vector<planned_request> plan) {
  std::stable_sort(plan.begin(), plan.end(),
                   [](const planned_request& a, const planned_request& b) { return a.at < b.at; });
  return plan;
}

} // namespace

double combined_limit_seconds(const std::vector<planned_request>& unsorted,
                              const std::vector<rate_limits>& providers) {
  auto plan = by_arrival(unsorted);
  if (plan.empty())
    return 0;
  auto instances = full_lanes(providers, false);
  auto calls = full_lanes(providers, true);
  double rest = 0; // instances arriving from the current arrival on
  for (auto& p : plan)
    rest += p.count;
  double limit = plan.back().at;
  for (size_t k = 0; k < plan.size();) {
    double at = plan[k].at;
    auto requests = static_cast<double>(plan.size() - k);
    limit = std::max({limit, at + water_level(instances, rest),
                      at + water_level(calls, std::max(requests, std::ceil(rest / 1000)))});
    for (; k < plan.size() && plan[k].at == at; ++k)
      rest -= plan[k].count;
  }
  return limit;
}

double combined_created_by(const std::vector<planned_request>& unsorted,
                           const std::vector<rate_limits>& providers, double t) {
  auto plan = by_arrival(unsorted);
  auto lanes = full_lanes(providers, false);
  double arrived = 0;
  for (auto& p : plan)
    arrived += p.at <= t ? p.count : 0;
  double best = arrived, before = 0;
  for (size_t k = 0; k < plan.size() && plan[k].at <= t;) {
    double at = plan[k].at, room = before;
    for (auto& l : lanes)
      room += admits_within(l, t - at);
    best = std::min(best, room);
    for (; k < plan.size() && plan[k].at == at; ++k)
      before += plan[k].count;
  }
  return best;
}

} // namespace styx
