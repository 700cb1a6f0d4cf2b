#include "runtime/bench.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "runtime/bench_plan.hpp"
#include "runtime/engine.hpp"
#include "runtime/azure_settings.hpp"
#include "runtime/gcp_settings.hpp"

namespace styx {

namespace {

double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0;
  auto i = static_cast<size_t>(std::ceil(p * static_cast<double>(xs.size()))) - 1;
  std::nth_element(xs.begin(), xs.begin() + static_cast<ptrdiff_t>(i), xs.end());
  return xs[i];
}

} // namespace

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double process_peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

engine_config bench_config(const bench_options& o) {
  engine_config cfg;
  cfg.threads = o.threads;
  // On a real cloud instance ids are names and ownership: a run must never reuse an earlier
  // run's, so only the simulated cloud's runs are seeded.
  cfg.seed = o.cloud == "sim" ? o.seed : 0;
  cfg.sim.seed = o.seed;
  cfg.sim.regions.clear();
  const char* regions[] = {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
                           "ap-northeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1"};
  for (int i = 0; i < o.providers; ++i)
    cfg.sim.regions.push_back(i < 8 ? regions[i] : "region-" + std::to_string(i));
  provider_spec p;
  if (o.profile == "unlimited") {
    cfg.sim = sim_config::unlimited();
    cfg.sim.seed = o.seed;
    cfg.sim.regions.assign(std::begin(regions), std::begin(regions) + std::min(o.providers, 8));
    p.limits.limits = rate_limits::unlimited();
    p.limits.create_window = window_policy{milliseconds(1), milliseconds(20), 1000};
    p.limits.change_window = window_policy{milliseconds(1), milliseconds(20), 1000};
    p.limits.poll_interval = milliseconds(5);
    p.limits.max_in_flight = 64;
  } else {
    // EC2's published buckets on both sides, the cloud's capacity out of the way.
    cfg.sim.capacity_per_zone = -1;
    cfg.sim.pending_min = milliseconds(500);
    cfg.sim.pending_max = milliseconds(1500);
    p.limits.poll_interval = milliseconds(500);
    p.limits.limits.scale_refill(o.rate_scale);
    cfg.sim.buckets.scale_refill(o.rate_scale);
  }
  if (o.pending_seconds >= 0)
    cfg.sim.pending_min = cfg.sim.pending_max = from_seconds(o.pending_seconds);
  if (o.cloud == "aws") {
    // The engine's client side only: the cloud keeps its own limits.
    p = provider_spec{};
    p.cloud = "aws";
    p.regions = o.regions.empty() ? std::vector<std::string>{"us-east-1"} : o.regions;
    p.limits.poll_interval = milliseconds(500);
    p.limits.limits.scale_refill(o.rate_scale);
  }
  if (o.cloud == "sim" && o.price_step != 0)
    for (size_t i = 0; i < cfg.sim.regions.size(); ++i)
      cfg.sim.price_factor[cfg.sim.regions[i]] = 1 + o.price_step * static_cast<double>(i);
  if (o.cloud == "gcp") { // the project's quotas pace it (engine_config::gcp)
    p = provider_spec{};
    p.cloud = "gcp";
    p.regions = o.regions;
    if (p.regions.empty())
      p.regions.push_back(resolve_gcp_region("").region);
    p.limits.poll_interval = milliseconds(500);
    cfg.gcp.project = o.gcp_project;
    cfg.gcp.quotas.mutations_per_minute *= o.rate_scale;
    cfg.gcp.quotas.reads_per_minute *= o.rate_scale;
  }
  if (o.cloud == "azure") { // Resource Manager's buckets pace it (engine_config::azure)
    p = provider_spec{};
    p.cloud = "azure";
    p.regions = o.regions;
    if (p.regions.empty())
      p.regions.push_back(resolve_azure_location("").location);
    p.limits.poll_interval = milliseconds(500);
    cfg.azure.subscription = o.azure_subscription;
    cfg.azure.resource_group = o.azure_group;
    for (auto* b : {&cfg.azure.limits.reads, &cfg.azure.limits.writes, &cfg.azure.limits.deletes})
      b->refill_per_sec *= o.rate_scale;
  }
  cfg.providers = {p};
  cfg.policy = o.policy;
  cfg.within = o.within;
  return cfg;
}

