#include "cli/commands.hpp"
#include "cli/node_command.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "cli/config.hpp"
#include "cli/output.hpp"
#include "cli/policy_option.hpp"
#include "runtime/cloud_check.hpp"
#include "runtime/engine.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/request_spec.hpp"
#include "runtime/store.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace styx::cli {

namespace {

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

/// The engine's plan for `req`; none (said on stderr) when it cannot make one.
/// At -v, once the request is done: what each provider did to get there (the chaos tests
/// read these lines to check that retries stayed within the retry budget).
void log_provider_work(engine& eng) {
  if (!spdlog::should_log(spdlog::level::info))
    return;
  for (auto& s : eng.stats())
    spdlog::info("{}: {} API calls, {} throttled, {} retries, {} refused by the retry budget, "
                 "{} failed", s.provider.to_string(), s.api_calls, s.throttled, s.retries,
                 s.budget_exhausted, s.failed_calls);
}

std::optional<placement_quote> quote_of(engine& eng, const provision_request& req) {
  try {
    return eng.quote(req);
  } catch (const engine_error& e) {
    std::cerr << "styx: no plan: " << e.what() << '\n';
    return std::nullopt;
  }
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
    auto with_nodes = common; // the remembered nodes, or up's --nodes FILE
    if (!opts.nodes_file.empty())
      with_nodes.nodes_file = opts.nodes_file;
    resumed_eng = engine::start(config_for(with_nodes, {}));
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
  parse_policy_words(opts.policy, cfg.policy, cfg.within);
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
  auto plan = quote_of(*eng, req); // the split it will follow, printed before it starts
  if (!opts.json && plan)
    std::cout << "plan: " << plan->summary() << std::endl;
  auto started = std::chrono::steady_clock::now();
  std::mutex mtx;
  progress_printer progress{std::cerr};
  // Ends before mtx and progress do, whichever way run_up returns (the engine lives longer).
  scoped_subscription on_progress{*eng, [&](const engine_event& ev) {
    if (auto* p = std::get_if<request_progress>(&ev)) {
      std::lock_guard<std::mutex> guard{mtx};
      progress.update(*p);
    }
  }};
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
  log_provider_work(*eng);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!done) {
    auto p = handle.progress();
    if (opts.json)
      write_detached_json(std::cout, handle.id(), p, plan ? &*plan : nullptr);
    else
      std::cout << "request " << handle.id().to_string() << " detached: " << p.running
                << " running, " << p.pending << " pending\n";
    return exit_ok;
  }
  if (is_no_fit_error(done->error)) // say what exists: regions, the closest offering
    done->error += "; " + explain_no_fit(*eng, req);
  if (opts.json) {
    write_json(std::cout, *done, secs, plan ? &*plan : nullptr);
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
  std::set<instance_id> missed;
  if (opts.refresh) {
    eng->adopt();
    records = eng->list();
    // What is on a provider not reached is shown as the store last recorded it.
    if (auto db = eng->durable_store()) {
      auto stored = db->instances();
      missed = report_unreached(*eng, stored, std::cerr);
      for (auto& r : stored)
        if (missed.count(r.id) > 0)
          records.push_back(r);
    }
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
  return missed.empty() ? exit_ok : exit_failed;
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
  // Nothing was decided for the records of a provider that did not answer.
  std::set<instance_id> missed;
  if (auto db = eng->durable_store())
    missed = report_unreached(*eng, db->instances(), std::cerr);
  return report.errors.empty() && missed.empty() ? exit_ok : exit_failed;
}

} // namespace styx::cli
