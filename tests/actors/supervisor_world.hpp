#pragma once
// Test fixture: a supervisor with in-process providers on the deterministic actor system
// (actor_fixture.hpp), and a collector of every event it publishes.

#include <memory>
#include <string>
#include <vector>

#include <caf/send.hpp>

#include "actors/provider.hpp"
#include "actors/supervisor.hpp"
#include "tests/actors/actor_fixture.hpp"

namespace styx::test {

/// Collects the supervisor's events.
struct event_log {
  std::vector<instance_state_changed> changes;
  std::vector<request_progress> progress;
  std::vector<request_done> done;
  std::vector<provider_returned> returned;
};

inline caf::actor spawn_collector(caf::actor_system& sys, std::shared_ptr<event_log> log) {
  return sys.spawn([](caf::event_based_actor*, std::shared_ptr<event_log> log) -> caf::behavior {
    return {
      [log](instance_state_changed& ev) { log->changes.push_back(ev); },
      [log](request_progress& ev) { log->progress.push_back(ev); },
      [log](request_done& ev) { log->done.push_back(ev); },
      [log](provider_returned& ev) { log->returned.push_back(ev); },
    };
  }, log);
}

struct world {
  actor_fixture f;
  supervisor_actor sup;
  std::vector<provider_actor> providers;
  std::shared_ptr<event_log> log = std::make_shared<event_log>();
  caf::actor collector;

  explicit world(sim_config sim = sim_config::unlimited(),
                 std::vector<std::string> regions = {"us-east-1"},
                 provider_config pcfg = {},
                 placement_policy policy = placement_policy::cheapest)
    : f(sim) {
    supervisor_config sc;
    sc.engine_id = "test-engine";
    sc.ids = std::make_shared<uuid_generator>(42);
    sc.instance.wall = &f.clk;
    sc.policy = policy;
    sup = spawn_supervisor(f.sys, sc);
    pcfg.seed = 7;
    for (auto& r : regions) {
      auto api = f.api(r);
      auto p = spawn_provider(f.sys, api, pcfg);
      providers.push_back(p);
      caf::anon_send(sup, provider_atom::value, p, api->id());
    }
    collector = spawn_collector(f.sys, log);
    caf::anon_send(sup, subscribe_atom::value, collector);
    f.run();
  }

  /// A second supervisor on the first provider, with ids of its own, as a later process would
  /// have (it takes over records with adopt_atom). The caller ends it.
  supervisor_actor later_supervisor() {
    supervisor_config sc;
    sc.engine_id = "test-engine";
    sc.ids = std::make_shared<uuid_generator>(7);
    sc.instance.wall = &f.clk;
    auto later = spawn_supervisor(f.sys, sc);
    caf::anon_send(later, provider_atom::value, providers.front(),
                   provider_id{"sim", "us-east-1"});
    f.run();
    return later;
  }

  ~world() {
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    for (auto& p : providers)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(collector, caf::exit_reason::user_shutdown);
    f.run();
  }
};

} // namespace styx::test
