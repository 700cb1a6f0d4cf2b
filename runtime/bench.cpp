#include "runtime/bench.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iomanip>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "runtime/bench_plan.hpp"
#include "runtime/engine.hpp"
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
  cfg.seed = o.seed;
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
  cfg.providers = {p};
  cfg.policy = placement_policy::round_robin; // requests spread over the providers
  return cfg;
}

bench_result run_bench(const bench_options& opts) {
  bench_result r;
  r.options = opts;
  auto cfg = bench_config(opts);
  auto limits = cfg.providers[0].limits.limits;
  if (opts.cloud == "gcp")
    limits = gcp_rate_limits(cfg.gcp.quotas, cfg.providers[0].regions.size());
  auto eng = engine::start(cfg);

  using clk = std::chrono::steady_clock;
  std::mutex mtx;
  std::unordered_map<instance_id, clk::time_point, uuid_hash> created_at;
  std::vector<double> to_running;
  to_running.reserve(static_cast<size_t>(opts.count));
  clk::time_point last_created, last_running;
  std::array<std::atomic<int>, instance_state_count> states{};
  for (auto& s : states)
    s = 0;
  auto t0 = clk::now();
  eng->subscribe([&](const engine_event& ev) {
    auto* c = std::get_if<instance_state_changed>(&ev);
    if (c == nullptr)
      return;
    auto now = clk::now();
    --states[static_cast<size_t>(c->from)];
    ++states[static_cast<size_t>(c->record.state)];
    std::lock_guard<std::mutex> guard{mtx};
    if (c->from == instance_state::requested && c->record.state == instance_state::pending)
      last_created = now;
    if (c->record.state == instance_state::running && c->from == instance_state::pending) {
      to_running.push_back(std::chrono::duration<double>(now - t0).count());
      last_running = now;
    }
  });
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      bench_sample s;
      s.t = std::chrono::duration<double>(clk::now() - t0).count();
      s.requested = states[static_cast<size_t>(instance_state::requested)];
      s.pending = states[static_cast<size_t>(instance_state::pending)];
      s.running = states[static_cast<size_t>(instance_state::running)];
      s.terminated = states[static_cast<size_t>(instance_state::terminated)];
      s.failed = states[static_cast<size_t>(instance_state::failed)];
      for (auto& ps : eng->stats()) {
        s.api_calls += ps.api_calls;
        s.throttled += ps.throttled;
      }
      {
        std::lock_guard<std::mutex> guard{mtx};
        r.timeline.push_back(s);
      }
      std::this_thread::sleep_for(milliseconds(250));
    }
  });

  auto c0 = process_cpu_seconds();
  std::vector<request_handle> handles;
  auto plan = plan_requests(opts);
  for (size_t i = 0; i < plan.size(); ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::duration_cast<clk::duration>(
                                         std::chrono::duration<double>(plan[i].at)));
    // Requests go round-robin over the providers (bench_config's policy).
    auto req =
      provision_request::make("bench" + std::to_string(i), resources{}.cpus(1).memory_gib(1))
        .count(plan[i].count);
    if (opts.cloud != "sim")
      req.provider(opts.cloud);
    states[static_cast<size_t>(instance_state::requested)] += plan[i].count;
    handles.push_back(eng->submit(req));
  }
  for (auto& h : handles) {
    auto d = h.wait();
    r.running += d.running;
    r.failed += d.failed;
  }
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
  }
  eng->shutdown();
  std::lock_guard<std::mutex> guard{mtx};
  auto secs = [&](clk::time_point t) { return std::chrono::duration<double>(t - t0).count(); };
  r.seconds_to_running = secs(up_end);
  r.seconds_to_created = secs(last_created);
  r.seconds_down = std::chrono::duration<double>(down_end - up_end).count();
  r.p50 = percentile(to_running, 0.50);
  r.p90 = percentile(to_running, 0.90);
  r.p99 = percentile(to_running, 0.99);
  r.max = to_running.empty() ? 0 : *std::max_element(to_running.begin(), to_running.end());
  int providers = opts.cloud != "sim" ? static_cast<int>(std::max<size_t>(1, opts.regions.size()))
                                       : opts.providers;
  r.bound_seconds = plan_bound_seconds(plan, limits, providers);
  r.requests = static_cast<int>(plan.size());
  r.achieved_over_bound = r.seconds_to_created > 0 && r.bound_seconds > 0
                            ? r.bound_seconds / r.seconds_to_created
                            : 0;
  r.peak_rss_mib = process_peak_rss_mib();
  return r;
}

