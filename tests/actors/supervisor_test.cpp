#include <catch2/catch.hpp>

#include <caf/send.hpp>

#include "actors/provider.hpp"
#include "actors/supervisor.hpp"
#include "tests/actors/actor_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// Collects the supervisor's events.
struct event_log {
  std::vector<instance_state_changed> changes;
  std::vector<request_progress> progress;
  std::vector<request_done> done;
};

caf::actor spawn_collector(caf::actor_system& sys, std::shared_ptr<event_log> log) {
  return sys.spawn([](caf::event_based_actor*, std::shared_ptr<event_log> log) -> caf::behavior {
    return {
      [log](instance_state_changed& ev) { log->changes.push_back(ev); },
      [log](request_progress& ev) { log->progress.push_back(ev); },
      [log](request_done& ev) { log->done.push_back(ev); },
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
                 provider_config pcfg = {})
    : f(sim) {
    supervisor_config sc;
    sc.engine_id = "test-engine";
    sc.ids = std::make_shared<uuid_generator>(42);
    sc.instance.wall = &f.clk;
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

  ~world() {
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    for (auto& p : providers)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(collector, caf::exit_reason::user_shutdown);
    f.run();
  }
};

} // namespace

TEST_CASE("a request of 10 on an unlimited cloud ends with 10 running") {
  world w;
  auto req = provision_request::make("job", resources{}.cpus(2).memory_gib(4)).count(10);
  auto id = w.f.ask<request_id>(w.sup, req);
  INFO(w.f.last_error);
  REQUIRE(id);
  w.f.advance(seconds(5));
  for (auto& c : w.log->changes)
    UNSCOPED_INFO(c.record.name << " " << to_string(c.from) << " -> " << to_string(c.record.state) << " " << c.record.last_error);
  for (auto& p : w.log->progress)
    UNSCOPED_INFO("progress " << p.requested << " " << p.pending << " " << p.running);
  auto st = w.f.ask<provider_stats>(w.providers[0], stats_atom::value);
  REQUIRE(st);
  UNSCOPED_INFO("calls " << st->api_calls << " watched " << st->watched << " created " << st->instances_created << " failed " << st->failed_calls);
  REQUIRE(w.log->done.size() == 1);
  CHECK(w.log->done[0].ok);
  CHECK(w.log->done[0].running == 10);
}