namespace {

/// What the engine's events say about a run, gathered on engine threads.
struct run_log {
  using clk = std::chrono::steady_clock;
  std::mutex mtx;
  std::vector<double> to_running;
  clk::time_point last_created{}, last_running{};
  std::map<std::string, int> created_on;                       // by provider
  std::unordered_map<request_id, clk::time_point, uuid_hash> submitted, done_creating;
  std::array<std::atomic<int>, instance_state_count> states{};
  std::atomic<int> created{0};
};

provision_request bench_request(const bench_options& opts, size_t i, int count) {
  auto req = provision_request::make("bench" + std::to_string(i), resources{}.cpus(1).memory_gib(1))
               .count(count);
  if (opts.cloud != "sim")
    req.provider(opts.cloud);
  return req;
}

/// The engine's quote for the first request; the price of each provider it names.
std::string quote_first(engine& eng, const bench_options& opts, int count,
                        std::map<std::string, double>& prices) {
  try {
    auto q = eng.quote(bench_request(opts, 0, count));
    for (auto& l : q.lanes)
      prices[l.provider.to_string()] = l.price;
    return q.summary();
  } catch (const engine_error& e) {
    return std::string{"no plan: "} + e.what();
  }
}

/// The figures computed after a run: limits, their curve, shares and spend.
void account(bench_result& r, run_log& log, const std::vector<planned_request>& plan,
             const rate_limits& limits, int providers,
             const std::map<std::string, double>& prices) {
  std::vector<rate_limits> all(static_cast<size_t>(std::max(1, providers)), limits);
  auto ratio = [](double limit, double achieved) {
    return achieved > 0 && limit > 0 ? limit / achieved : 0;
  };
  r.limit_seconds = combined_limit_seconds(plan, all);
  r.achieved_over_limit = ratio(r.limit_seconds, r.seconds_to_created);
  r.whole_request_bound_seconds = plan_bound_seconds(plan, limits, providers);
  r.achieved_over_whole_request_bound = ratio(r.whole_request_bound_seconds, r.seconds_to_created);
  double tmax = std::max(r.limit_seconds, r.timeline.empty() ? 0 : r.timeline.back().t);
  for (int i = 0; i <= 200; ++i) {
    double t = tmax * i / 200;
    r.ideal.push_back(bench_point{t, combined_created_by(plan, all, t)});
  }
  double cheapest = 0;
  for (auto& [provider, price] : prices)
    cheapest = cheapest > 0 && cheapest < price ? cheapest : price;
  int created = 0;
  for (auto& [provider, n] : log.created_on) {
    auto i = prices.find(provider);
    double price = i != prices.end() ? i->second : 0;
    r.shares.push_back(bench_provider_share{provider, n, price});
    r.spend_per_hour += n * price;
    created += n;
  }
  r.cheapest_spend_per_hour = created * cheapest;
  for (auto& [id, at] : log.submitted)
    if (auto i = log.done_creating.find(id); i != log.done_creating.end())
      r.slowest_request_seconds =
        std::max(r.slowest_request_seconds, std::chrono::duration<double>(i->second - at).count());
}

} // namespace