void write_summary(std::ostream& out, const bench_result& r) {
  auto& o = r.options;
  out << std::fixed << std::setprecision(3);
  out << "styx bench: " << o.count << " instances in " << r.requests << " request(s) ("
      << o.shape << ", arrival " << o.arrival;
  if (o.arrival != "burst")
    out << " at " << o.arrival_rate << "/s";
  out << ") on ";
  if (o.cloud != "sim")
    out << std::max<size_t>(1, o.regions.size()) << " " << o.cloud << " provider(s)\n";
  else
    out << o.providers << " simulated provider(s), profile " << o.profile << "\n";
  out << "  running: " << r.running << ", failed: " << r.failed << "\n"
      << "  all running after " << r.seconds_to_running << " s ("
      << (r.seconds_to_running > 0 ? r.running / r.seconds_to_running : 0) << " instances/s)\n"
      << "  time to running: p50 " << r.p50 << " s, p90 " << r.p90 << " s, p99 " << r.p99
      << " s, max " << r.max << " s\n"
      << "  all created after " << r.seconds_to_created << " s; create bound "
      << r.bound_seconds << " s";
  if (r.bound_seconds > 0)
    out << " => achieved/bound " << r.achieved_over_bound;
  out << "\n  API calls: " << r.api_calls << " ("
      << (o.count > 0 ? static_cast<double>(r.api_calls) / o.count : 0)
      << " per instance), throttled " << r.throttled << ", retries " << r.retries << "\n"
      << "  terminated all in " << r.seconds_down << " s\n"
      << "  CPU " << r.cpu_seconds << " s (" << r.cpu_seconds * 1e6 / std::max(1, o.count)
      << " us per instance), peak RSS " << r.peak_rss_mib << " MiB\n";
}

void write_json(std::ostream& out, const bench_result& r) {
  auto& o = r.options;
  out << std::setprecision(6) << "{\"count\":" << o.count << ",\"requests\":" << r.requests
      << ",\"shape\":\"" << o.shape << "\",\"arrival\":\"" << o.arrival
      << "\",\"arrival_rate\":" << o.arrival_rate << ",\"cloud\":\"" << o.cloud
      << "\",\"providers\":" << o.providers << ",\"profile\":\"" << o.profile
      << "\",\"running\":" << r.running << ",\"failed\":" << r.failed
      << ",\"seconds_to_running\":" << r.seconds_to_running
      << ",\"seconds_to_created\":" << r.seconds_to_created
      << ",\"seconds_down\":" << r.seconds_down << ",\"p50\":" << r.p50 << ",\"p90\":" << r.p90
      << ",\"p99\":" << r.p99 << ",\"max\":" << r.max << ",\"api_calls\":" << r.api_calls
      << ",\"throttled\":" << r.throttled << ",\"retries\":" << r.retries
      << ",\"bound_seconds\":" << r.bound_seconds
      << ",\"achieved_over_bound\":" << r.achieved_over_bound
      << ",\"cpu_seconds\":" << r.cpu_seconds << ",\"peak_rss_mib\":" << r.peak_rss_mib
      << ",\"timeline\":[";
  for (size_t i = 0; i < r.timeline.size(); ++i) {
    auto& s = r.timeline[i];
    out << (i ? "," : "") << "{\"t\":" << s.t << ",\"requested\":" << s.requested
        << ",\"pending\":" << s.pending << ",\"running\":" << s.running
        << ",\"terminated\":" << s.terminated << ",\"failed\":" << s.failed
        << ",\"api_calls\":" << s.api_calls << ",\"throttled\":" << s.throttled << '}';
  }
  out << "]}\n";
}

