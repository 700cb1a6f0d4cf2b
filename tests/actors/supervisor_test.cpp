#include <catch2/catch.hpp>

#include <caf/send.hpp>

#include "actors/provider.hpp"
#include "actors/supervisor.hpp"
#include "tests/actors/supervisor_world.hpp"

using namespace styx;
using namespace styx::test;

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

TEST_CASE("an instance ended as surplus is neither a failure of its request nor replaced") {
  auto sim = sim_config::unlimited();
  sim.pending_min = sim.pending_max = seconds(2); // the request is still under way at the end
  world w{sim};
  auto id = w.f.ask<request_id>(w.sup, provision_request::make("job", resources{}).count(3)
                                         .min_count(1));
  REQUIRE(id);
  w.f.advance(milliseconds(500));
  auto listed = w.f.ask<std::vector<instance_record>>(w.sup, list_atom::value,
                                                      selector::everything());
  REQUIRE(listed);
  REQUIRE(listed->size() == 3u);
  selector one;
  one.ids = {listed->front().id};
  auto asked = w.f.ask<int>(w.sup, end_atom::value, one, state_reason::surplus,
                            std::string{"reconcile: surplus"});
  REQUIRE(asked);
  CHECK(*asked == 1);
  w.f.advance(seconds(10));
  REQUIRE(w.log->done.size() == 1);
  CHECK(w.log->done[0].failures.empty());
  CHECK(w.log->done[0].running == 2);
  auto after = w.f.ask<std::vector<instance_record>>(w.sup, list_atom::value,
                                                     selector::everything());
  REQUIRE(after);
  CHECK(after->size() == 3u); // no replacement was made
  for (auto& r : *after)
    if (r.id == one.ids.front()) {
      CHECK(r.state == instance_state::terminated);
      CHECK(r.reason == state_reason::surplus);
    }
  CHECK(w.f.cloud->live_count() == 2);
}

TEST_CASE("the supervisor counts its books by state, adopted records among them") {
  auto sim = sim_config::unlimited();
  sim.pending_min = sim.pending_max = seconds(2);
  world w{sim};
  auto counts = [&](const supervisor_actor& sup) {
    auto c = w.f.ask<state_counts>(sup, count_atom::value);
    REQUIRE(c);
    return *c;
  };
  CHECK(counts(w.sup).of(instance_state::running) == 0);
  auto id = w.f.ask<request_id>(w.sup, provision_request::make("job", resources{}).count(6));
  REQUIRE(id);
  w.f.advance(milliseconds(500)); // created, not running yet
  CHECK(counts(w.sup).of(instance_state::pending) == 6);
  w.f.advance(seconds(5));
  CHECK(counts(w.sup).of(instance_state::pending) == 0);
  CHECK(counts(w.sup).of(instance_state::running) == 6);
  // A second supervisor, as a later process: the records it adopts join its books as they are.
  auto records = w.f.ask<std::vector<instance_record>>(w.sup, list_atom::value,
                                                       selector::everything());
  REQUIRE(records);
  auto later = w.later_supervisor();
  auto adopted = w.f.ask<int>(later, adopt_atom::value, *records);
  REQUIRE(adopted);
  CHECK(*adopted == 6);
  CHECK(counts(later).of(instance_state::running) == 6);
  // Ended ones stay counted: terminated counts every end.
  auto asked = w.f.ask<int>(later, change_op::terminate, selector::everything());
  REQUIRE(asked);
  w.f.advance(seconds(10));
  CHECK(w.f.cloud->live_count() == 0);
  auto end = counts(later);
  CHECK(end.of(instance_state::running) == 0);
  CHECK(end.of(instance_state::terminated) == 6);
  int64_t total = 0;
  for (auto n : end.by_state)
    total += n;
  CHECK(total == 6);
  caf::anon_send_exit(later, caf::exit_reason::user_shutdown);
}