bench_result run_bench(const bench_options& opts) {
  bench_result r;
  r.options = opts;
  auto cfg = bench_config(opts);
  auto limits = cfg.providers[0].limits.limits;
  int providers = opts.cloud != "sim" ? static_cast<int>(std::max<size_t>(1, opts.regions.size()))
                                       : opts.providers;
  if (opts.cloud == "gcp")
    limits = gcp_rate_limits(cfg.gcp.quotas, cfg.providers[0].regions.size());
  if (opts.cloud == "azure")
    limits = azure_rate_limits(cfg.azure.limits, cfg.providers[0].regions.size());
  auto eng = engine::start(cfg);
  auto plan = plan_requests(opts);
  std::map<std::string, double> prices;
  r.plan = quote_first(*eng, opts, plan.empty() ? 0 : plan[0].count, prices);

  using clk = std::chrono::steady_clock;
  run_log log;
  log.to_running.reserve(static_cast<size_t>(opts.count));
  for (auto& s : log.states)
    s = 0;
  auto t0 = clk::now();
  scoped_subscription on_change{*eng, [&](const engine_event& ev) { // ends before log
    auto* c = std::get_if<instance_state_changed>(&ev);
    if (c == nullptr)
      return;
    auto now = clk::now();
    --log.states[static_cast<size_t>(c->from)];
    ++log.states[static_cast<size_t>(c->record.state)];
    bool created =
      c->from == instance_state::requested && c->record.state == instance_state::pending;
    log.created += created ? 1 : 0;
    std::lock_guard<std::mutex> guard{log.mtx};
    if (created) {
      log.last_created = now;
      ++log.created_on[c->record.provider.to_string()];
      log.done_creating[c->record.request] = now;
    }
    if (c->record.state == instance_state::running && c->from == instance_state::pending) {
      log.to_running.push_back(std::chrono::duration<double>(now - t0).count());
      log.last_running = now;
    }
  }};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      bench_sample s;
      s.t = std::chrono::duration<double>(clk::now() - t0).count();
      auto at = [&](instance_state x) { return log.states[static_cast<size_t>(x)].load(); };
      s.requested = at(instance_state::requested);
      s.pending = at(instance_state::pending);
      s.running = at(instance_state::running);
      s.terminated = at(instance_state::terminated);
      s.failed = at(instance_state::failed);
      s.created = log.created;
      for (auto& ps : eng->stats()) {
        s.api_calls += ps.api_calls;
        s.throttled += ps.throttled;
      }
      {
        std::lock_guard<std::mutex> guard{log.mtx};
        r.timeline.push_back(s);
      }
      std::this_thread::sleep_for(milliseconds(250));
    }
  });

  auto c0 = process_cpu_seconds();
  std::vector<request_handle> handles;
  for (size_t i = 0; i < plan.size(); ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::duration_cast<clk::duration>(
                                         std::chrono::duration<double>(plan[i].at)));
    auto req = bench_request(opts, i, plan[i].count);
    log.states[static_cast<size_t>(instance_state::requested)] += plan[i].count;
    auto now = clk::now();
    handles.push_back(eng->submit(req));
    std::lock_guard<std::mutex> guard{log.mtx};
    log.submitted[handles.back().id()] = now;
  }
  std::map<std::string, int> why_failed; // the bench says why, not only how many
  for (auto& h : handles) {
    auto d = h.wait();
    r.running += d.running;
    r.failed += d.failed;
    for (auto& f : d.failures)
      ++why_failed[f.reason];
  }
  for (auto& [why, n] : why_failed)
    spdlog::warn("bench: {} instance(s) failed: {}", n, why);
  auto up_end = clk::now();
  eng->terminate(selector::everything());
  eng->wait_for_state(selector::everything(), instance_state::terminated, std::chrono::hours(1));
  auto down_end = clk::now();
  r.cpu_seconds = process_cpu_seconds() - c0;
  sampling = false;
  sampler.join();
  for (auto& ps : eng->stats()) {
    r.api_calls += ps.api_calls;
    r.throttled += ps.throttled;
    r.retries += ps.retries;
    r.slowed_by_cloud += ps.slowed_by_cloud;
  }
  eng->shutdown();
  std::lock_guard<std::mutex> guard{log.mtx};
  auto secs = [&](clk::time_point t) { return std::chrono::duration<double>(t - t0).count(); };
  r.seconds_to_running = secs(up_end);
  r.seconds_to_created = secs(log.last_created);
  r.seconds_down = std::chrono::duration<double>(down_end - up_end).count();
  r.p50 = percentile(log.to_running, 0.50);
  r.p90 = percentile(log.to_running, 0.90);
  r.p99 = percentile(log.to_running, 0.99);
  r.max = log.to_running.empty() ? 0
                                 : *std::max_element(log.to_running.begin(), log.to_running.end());
  r.requests = static_cast<int>(plan.size());
  account(r, log, plan, limits, providers, prices);
  r.peak_rss_mib = process_peak_rss_mib();
  return r;
}

} // namespace styx