void write_svg(std::ostream& out, const bench_result& r) {
  constexpr double w = 900, h = 420, left = 60, right = 20, top = 30, bottom = 40;
  double tmax = r.timeline.empty() ? 1 : std::max(1e-3, r.timeline.back().t);
  double ymax = std::max(1, r.options.count);
  auto x = [&](double t) { return left + (w - left - right) * t / tmax; };
  auto y = [&](double v, double max) { return top + (h - top - bottom) * (1 - v / max); };
  out << std::fixed << std::setprecision(1)
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"18\">styx bench: " << r.options.count
      << " instances, " << r.options.providers << " provider(s), profile "
      << r.options.profile
      << " (x: seconds, y: instances; dashed: API calls/s; red ticks: throttles)</text>\n"
      << "<line x1=\"" << left << "\" y1=\"" << h - bottom << "\" x2=\"" << w - right
      << "\" y2=\"" << h - bottom << "\" stroke=\"black\"/>\n<line x1=\"" << left << "\" y1=\""
      << top << "\" x2=\"" << left << "\" y2=\"" << h - bottom << "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= 5; ++i) {
    double t = tmax * i / 5, v = ymax * i / 5;
    out << "<text x=\"" << x(t) - 10 << "\" y=\"" << h - bottom + 16 << "\">" << t
        << "</text>\n<text x=\"4\" y=\"" << y(v, ymax) + 4 << "\">" << static_cast<int>(v)
        << "</text>\n";
  }
  struct series {
    const char* name;
    const char* color;
    int bench_sample::*field;
  };
  const series all[] = {{"requested", "#999999", &bench_sample::requested},
                        {"pending", "#e69f00", &bench_sample::pending},
                        {"running", "#009e73", &bench_sample::running},
                        {"terminated", "#0072b2", &bench_sample::terminated},
                        {"failed", "#d55e00", &bench_sample::failed}};
  out << "<rect x=\"" << w - 215 << "\" y=\"" << top + 2 << "\" width=\"200\" height=\"120\" "
      << "fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n";
  int legend = 0;
  for (auto& s : all) {
    out << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\" points=\"";
    for (auto& p : r.timeline)
      out << x(p.t) << ',' << y(p.*(s.field), ymax) << ' ';
    out << "\"/>\n<text x=\"" << w - 205 << "\" y=\"" << top + 16 * ++legend << "\" fill=\""
        << s.color << "\">" << s.name << "</text>\n";
  }
  // API calls per second, scaled to the plot's height.
  double max_rate = 1;
  for (size_t i = 1; i < r.timeline.size(); ++i) {
    auto dt = r.timeline[i].t - r.timeline[i - 1].t;
    if (dt > 0)
      max_rate = std::max(max_rate, (r.timeline[i].api_calls - r.timeline[i - 1].api_calls) / dt);
  }
  out << "<polyline fill=\"none\" stroke=\"#cc79a7\" stroke-dasharray=\"4 3\" points=\"";
  for (size_t i = 1; i < r.timeline.size(); ++i) {
    auto dt = r.timeline[i].t - r.timeline[i - 1].t;
    auto rate = dt > 0 ? (r.timeline[i].api_calls - r.timeline[i - 1].api_calls) / dt : 0;
    out << x(r.timeline[i].t) << ',' << y(rate, max_rate) << ' ';
  }
  out << "\"/>\n<text x=\"" << w - 205 << "\" y=\"" << top + 16 * ++legend
      << "\" fill=\"#cc79a7\">API calls/s (max " << max_rate << ")</text>\n";
  // Throttles: a red tick on the time axis per sample interval that had any, as tall as the
  // throttles it had (capped).
  uint64_t throttles = 0;
  for (size_t i = 1; i < r.timeline.size(); ++i) {
    auto d = r.timeline[i].throttled - r.timeline[i - 1].throttled;
    if (d == 0)
      continue;
    throttles += d;
    auto tick = 6 + std::min<double>(30, 2.0 * static_cast<double>(d));
    out << "<line x1=\"" << x(r.timeline[i].t) << "\" y1=\"" << h - bottom << "\" x2=\""
        << x(r.timeline[i].t) << "\" y2=\"" << h - bottom - tick
        << "\" stroke=\"#d00000\" stroke-width=\"2\"><title>" << d << " throttled at "
        << r.timeline[i].t << " s</title></line>\n";
  }
  out << "<text x=\"" << w - 205 << "\" y=\"" << top + 16 * ++legend
      << "\" fill=\"#d00000\">throttles (ticks; " << throttles << " in all)</text>\n</svg>\n";
}

} // namespace styx
