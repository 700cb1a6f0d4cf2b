// The instance actor's state machine, driven directly: a stand-in supervisor records what the
// instance reports, a provider actor on the simulated cloud does the work.

#include <catch2/catch.hpp>

#include <map>

#include <caf/send.hpp>

#include "actors/instance.hpp"
#include "tests/actors/provider_bench.hpp"

using namespace styx;
using namespace styx::test;

namespace {

struct supervisor_log {
  std::vector<instance_state_changed> changes;
  std::map<instance_id, instance_record> records; // as a supervisor keeps them, from deltas
  std::vector<placement_failed> failed;

  std::vector<instance_state> path() const {
    std::vector<instance_state> out;
    for (auto& c : changes)
      if (out.empty() || out.back() != c.record.state)
        out.push_back(c.record.state);
    return out;
  }
};

struct instance_bench : provider_bench {
  std::shared_ptr<supervisor_log> log = std::make_shared<supervisor_log>();
  caf::actor stub;
  instance_config icfg;
  std::vector<instance_actor> spawned; // ended with the bench, even when a test fails

  explicit instance_bench(sim_config sim, instance_config ic = {})
    : provider_bench(unpaced_config(), sim), icfg(ic) {
    icfg.wall = &f.clk;
    auto l = log;
    stub = f.sys.spawn([](caf::event_based_actor*, decltype(l) l) -> caf::behavior {
      return {
        [l](instance_state_changed& ev) { l->changes.push_back(ev); },
        [l](instance_delta& d) { // the steps as the supervisor publishes them
          auto& rec = l->records[d.id];
          if (rec.id.empty()) {
            rec.id = d.id;
            rec.state = d.from;
          }
          for (auto& ev : steps_of(rec, d)) {
            rec = ev.record;
            l->changes.push_back(std::move(ev));
          }
        },
        [l](placement_failed& pf) { l->failed.push_back(pf); },
      };
    }, l);
  }

  ~instance_bench() {
    for (auto& h : spawned)
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(stub, caf::exit_reason::user_shutdown);
    f.run();
  }

  instance_actor spawn() {
    instance_record rec;
    static_cast<uuid&>(rec.id) = ids.next();
    rec.request = req;
    rec.name = "fsm";
    spawned.push_back(spawn_instance(
      f.sys, instance_init{rec, caf::actor_cast<supervisor_actor>(stub), icfg, {}, {}}));
    return spawned.back();
  }

  instance_actor placed(duration settle = seconds(3)) {
    auto h = spawn();
    caf::anon_send(h, place_atom::value, p, api->id(), spec_of("m5.large"));
    f.advance(settle);
    return h;
  }

  instance_record record(const instance_actor& h) {
    auto r = f.ask<instance_record>(h, record_atom::value);
    REQUIRE(r);
    return *r;
  }

  /// True when `op` is answered with an "illegal transition" error.
  bool refused(const instance_actor& h, change_op op) {
    auto r = f.ask<instance_record>(h, op);
    return !r && f.last_error.rfind("illegal transition ", 0) == 0;
  }
};

sim_config slow_boot() {
  auto sim = sim_config::unlimited();
  sim.pending_min = sim.pending_max = std::chrono::hours(1);
  return sim;
}

sim_config slow_transitions() {
  auto sim = sim_config::unlimited();
  sim.transition_min = sim.transition_max = std::chrono::hours(1);
  return sim;
}

} // namespace

TEST_CASE("instance: a requested instance refuses stop and start") {
  instance_bench b{sim_config::unlimited()};
  auto h = b.spawn();
  CHECK(b.refused(h, change_op::stop));
  CHECK(b.refused(h, change_op::start));
  CHECK(b.record(h).state == instance_state::requested);
  CHECK(b.log->changes.empty());
}

TEST_CASE("instance: a pending instance refuses stop and start") {
  instance_bench b{slow_boot()};
  auto h = b.placed();
  REQUIRE(b.record(h).state == instance_state::pending);
  CHECK(b.refused(h, change_op::stop));
  CHECK(b.refused(h, change_op::start));
  CHECK(b.api->of(api_op::stop).empty());
  CHECK(b.api->of(api_op::start).empty());
}

