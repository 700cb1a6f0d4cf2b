// `styx bench`'s report: the summary for people and the JSON for programs (runtime/bench.hpp).

#include <algorithm>
#include <iomanip>

#include "common/json.hpp"
#include "runtime/bench.hpp"

namespace styx {

namespace {

void write_where(std::ostream& out, const bench_result& r) {
  auto& o = r.options;
  if (o.cloud != "sim")
    out << std::max<size_t>(1, o.regions.size()) << " " << o.cloud << " provider(s)";
  else
    out << o.providers << " simulated provider(s), profile " << o.profile;
  out << ", policy " << to_string(o.policy);
  if (o.policy == placement_policy::cheapest_within)
    out << ' ' << to_seconds(o.within) << " s";
}

} // namespace

void write_summary(std::ostream& out, const bench_result& r) {
  auto& o = r.options;
  out << std::fixed << std::setprecision(3);
  out << "styx bench: " << o.count << " instances in " << r.requests << " request(s) ("
      << o.shape << ", arrival " << o.arrival;
  if (o.arrival != "burst")
    out << " at " << o.arrival_rate << "/s";
  out << ") on ";
  write_where(out, r);
  out << "\n  plan (first request): " << r.plan << "\n"
      << "  running: " << r.running << ", failed: " << r.failed << "\n"
      << "  all running after " << r.seconds_to_running << " s ("
      << (r.seconds_to_running > 0 ? r.running / r.seconds_to_running : 0) << " instances/s)\n"
      << "  time to running: p50 " << r.p50 << " s, p90 " << r.p90 << " s, p99 " << r.p99
      << " s, max " << r.max << " s\n"
      << "  all created after " << r.seconds_to_created << " s; combined limit "
      << r.limit_seconds << " s (every provider's create buckets in parallel)";
  if (r.limit_seconds > 0)
    out << " => achieved/limit " << r.achieved_over_limit;
  out << "\n  whole-request bound (each request whole on one provider, round-robin) "
      << r.whole_request_bound_seconds << " s";
  if (r.whole_request_bound_seconds > 0)
    out << " => achieved/whole-request bound " << r.achieved_over_whole_request_bound;
  out << "\n  created per provider:";
  for (auto& s : r.shares)
    out << ' ' << s.provider << ' ' << s.created;
  if (r.cheapest_spend_per_hour > 0) {
    auto over = 100 * (r.spend_per_hour / r.cheapest_spend_per_hour - 1);
    out << "\n  spend $" << std::setprecision(2) << r.spend_per_hour << "/h against $"
        << r.cheapest_spend_per_hour << "/h all at the cheapest provider: " << std::setprecision(1)
        << std::max(0.0, over) << " % more" << std::setprecision(3);
  }
  out << "\n  slowest request: all created " << r.slowest_request_seconds
      << " s after its arrival";
  if (o.policy == placement_policy::cheapest_within)
    out << " (deadline " << to_seconds(o.within) << " s: "
        << (r.slowest_request_seconds <= to_seconds(o.within) ? "met" : "missed") << ")";
  out << "\n  API calls: " << r.api_calls << " ("
      << (o.count > 0 ? static_cast<double>(r.api_calls) / o.count : 0)
      << " per instance), throttled " << r.throttled << ", retries " << r.retries
      << ", slowed by the cloud's rate-limit headers " << r.slowed_by_cloud << "\n"
      << "  terminated all in " << r.seconds_down << " s\n"
      << "  CPU " << r.cpu_seconds << " s (" << r.cpu_seconds * 1e6 / std::max(1, o.count)
      << " us per instance), peak RSS " << r.peak_rss_mib << " MiB\n";
}

void write_json(std::ostream& out, const bench_result& r) {
  auto& o = r.options;
  json shares = json::array();
  for (auto& s : r.shares)
    shares.push_back({{"provider", s.provider}, {"created", s.created}, {"price", s.price}});
  json timeline = json::array();
  for (auto& s : r.timeline)
    timeline.push_back({{"t", s.t},
                        {"requested", s.requested},
                        {"pending", s.pending},
                        {"running", s.running},
                        {"terminated", s.terminated},
                        {"failed", s.failed},
                        {"created", s.created},
                        {"api_calls", s.api_calls},
                        {"throttled", s.throttled}});
  json ideal = json::array();
  for (auto& p : r.ideal)
    ideal.push_back({{"t", p.t}, {"created", p.instances}});
  json j = {{"count", o.count},
            {"requests", r.requests},
            {"shape", o.shape},
            {"arrival", o.arrival},
            {"arrival_rate", o.arrival_rate},
            {"cloud", o.cloud},
            {"providers", o.providers},
            {"profile", o.profile},
            {"policy", to_string(o.policy)},
            {"within_seconds", to_seconds(o.within)},
            {"plan", r.plan},
            {"running", r.running},
            {"failed", r.failed},
            {"seconds_to_running", r.seconds_to_running},
            {"seconds_to_created", r.seconds_to_created},
            {"seconds_down", r.seconds_down},
            {"p50", r.p50},
            {"p90", r.p90},
            {"p99", r.p99},
            {"max", r.max},
            {"api_calls", r.api_calls},
            {"throttled", r.throttled},
            {"retries", r.retries},
            {"slowed_by_cloud", r.slowed_by_cloud},
            {"limit_seconds", r.limit_seconds},
            {"achieved_over_limit", r.achieved_over_limit},
            {"whole_request_bound_seconds", r.whole_request_bound_seconds},
            {"achieved_over_whole_request_bound", r.achieved_over_whole_request_bound},
            {"spend_per_hour", r.spend_per_hour},
            {"cheapest_spend_per_hour", r.cheapest_spend_per_hour},
            {"slowest_request_seconds", r.slowest_request_seconds},
            {"shares", std::move(shares)},
            {"cpu_seconds", r.cpu_seconds},
            {"peak_rss_mib", r.peak_rss_mib},
            {"timeline", std::move(timeline)},
            {"ideal", std::move(ideal)}};
  out << json_text(j) << '\n';
}

} // namespace styx
