#include "cli/commands.hpp"
#include "cli/node_command.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/output.hpp"
#include "runtime/aws_credentials.hpp"
#include "runtime/engine.hpp"
#include "runtime/gcp_settings.hpp"
#include "runtime/listing_policy.hpp"
#include "runtime/provider_memory.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/request_spec.hpp"
#include "runtime/state_dir.hpp"
#include "runtime/store.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace styx::cli {

namespace {

std::pair<std::string, std::string> parse_tag(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw usage_error("--tag expects key=value, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void check_clouds(const std::vector<std::string>& clouds) {
  for (auto& c : clouds)
    if (c != "sim" && c != "aws" && c != "gcp")
      throw usage_error("unknown provider '" + c + "' (known: " + known_clouds() + ")");
}

/// The regions of `regions` that `cloud` runs in: all of them when it is the only cloud given,
/// else those named as it names them (aws: us-east-1, gcp: us-central1).
std::vector<std::string> regions_of(const std::string& cloud,
                                    const std::vector<std::string>& clouds,
                                    const std::vector<std::string>& regions) {
  if (std::count_if(clouds.begin(), clouds.end(), [](auto& c) { return c != "sim"; }) <= 1)
    return regions;
  std::vector<std::string> out;
  for (auto& r : regions) {
    bool digit_after_dash = r.size() > 2 && r[r.size() - 2] == '-';
    if ((cloud == "aws") == digit_after_dash)
      out.push_back(r);
  }
  return out;
}

/// The engine for `clouds` (none: the simulated cloud), plus, when `remembered`, every provider
/// an earlier process used (<state_dir>/providers), so status, stop, start and down see their
/// instances. The aws cloud runs in `regions`, else in the AWS CLI's default region.
/// STYX_AWS_DEFAULT_IMAGE and STYX_AWS_SUBNET set the EC2 launch options.
engine_config config_for(const common_options& common, std::vector<std::string> clouds,
                         const std::vector<std::string>& regions = {}, bool remembered = true) {
  engine_config cfg;
  cfg.state_dir = resolve_state_dir(common.state_dir);
  cfg.reconcile_on_start = false; // status answers from the store; up and reconcile ask for it
  if (auto* image = std::getenv("STYX_AWS_DEFAULT_IMAGE"); image != nullptr && *image != '\0')
    cfg.aws.default_image = image;
  if (auto* subnet = std::getenv("STYX_AWS_SUBNET"); subnet != nullptr && *subnet != '\0')
    cfg.aws.subnet_id = subnet;
  if (clouds.empty())
    clouds.push_back("sim");
  check_clouds(clouds);
  cfg.providers.clear();
  auto spec_of = [&](const std::string& cloud) -> provider_spec& {
    for (auto& p : cfg.providers)
      if (p.cloud == cloud)
        return p;
    return cfg.providers.emplace_back(provider_spec{cloud, {}, {}});
  };
  cfg.gcp.project = common.gcp_project;
  for (auto& c : clouds) {
    auto& spec = spec_of(c);
    if (c == "gcp") {
      spec.regions = regions_of(c, clouds, regions);
      if (spec.regions.empty()) {
        auto region = resolve_gcp_region("");
        if (!region.error.empty())
          throw usage_error("gcp: " + region.error);
        spec.regions.push_back(region.region);
      }
    }
    if (c != "aws")
      continue;
    spec.regions = regions_of(c, clouds, regions);
    if (spec.regions.empty()) {
      auto settings = resolve_aws_settings("");
      if (auto* err = std::get_if<std::string>(&settings))
        throw usage_error("aws: " + *err);
      spec.regions.push_back(std::get<aws_settings>(settings).region);
    }
  }
  // Hidden, for tests: STYX_SIM_PROFILE=fast shortens the simulated cloud's delays and lifts
  // the rate limits, so that crash tests of thousands of instances take seconds.
  if (auto* profile = std::getenv("STYX_SIM_PROFILE"); profile != nullptr
                                                      && std::string(profile) == "fast") {
    cfg.sim.latency_median = milliseconds(2);
    cfg.sim.latency_p99 = milliseconds(10);
    cfg.sim.throttle = false;
    cfg.sim.pending_min = milliseconds(50);
    cfg.sim.pending_max = milliseconds(200);
    cfg.sim.transition_min = milliseconds(20);
    cfg.sim.transition_max = milliseconds(100);
    for (auto& p : cfg.providers) {
      p.limits.limits = rate_limits::unlimited();
      p.limits.poll_interval = milliseconds(100);
    }
    cfg.gcp.quotas = gcp_quotas{0, 0};
  }
  if (remembered) {
    for (auto& id : load_provider_memory(cfg.state_dir)) {
      auto& spec = spec_of(id.cloud);
      if (id.cloud != "sim"
          && std::find(spec.regions.begin(), spec.regions.end(), id.region) == spec.regions.end())
        spec.regions.push_back(id.region);
    }
  }
  return cfg;
}

provision_request request_from(const up_options& o) {
  auto now = system_clock{}.wall_ms();
  if (!o.file.empty()) {
    try {
      return load_request_spec(o.file, now);
    } catch (const spec_error& e) {
      throw usage_error(e.what());
    }
  }
  auto req = provision_request::make(
    o.name, resources{}.cpus(o.cpus).memory_gib(o.memory).gpus(o.gpus).gpu_kind(o.gpu_kind));
  req.count(o.count).min_count(o.min_count).spot(o.spot).max_price(o.max_price).image(o.image);
  for (auto& p : o.providers)
    req.provider(p);
  for (auto& r : o.regions)
    req.region(r);
  for (auto& z : o.zones)
    req.zone(z);
  for (auto& t : o.instance_types)
    req.instance_type(t);
  for (auto& t : o.tags) {
    auto [k, v] = parse_tag(t);
    req.tag(k, v);
  }
  if (o.timeout < 0)
    throw usage_error("--timeout must not be negative");
  if (o.timeout > 0)
    req.deadline(now + static_cast<unix_ms>(o.timeout * 1000));
  if (auto problem = req.validate())
    throw usage_error(*problem);
  return req;
}

/// SIGINT and SIGTERM blocked in every thread (the actor system's threads inherit the mask)
/// and taken by one thread with sigtimedwait: run_up sees the signal, drains and persists.
/// Thread rules: made and destroyed by one thread; received() may be read from any. The
/// destructor wakes the waiter with a SIGTERM sent to that thread alone (it is not counted as
/// received), so that an ending `styx up` does not wait for the waiter's tick.
class signal_guard {
public:
  signal_guard() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    waiter_ = std::thread([this] {
      timespec tick{0, 100 * 1000 * 1000};
      while (!stop_) {
        int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig > 0) {
          if (!stop_)
            received_ = sig;
          return;
        }
      }
    });
  }
  ~signal_guard() {
    stop_ = true;
    pthread_kill(waiter_.native_handle(), SIGTERM); // a no-op once the waiter has returned
    waiter_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  /// 0, or the signal received.
  int received() const { return received_; }

private:
  sigset_t set_;
  sigset_t old_;
  std::atomic<bool> stop_{false};
  std::atomic<int> received_{0};
  std::thread waiter_;
};

request_id parse_request_id(const std::string& text, const char* flag) {
  auto id = uuid::parse(text);
  if (!id)
    throw usage_error(std::string(flag) + " expects a request id, got '" + text + "'");
  request_id rid;
  static_cast<uuid&>(rid) = *id;
  return rid;
}

} // namespace