TEST_CASE("instance: a running instance refuses start - a stopping one refuses start") {
  instance_bench b{slow_transitions()};
  auto h = b.placed();
  REQUIRE(b.record(h).state == instance_state::running);
  CHECK(b.refused(h, change_op::start));
  auto r = b.f.ask<instance_record>(h, change_op::stop);
  REQUIRE(r);
  b.f.advance(seconds(1));
  REQUIRE(b.record(h).state == instance_state::stopping);
  CHECK(b.refused(h, change_op::start));
  // A second stop is under way already: answered, no second call.
  CHECK(b.f.ask<instance_record>(h, change_op::stop));
  b.f.advance(seconds(1));
  CHECK(b.api->of(api_op::stop).size() == 1);
  CHECK(b.api->of(api_op::start).empty());
}

TEST_CASE("instance: a stopped instance refuses stop and starts again") {
  instance_bench b{sim_config::unlimited()};
  auto h = b.placed();
  REQUIRE(b.f.ask<instance_record>(h, change_op::stop));
  b.f.advance(seconds(5)); // the next poll sees it stopped
  REQUIRE(b.record(h).state == instance_state::stopped);
  CHECK(b.refused(h, change_op::stop));
  REQUIRE(b.f.ask<instance_record>(h, change_op::start));
  b.f.advance(seconds(5));
  CHECK(b.record(h).state == instance_state::running);
  CHECK(b.log->path()
        == std::vector<instance_state>{instance_state::pending, instance_state::running,
                                       instance_state::stopping, instance_state::stopped,
                                       instance_state::starting, instance_state::running});
}

