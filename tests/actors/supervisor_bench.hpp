#pragma once
// A supervisor with one provider per region, each on a recording cloud_api over one simulated
// cloud, and a subscriber that keeps every event; for the supervisor policy tests.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include "actors/provider.hpp"
#include "actors/supervisor.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/cloud_doubles.hpp"

namespace styx::test {

struct supervisor_events {
  std::vector<instance_state_changed> changes;
  std::vector<request_progress> progress;
  std::vector<request_done> done;
};

struct supervisor_bench {
  actor_fixture f;
  supervisor_actor sup;
  std::vector<provider_actor> providers;
  std::vector<std::shared_ptr<recording_api>> apis; // by region, in the order given
  std::shared_ptr<supervisor_events> events = std::make_shared<supervisor_events>();
  caf::actor collector;

  /// Every provider with `pcfg`, its rate limits lifted.
  explicit supervisor_bench(sim_config sim, std::vector<std::string> regions = {"us-east-1"},
                            supervisor_config sc = {}, provider_config pcfg = {})
    : supervisor_bench(sim, regions, sc, lifted(pcfg, regions.size())) {}

  /// Provider i with per_region[i], its rate limits as given.
  supervisor_bench(sim_config sim, std::vector<std::string> regions, supervisor_config sc,
                   std::vector<provider_config> per_region)
    : f(sim) {
    sc.engine_id = "test-engine";
    sc.ids = std::make_shared<uuid_generator>(42);
    sc.instance.wall = &f.clk;
    sup = spawn_supervisor(f.sys, sc);
    for (size_t i = 0; i < regions.size(); ++i) {
      auto pcfg = i < per_region.size() ? per_region[i] : provider_config{};
      pcfg.seed = 7;
      auto api = std::make_shared<recording_api>(f.api(regions[i]), f.clk);
      apis.push_back(api);
      providers.push_back(spawn_provider(f.sys, api, pcfg));
      caf::anon_send(sup, provider_atom::value, providers.back(), api->id());
    }
    auto ev = events;
    collector = f.sys.spawn([](caf::event_based_actor*, decltype(ev) ev) -> caf::behavior {
      return {
        [ev](instance_state_changed& x) { ev->changes.push_back(x); },
        [ev](request_progress& x) { ev->progress.push_back(x); },
        [ev](request_done& x) { ev->done.push_back(x); },
      };
    }, ev);
    caf::anon_send(sup, subscribe_atom::value, collector);
    f.run();
  }

  ~supervisor_bench() {
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    for (auto& p : providers)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(collector, caf::exit_reason::user_shutdown);
    f.run();
  }

  request_id submit(const provision_request& req) {
    auto id = f.ask<request_id>(sup, req);
    REQUIRE(id);
    return *id;
  }

  /// The request_done of `id`, or nullptr while it is not done.
  const request_done* done_of(const request_id& id) const {
    for (auto& d : events->done)
      if (d.request == id)
        return &d;
    return nullptr;
  }

  std::vector<instance_record> instances_of(const request_id& id) {
    selector sel;
    sel.requests.push_back(id);
    auto xs = f.ask<std::vector<instance_record>>(sup, list_atom::value, sel);
    REQUIRE(xs);
    return *xs;
  }

  int count_in(const request_id& id, instance_state s) {
    int n = 0;
    for (auto& r : instances_of(id))
      n += r.state == s ? 1 : 0;
    return n;
  }

  /// Running instances of `id` per region.
  std::map<std::string, int> running_by_region(const request_id& id) {
    std::map<std::string, int> out;
    for (auto& r : instances_of(id))
      if (r.state == instance_state::running)
        ++out[r.provider.region];
    return out;
  }

  /// Create calls that went to `zone`, on any provider.
  size_t creates_in(const std::string& zone) const {
    size_t n = 0;
    for (auto& api : apis)
      for (auto& c : api->of(api_op::create))
        n += c.call.spec.zone == zone ? 1 : 0;
    return n;
  }

private:
  static std::vector<provider_config> lifted(provider_config pcfg, size_t n) {
    pcfg.limits = rate_limits::unlimited();
    return std::vector<provider_config>(n, pcfg);
  }
};

} // namespace styx::test