int run_up(const common_options& common, const up_options& opts) {
  signal_guard signals; // before the actor system starts
  std::unique_ptr<engine> resumed_eng;
  provision_request req;
  if (!opts.resume.empty()) {
    // Resume: the engine reconciles (adopts what the interrupted run created), marks the old
    // request resumed and gives a new request for what is missing.
    auto old_id = parse_request_id(opts.resume, "--resume");
    resumed_eng = engine::start(config_for(common, {}));
    resume_result resumed;
    try {
      resumed = resumed_eng->resume(old_id);
    } catch (const request_refused& e) {
      throw usage_error(e.what());
    }
    if (!resumed.rest) {
      std::cout << resumed.live << '/' << resumed.count << " running (request " << opts.resume
                << "), nothing to resume\n";
      return exit_ok;
    }
    req = std::move(*resumed.rest);
  } else {
    req = request_from(opts);
  }
  auto cfg = config_for(common, req.where().providers, req.where().regions, false);
  if (!parse_placement_policy(opts.policy, cfg.policy))
    throw usage_error("unknown policy '" + opts.policy
                      + "' (known: cheapest, round-robin, least-loaded)");
  if (!opts.nodes_file.empty()) // distributed nodes (cli/node_command.hpp)
    apply_nodes_file(opts.nodes_file, !req.where().providers.empty(), cfg);
  bool reconciled = resumed_eng != nullptr;
  std::unique_ptr<engine> eng = resumed_eng ? std::move(resumed_eng) : engine::start(cfg);
  if (!reconciled && eng->durable_store() && cfg.nodes.empty()) {
    // Reconcile on start: what an earlier crash left behind (the surplus of a create retried
    // on a cloud that ignores client tokens, the orphans of a rolled-back request) is found
    // and ended before new work starts.
    auto r = eng->reconcile();
    if (r.terminated_surplus + r.terminated_orphans + r.vanished + r.unfinished > 0)
      std::cerr << "styx: reconciled first: " << r.terminated_surplus << " surplus and "
                << r.terminated_orphans << " orphan instance(s) terminated, " << r.vanished
                << " vanished, " << r.unfinished
                << " interrupted request(s) (styx up --resume REQUEST finishes one)\n";
  }
  auto started = std::chrono::steady_clock::now();
  std::mutex mtx;
  progress_printer progress{std::cerr};
  eng->subscribe([&](const engine_event& ev) {
    if (auto* p = std::get_if<request_progress>(&ev)) {
      std::lock_guard<std::mutex> guard{mtx};
      progress.update(*p);
    }
  });
  auto handle = eng->submit(req);
  std::optional<request_done> done;
  if (opts.detach) {
    // Return once no instance waits for its create call; the cloud boots them on its own.
    while (!handle.done() && signals.received() == 0) {
      auto p = handle.progress();
      if (p.count > 0 && p.requested == 0 && p.pending + p.running + p.failed >= p.count)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (handle.done())
      done = handle.wait();
  } else {
    while (!done && signals.received() == 0)
      done = handle.wait_for(milliseconds(50));
  }
  if (int sig = signals.received(); sig != 0 && !done) {
    // Drain the calls in flight and persist; a later `styx up --resume` finishes the work.
    eng->shutdown();
    std::lock_guard<std::mutex> guard{mtx};
    progress.finish();
    std::cerr << "styx: interrupted; resume with: styx up --resume " << handle.id().to_string()
              << '\n';
    return sig == SIGINT ? exit_sigint : exit_sigterm;
  }
  {
    std::lock_guard<std::mutex> guard{mtx};
    progress.finish();
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!done) {
    auto p = handle.progress();
    if (opts.json)
      std::cout << "{\"request\":\"" << handle.id().to_string() << "\",\"detached\":true,"
                << "\"pending\":" << p.pending << ",\"running\":" << p.running << "}\n";
    else
      std::cout << "request " << handle.id().to_string() << " detached: " << p.running
                << " running, " << p.pending << " pending\n";
    return exit_ok;
  }
  if (opts.json) {
    write_json(std::cout, *done, secs);
  } else {
    if (!done->error.empty())
      std::cout << "request " << done->request.to_string() << " failed: " << done->error << '\n';
    else
      std::cout << done->running << '/' << done->count << " running (request "
                << done->request.to_string() << ") in " << secs << " s"
                << (done->rolled_back ? ", rolled back: fewer than min-count ran" : "") << '\n';
    size_t shown = 0;
    for (auto& f : done->failures) {
      if (++shown > 10) {
        std::cout << "  ... and " << done->failures.size() - 10 << " more failures\n";
        break;
      }
      std::cout << "  failed " << f.instance.to_string().substr(0, 8) << " [" << f.provider
                << "]: " << f.reason << '\n';
    }
  }
  return done->ok ? exit_ok : exit_failed;
}

int run_status(const common_options& common, const status_options& opts) {
  auto cfg = config_for(common, {});
  cfg.places_instances = false; // no catalog: nothing is placed
  auto eng = engine::start(std::move(cfg));
  std::vector<instance_record> records;
  if (opts.refresh) {
    eng->adopt();
    records = eng->list();
  } else {
    for (auto& r : eng->records_from_store()) // no cloud call
      if (!is_final(r.state))
        records.push_back(std::move(r));
  }
  std::sort(records.begin(), records.end(), [](auto& a, auto& b) {
    return std::tie(a.name, a.cloud_id) < std::tie(b.name, b.cloud_id);
  });
  if (opts.json)
    write_json(std::cout, records);
  else
    write_table(std::cout, records);
  return exit_ok;
}

int run_reconcile(const common_options& common, const reconcile_options& opts) {
  auto cfg = config_for(common, {});
  cfg.places_instances = false; // no catalog: a reconcile ends and adopts, it places nothing
  auto eng = engine::start(std::move(cfg));
  auto report = eng->reconcile();
  if (opts.json) {
    std::cout << report.to_json() << '\n';
  } else {
    std::cout << "reconciled " << report.listed << " cloud instance(s): " << report.adopted
              << " adopted, " << report.identified << " identified, " << report.terminated_surplus
              << " surplus terminated, " << report.terminated_orphans << " orphans terminated, "
              << report.vanished << " vanished, " << report.unfinished
              << " unfinished request(s), " << report.intents_resolved << " intent(s) resolved\n";
    for (auto& e : report.errors)
      std::cout << "  listing failed: " << e << '\n';
  }
  return report.errors.empty() ? exit_ok : exit_failed;
}

int run_change(const common_options& common, const change_options& opts) {
  selector sel;
  sel.all = opts.all;
  for (auto& t : opts.tags) {
    auto [k, v] = parse_tag(t);
    sel.tags[k] = v;
  }
  for (auto& r : opts.requests)
    sel.requests.push_back(parse_request_id(r, "--request"));
  if (sel.empty() && opts.instances.empty())
    throw usage_error("nothing selected: give instance ids, --tag k=v, --request ID or --all");
  auto cfg = config_for(common, {});
  cfg.places_instances = false; // no catalog: nothing is placed
  auto eng = engine::start(std::move(cfg));
  // The store's records first: no cloud call, so the changes start at once. When the store
  // may lack instances (runtime/listing_policy.hpp: a crash's surplus, an unanswered create),
  // the listing by the ownership tag finds them, and they are changed too, while the first
  // changes are already under way. `listed`: nothing is left for a listing to find.
  bool listed = false;
  if (auto db = eng->durable_store()) {
    auto records = db->instances();
    auto why = why_list(db->intents(), records);
    eng->adopt(std::move(records));
    listed = !why;
    if (why)
      spdlog::info("listing the clouds after the store's instances: {}", *why);
  } else {
    eng->adopt();
    listed = true;
  }
  // down --request cancels: stored before anything ends, so that neither `up --resume` nor a
  // reconcile after a crash of this command brings the request back.
  if (opts.op == change_op::terminate)
    for (auto& rid : sel.requests)
      eng->cancel(rid);
  auto resolve = [&](bool final) {
    auto known = eng->list();
    sel.ids.clear();
    for (auto& want : opts.instances) {
      auto match = std::find_if(known.begin(), known.end(), [&](const instance_record& r) {
        return r.id.to_string() == want || r.name == want || r.cloud_id == want
               || (want.size() >= 8 && r.id.to_string().rfind(want, 0) == 0);
      });
      if (match == known.end()) {
        if (final)
          throw usage_error("no instance '" + want + "' (see styx status)");
        return false;
      }
      sel.ids.push_back(match->id);
    }
    return true;
  };
  if (!opts.instances.empty() && !resolve(listed)) {
    eng->adopt();
    listed = true;
    resolve(true);
  }
  auto change = [&] {
    return opts.op == change_op::stop    ? eng->stop(sel)
           : opts.op == change_op::start ? eng->start_instances(sel)
                                          : eng->terminate(sel);
  };
  auto asked = change();
  if (!listed) {
    eng->adopt();
    asked = std::max(asked, change()); // those already changing ignore the second ask
  }
  auto target = opts.op == change_op::stop    ? instance_state::stopped
                : opts.op == change_op::start ? instance_state::running
                                              : instance_state::terminated;
  bool settled = eng->wait_for_state(sel, target, std::chrono::seconds(opts.wait_seconds));
  auto after = eng->list(sel);
  if (opts.json) {
    write_json(std::cout, after);
  } else {
    std::cout << to_string(opts.op) << ": " << asked << " instance(s) asked";
    if (!settled)
      std::cout << "; still changing after " << opts.wait_seconds << " s";
    std::cout << '\n';
  }
  return settled ? exit_ok : exit_failed;
}

} // namespace styx::cli