TEST_CASE("instance: every transition reported is legal") {
  instance_bench b{sim_config::unlimited()};
  auto h = b.placed();
  REQUIRE(b.f.ask<instance_record>(h, change_op::stop));
  b.f.advance(seconds(5));
  REQUIRE(b.f.ask<instance_record>(h, change_op::terminate));
  b.f.advance(seconds(5));
  REQUIRE_FALSE(b.log->changes.empty());
  for (auto& c : b.log->changes) {
    INFO(to_string(c.from) << " -> " << to_string(c.record.state));
    CHECK(is_legal_transition(c.from, c.record.state));
  }
  CHECK(b.log->changes.back().record.state == instance_state::terminated);
  CHECK(b.log->changes.back().record.last_error.empty()); // asked for: not a failure
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("instance: terminate while the create is on the wire terminates once created") {
  instance_bench b{sim_config::unlimited()};
  b.api->hold = true;
  auto h = b.spawn();
  caf::anon_send(h, place_atom::value, b.p, b.api->id(), spec_of("m5.large"));
  b.f.advance(milliseconds(100));
  REQUIRE(b.api->held.size() == 1); // the create is in flight
  auto r = b.f.ask<instance_record>(h, change_op::terminate);
  REQUIRE(r);
  CHECK(r->state == instance_state::requested);
  CHECK(b.f.cloud->live_count() == 1); // the cloud made it already
  b.api->release_all();
  b.f.advance(seconds(5));
  CHECK(b.api->of(api_op::terminate).size() == 1);
  CHECK(b.f.cloud->live_count() == 0); // nothing leaked
  REQUIRE_FALSE(b.log->changes.empty());
  CHECK(b.log->changes.back().record.state == instance_state::terminated);
}

TEST_CASE("instance: terminate before placement fails it without a call") {
  instance_bench b{sim_config::unlimited()};
  auto h = b.spawn();
  auto r = b.f.ask<instance_record>(h, change_op::terminate);
  REQUIRE(r);
  CHECK(r->state == instance_state::failed);
  REQUIRE(b.log->changes.size() == 1);
  CHECK(b.log->changes[0].record.last_error == "cancelled before creation");
  CHECK(b.api->calls.empty());
}

TEST_CASE("instance: a capacity error goes back to the supervisor for another placement") {
  instance_bench b{sim_config::unlimited()};
  b.api->fault = fail_first(api_op::create, 1,
                            make_cloud_error(error_kind::capacity, "InsufficientInstanceCapacity",
                                             "none"));
  auto h = b.placed(seconds(1));
  REQUIRE(b.log->failed.size() == 1);
  CHECK(b.log->failed[0].error.kind == error_kind::capacity);
  CHECK(b.log->failed[0].spec.zone == "us-east-1a");
  CHECK(b.record(h).state == instance_state::requested); // ready to be placed again
  caf::anon_send(h, place_atom::value, b.p, b.api->id(), spec_of("m5.large", "us-east-1b"));
  b.f.advance(seconds(3));
  auto rec = b.record(h);
  CHECK(rec.state == instance_state::running);
  CHECK(rec.zone == "us-east-1b");
}

TEST_CASE("instance: a fatal create error fails the instance") {
  instance_bench b{sim_config::unlimited()};
  b.api->fault = fail_first(api_op::create, 1,
                            make_cloud_error(error_kind::invalid_request, "InvalidAMI", "bad"));
  b.placed(seconds(1));
  CHECK(b.log->failed.empty());
  REQUIRE(b.log->changes.size() == 1);
  CHECK(b.log->changes[0].record.state == instance_state::failed);
  CHECK(b.log->changes[0].record.last_error.find("InvalidAMI") != std::string::npos);
}

TEST_CASE("instance: a give-up while pending terminates it and its end carries the reason") {
  instance_bench b{slow_boot()};
  auto h = b.placed();
  REQUIRE(b.record(h).state == instance_state::pending);
  b.f.advance(seconds(20));
  CHECK(b.api->of(api_op::terminate).empty()); // no timer of its own: the supervisor's
  caf::anon_send(h, give_up_atom::value, state_reason::given_up, std::string{"pending timeout"});
  b.f.advance(seconds(1));
  CHECK(b.api->of(api_op::terminate).size() == 1);
  b.f.advance(seconds(5));
  REQUIRE_FALSE(b.log->changes.empty());
  auto& last = b.log->changes.back().record;
  CHECK(last.state == instance_state::terminated);
  CHECK(last.last_error == "pending timeout");
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("instance: an end with a reason terminates a running instance and its end carries it") {
  instance_bench b{sim_config::unlimited()};
  auto h = b.placed();
  REQUIRE(b.record(h).state == instance_state::running);
  caf::anon_send(h, end_atom::value, state_reason::surplus, std::string{"reconcile: surplus"});
  b.f.advance(seconds(5));
  CHECK(b.api->of(api_op::terminate).size() == 1);
  CHECK(b.f.cloud->live_count() == 0); // the cloud ended it
  REQUIRE_FALSE(b.log->changes.empty());
  auto& last = b.log->changes.back().record;
  CHECK(last.state == instance_state::terminated);
  CHECK(last.reason == state_reason::surplus);
  CHECK(last.last_error == "reconcile: surplus");
  // A second end, once it is over, changes nothing and calls nothing.
  auto before = b.log->changes.size();
  caf::anon_send(h, end_atom::value, state_reason::orphan, std::string{"again"});
  b.f.advance(seconds(1));
  CHECK(b.log->changes.size() == before);
  CHECK(b.api->of(api_op::terminate).size() == 1);
}

// instance_impl::cleanup is CAF's own minus the actor clock: what is still queued when an
// instance ends must be bounced as CAF bounces it, and the actor must leave the system's count
// (an engine waits for that count to reach zero as it shuts down).
TEST_CASE("instance: a request queued behind its end gets an error and the actor is let go") {
  instance_bench b{sim_config::unlimited()};
  b.f.run();
  auto running_before = b.f.sys.registry().running();
  auto h = b.spawn();
  b.f.run();
  CHECK(b.f.sys.registry().running() == running_before + 1);
  auto answer = std::make_shared<std::string>("no answer");
  // Both messages are in its mailbox before it runs again: the terminate ends it (before
  // placement: failed at once), and the record request behind it must not wait for ever.
  b.f.sys.spawn(
    [=](caf::event_based_actor* self, std::shared_ptr<std::string> out) {
      caf::anon_send(h, change_op::terminate);
      self->request(h, caf::infinite, record_atom::value)
        .then([=](instance_record&) { *out = "a record"; },
              [=](caf::error& err) { *out = "error: " + self->system().render(err); });
    },
    answer);
  b.f.run();
  INFO(*answer);
  CHECK(answer->rfind("error: ", 0) == 0);
  REQUIRE(b.log->changes.size() == 1);
  CHECK(b.log->changes[0].record.state == instance_state::failed);
  CHECK(b.f.sys.registry().running() == running_before);
}
