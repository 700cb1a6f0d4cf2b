// End to end on the simulated cloud: 10,000 instances in 10 requests through the real engine,
// with throttling (the cloud's buckets are smaller than the engine's), capacity running out in
// some zones, transient 5xx errors and API latency. Every instance must end running or failed
// with a reason, every request must finish, and after `terminate` the cloud must hold none.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <cstdio>
#include <mutex>

#include <unistd.h>

#include "runtime/engine.hpp"
#include "providers/sim/sim_cloud.hpp"

using namespace styx;

namespace {

std::string fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("styx-e2e-" + name + "-"
                                                       + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

engine_config chaotic_config(const std::string& dir) {
  engine_config cfg;
  cfg.state_dir = dir;
  cfg.seed = 1234;
  auto& sim = cfg.sim;
  sim.seed = 99;
  sim.regions = {"us-east-1", "us-west-2"};
  sim.latency_median = milliseconds(3);
  sim.latency_p99 = milliseconds(20);
  sim.transient_error_rate = 0.05;
  sim.pending_min = milliseconds(50);
  sim.pending_max = milliseconds(400);
  sim.transition_min = milliseconds(20);
  sim.transition_max = milliseconds(200);
  // Capacity runs out: the cheapest zones hold only part of the fleet.
  sim.zone_capacity = {{"us-east-1a", 1500}, {"us-east-1b", 1000}, {"us-west-2a", 500}};
  // The cloud throttles below what the engine believes it may send: real RequestLimitExceeded.
  sim.throttle = true;
  sim.buckets.create = {5, 20};
  sim.buckets.create_instances = {1500, 2500};
  sim.buckets.describe = {20, 40};
  sim.buckets.terminate = {10, 20};
  sim.buckets.terminate_instances = {2000, 4000};
  provider_spec p;
  p.cloud = "sim";
  p.limits.limits.create = {20, 40};
  p.limits.limits.create_instances = {4000, 4000};
  p.limits.limits.describe = {50, 100};
  p.limits.limits.terminate = {20, 40};
  p.limits.limits.terminate_instances = {4000, 8000};
  p.limits.poll_interval = milliseconds(150);
  p.limits.sweep_interval = seconds(2);
  p.limits.create_window = window_policy{milliseconds(10), milliseconds(200), 1000};
  p.limits.change_window = window_policy{milliseconds(10), milliseconds(200), 1000};
  p.limits.retry = backoff_policy{milliseconds(20), milliseconds(500), 10};
  cfg.providers = {p};
  return cfg;
}

} // namespace

TEST_CASE("10,000 instances through throttling, capacity exhaustion and 5xx") {
  auto dir = fresh_dir("fleet");
  auto cfg = chaotic_config(dir);
  std::map<instance_id, instance_record> last; // every instance's last event
  std::mutex mtx;
  int running = 0;
  {
    auto eng = engine::start(cfg);
    eng->subscribe([&](const engine_event& ev) {
      if (auto* c = std::get_if<instance_state_changed>(&ev)) {
        std::lock_guard<std::mutex> guard{mtx};
        last[c->record.id] = c->record;
      }
    });
    std::vector<request_handle> handles;
    for (int i = 0; i < 10; ++i)
      handles.push_back(eng->submit(
        provision_request::make("fleet" + std::to_string(i), resources{}.cpus(2).memory_gib(4))
          .count(1000)
          .min_count(1)));
    int failed = 0;
    std::map<std::string, int> reasons;
    for (auto& h : handles) {
      auto done = h.wait_for(std::chrono::minutes(5));
      REQUIRE(done); // no request is lost
      CHECK(done->error.empty());
      CHECK(done->running + done->failed == 1000);
      for (auto& f : done->failures) {
        CHECK_FALSE(f.reason.empty());
        ++reasons[f.reason];
      }
      running += done->running;
      failed += done->failed;
    }
    for (auto& [reason, n] : reasons)
      std::fprintf(stderr, "%d failed: %s\n", n, reason.c_str());
    CHECK(running + failed == 10'000);
    CHECK(running > 9'000); // capacity elsewhere is enough: failover must find it
    CHECK(failed == 0);
    auto stats = eng->stats();
    uint64_t throttled = 0, retries = 0;
    for (auto& s : stats) {
      throttled += s.throttled;
      retries += s.retries;
    }
    CHECK(throttled > 0); // the scenario really throttled
    CHECK(retries > 0);
    // Every instance's last word is running or failed-with-a-reason.
    auto records = eng->list();
    REQUIRE(records.size() >= 10'000);
    for (auto& r : records) {
      bool ok = r.state == instance_state::running
                || (is_final(r.state) && !r.last_error.empty());
      if (!ok)
        FAIL_CHECK(r.name << " ended " << to_string(r.state) << " without a reason");
    }
    // Then all are terminated.
    eng->terminate(selector::everything());
    REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated,
                                std::chrono::minutes(3)));
  }
  // Checked from the cloud's side: its saved state holds no live instance.
  system_clock wall;
  auto sim = cfg.sim;
  sim.state_file = dir + "/sim-cloud.json";
  sim_cloud cloud{sim, wall};
  std::string err;
  REQUIRE(cloud.load(&err));
  CHECK(cloud.live_count() == 0);
  CHECK(cloud.all().size() >= static_cast<size_t>(running)); // every one that ran existed
  std::filesystem::remove_all(dir);
}
