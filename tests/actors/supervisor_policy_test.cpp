// The supervisor's policies end to end on the simulated cloud, in virtual time: failover and
// the blocklist's TTL, every reason collected, min_count rollback, preemption replacement,
// the deadline, the pending timeout, round-robin.

#include <catch2/catch.hpp>

#include <map>

#include "tests/actors/supervisor_bench.hpp"

using namespace styx;
using namespace styx::test;

namespace {

// The cheapest fit of this shape on the sim is t3.medium, in every zone at the same price:
// zone a first, then b, then c.
provision_request medium(int count) {
  return provision_request::make("job", resources{}.cpus(2).memory_gib(4)).count(count);
}

/// Instances that boot in exactly `boot`.
sim_config booting_in(duration boot) {
  auto sim = sim_config::unlimited();
  sim.pending_min = sim.pending_max = boot;
  return sim;
}

sim_config slow_boot() {
  return booting_in(std::chrono::hours(1));
}

/// A supervisor that gives up instances pending for `timeout`.
supervisor_config pending_timeout_of(duration timeout) {
  supervisor_config sc;
  sc.pending_timeout = timeout;
  return sc;
}

/// `d` tells of a request that ended ok with `n` running.
void check_all_running(const request_done* d, int n) {
  REQUIRE(d);
  CHECK(d->ok);
  CHECK(d->running == n);
}

/// True when `d` tells of a failed request whose `n` instances each timed out pending.
bool timed_out_pending(const request_done* d, size_t n) {
  if (d == nullptr || d->ok || d->failures.size() != n)
    return false;
  for (auto& f : d->failures)
    if (f.reason != "pending timeout")
      return false;
  return true;
}

} // namespace

TEST_CASE("supervisor: a capacity error fails over to the next zone - the zone returns after the TTL") {
  auto sim = sim_config::unlimited();
  sim.zone_capacity["us-east-1a"] = 0;
  supervisor_bench b{sim};
  auto first = b.submit(medium(5));
  b.f.advance(seconds(5));
  check_all_running(b.done_of(first), 5);
  for (auto& r : b.instances_of(first)) {
    CHECK(r.zone == "us-east-1b");
    CHECK(r.instance_type == "t3.medium");
    CHECK(r.state == instance_state::running);
  }
  CHECK(b.creates_in("us-east-1a") == 1);
  // Blocklisted: a request a minute later goes straight to zone b.
  b.f.advance(std::chrono::minutes(1), milliseconds(50));
  auto second = b.submit(medium(2));
  b.f.advance(seconds(5));
  REQUIRE(b.done_of(second));
  CHECK(b.done_of(second)->ok);
  CHECK(b.creates_in("us-east-1a") == 1);
  for (auto& r : b.instances_of(second))
    CHECK(r.zone == "us-east-1b");
  // Past the 3 minute TTL zone a is tried again (and has room by now).
  b.f.cloud->set_zone_capacity("us-east-1a", -1);
  b.f.advance(std::chrono::minutes(2), milliseconds(50));
  auto third = b.submit(medium(2));
  b.f.advance(seconds(5));
  REQUIRE(b.done_of(third));
  CHECK(b.done_of(third)->ok);
  CHECK(b.creates_in("us-east-1a") == 2);
  for (auto& r : b.instances_of(third))
    CHECK(r.zone == "us-east-1a");
  CHECK(b.f.cloud->live_count() == 9);
}

TEST_CASE("supervisor: a capacity error withdraws the creates still waiting for that zone") {
  auto sim = sim_config::unlimited();
  sim.zone_capacity["us-east-1a"] = 0;
  provider_config pcfg;
  pcfg.limits = rate_limits::unlimited();
  pcfg.limits.create = bucket_config{1, 1}; // one call now, then one per second
  pcfg.create_window.max_items = 5;          // 30 instances: 6 calls
  supervisor_bench b{sim, {"us-east-1"}, supervisor_config{}, std::vector<provider_config>{pcfg}};
  auto id = b.submit(medium(30));
  b.f.advance(seconds(20));
  check_all_running(b.done_of(id), 30);
  // One call found zone a full; the five waiting behind it for the bucket never went out.
  CHECK(b.creates_in("us-east-1a") == 1);
  auto st = b.f.ask<provider_stats>(b.providers[0], stats_atom::value);
  REQUIRE(st);
  CHECK(st->creates_withdrawn == 25);
  for (auto& r : b.instances_of(id))
    CHECK(r.zone == "us-east-1b");
}

TEST_CASE("supervisor: with quota and capacity errors everywhere the request fails with every reason") {
  auto sim = sim_config::unlimited();
  for (auto z : {"us-west-2a", "us-west-2b", "us-west-2c"})
    sim.zone_capacity[z] = 0;
  supervisor_bench b{sim, {"us-east-1", "us-west-2"}};
  b.apis[0]->fault = fail_first(api_op::create, 1000,
                                make_cloud_error(error_kind::quota, "InstanceLimitExceeded",
                                                 "vCPU limit"));
  auto id = b.submit(medium(3).instance_type("t3.medium"));
  b.f.advance(seconds(5));
  auto d = b.done_of(id);
  REQUIRE(d);
  CHECK_FALSE(d->ok);
  CHECK(d->running == 0);
  REQUIRE(d->failures.size() == 3);
  for (auto& f : d->failures) {
    INFO(f.reason);
    // The quota error ruled out all of us-east-1 at once; capacity went zone by zone.
    CHECK(f.reason.find("sim/us-east-1 (every zone and type)") != std::string::npos);
    for (auto z : {"us-west-2a", "us-west-2b", "us-west-2c"})
      CHECK(f.reason.find(z) != std::string::npos);
    CHECK(f.reason.find("InstanceLimitExceeded") != std::string::npos);
    CHECK(f.reason.find("InsufficientInstanceCapacity") != std::string::npos);
  }
  CHECK(b.count_in(id, instance_state::failed) == 3);
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("supervisor: a quota error blocklists the region - its other zones are not tried") {
  supervisor_bench b{sim_config::unlimited(), {"us-east-1", "us-west-2"}};
  b.apis[0]->fault = fail_first(api_op::create, 1,
                                make_cloud_error(error_kind::quota, "VcpuLimitExceeded",
                                                 "vCPU limit"));
  auto id = b.submit(medium(4).instance_type("t3.medium"));
  b.f.advance(seconds(5));
  auto d = b.done_of(id);
  REQUIRE(d);
  CHECK(d->ok);
  CHECK(d->running == 4);
  for (auto& r : b.instances_of(id))
    CHECK(r.provider.region == "us-west-2");
  CHECK(b.creates_in("us-east-1a") == 1);
  CHECK(b.creates_in("us-east-1b") == 0);
  CHECK(b.creates_in("us-east-1c") == 0);
  // Past the TTL the region is placed on again.
  b.f.advance(std::chrono::minutes(4), milliseconds(50));
  auto later = b.submit(medium(1).instance_type("t3.medium").region("us-east-1"));
  b.f.advance(seconds(5));
  REQUIRE(b.done_of(later));
  CHECK(b.done_of(later)->ok);
}

TEST_CASE("supervisor: fewer than min_count running rolls the request back") {
  auto sim = sim_config::unlimited();
  sim.zone_capacity["us-east-1a"] = 3;
  sim.zone_capacity["us-east-1b"] = 0;
  sim.zone_capacity["us-east-1c"] = 0;
  provider_config pcfg;
  pcfg.create_window.max_items = 1; // one call per instance: 3 fit, 2 do not
  supervisor_bench b{sim, {"us-east-1"}, {}, pcfg};
  auto id = b.submit(medium(5).min_count(4).instance_type("t3.medium"));
  b.f.advance(seconds(10));
  auto d = b.done_of(id);
  REQUIRE(d);
  CHECK_FALSE(d->ok);
  CHECK(d->rolled_back);
  CHECK(d->running == 3);
  CHECK(d->failures.size() == 2);
  // Everything that ran was terminated, as asked (no failure of its own).
  CHECK(b.f.cloud->live_count() == 0);
  CHECK(b.count_in(id, instance_state::terminated) == 3);
  CHECK(b.count_in(id, instance_state::failed) == 2);
  int reached_running = 0;
  for (auto& c : b.events->changes)
    reached_running += c.record.state == instance_state::running ? 1 : 0;
  CHECK(reached_running == 3);
}

TEST_CASE("supervisor: min_count met keeps what runs") {
  auto sim = sim_config::unlimited();
  sim.zone_capacity["us-east-1a"] = 3;
  sim.zone_capacity["us-east-1b"] = 0;
  sim.zone_capacity["us-east-1c"] = 0;
  provider_config pcfg;
  pcfg.create_window.max_items = 1;
  supervisor_bench b{sim, {"us-east-1"}, {}, pcfg};
  auto id = b.submit(medium(5).min_count(3).instance_type("t3.medium"));
  b.f.advance(seconds(10));
  auto d = b.done_of(id);
  REQUIRE(d);
  CHECK(d->ok);
  CHECK_FALSE(d->rolled_back);
  CHECK(d->running == 3);
  CHECK(b.f.cloud->live_count() == 3);
}

TEST_CASE("supervisor: a preempted spot instance is replaced") {
  supervisor_bench b{sim_config::unlimited()};
  auto id = b.submit(medium(3).spot());
  b.f.advance(seconds(3));
  REQUIRE(b.done_of(id));
  REQUIRE(b.done_of(id)->ok);
  auto before = b.instances_of(id);
  REQUIRE(before.size() == 3);
  CHECK(before[0].market == market_kind::spot);
  auto victim = before[0];
  REQUIRE(b.f.cloud->preempt(victim.cloud_id));
  b.f.advance(seconds(35)); // the sweep (every 30 s) sees it
  auto after = b.instances_of(id);
  CHECK(after.size() == 4);
  CHECK(b.count_in(id, instance_state::running) == 3);
  for (auto& r : after)
    if (r.id == victim.id) {
      CHECK(r.state == instance_state::terminated);
      CHECK(r.last_error == "preempted");
    }
  CHECK(b.f.cloud->live_count() == 3);
  REQUIRE_FALSE(b.events->progress.empty());
  CHECK(b.events->progress.back().running == 3);
}

TEST_CASE("supervisor: past the deadline what is not running is given up") {
  supervisor_bench b{slow_boot()};
  auto id = b.submit(medium(2).deadline(b.f.clk.wall_ms() + 20'000));
  b.f.advance(seconds(15));
  CHECK_FALSE(b.done_of(id));
  CHECK(b.f.cloud->live_count() == 2);
  b.f.advance(seconds(15));
  auto d = b.done_of(id);
  REQUIRE(d);
  CHECK_FALSE(d->ok);
  REQUIRE(d->failures.size() == 2);
  for (auto& f : d->failures)
    CHECK(f.reason == "deadline passed");
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("supervisor: the pending timeout fails the request's stuck instances") {
  supervisor_bench b{slow_boot(), {"us-east-1"}, pending_timeout_of(seconds(30))};
  auto id = b.submit(medium(2));
  b.f.advance(seconds(25));
  CHECK_FALSE(b.done_of(id));
  b.f.advance(seconds(15));
  CHECK(timed_out_pending(b.done_of(id), 2));
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("supervisor: the pending deadlines are kept in order and each passes on its own") {
  supervisor_bench b{booting_in(seconds(40)), {"us-east-1"}, pending_timeout_of(seconds(30))};
  auto first = b.submit(medium(2));
  b.f.advance(seconds(20));
  auto second = b.submit(medium(1));
  b.f.advance(seconds(12)); // 32 s: the first request's deadlines passed, not the second's
  CHECK(timed_out_pending(b.done_of(first), 2));
  CHECK_FALSE(b.done_of(second));
  CHECK(b.f.cloud->live_count() == 1); // from the cloud's side: the second's instance lives
  b.f.advance(seconds(20)); // 52 s: the second's passed too
  CHECK(timed_out_pending(b.done_of(second), 1));
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("supervisor: an instance running before its pending deadline is kept") {
  supervisor_bench b{booting_in(seconds(20)), {"us-east-1"}, pending_timeout_of(seconds(30))};
  auto id = b.submit(medium(2));
  b.f.advance(seconds(45)); // past the deadline of its stay in pending
  auto d = b.done_of(id);
  REQUIRE(d);
  CHECK(d->ok);
  CHECK(b.apis[0]->of(api_op::terminate).empty());
  CHECK(b.f.cloud->live_count() == 2);
}

TEST_CASE("supervisor: round-robin spreads two requests over two regions") {
  supervisor_config sc;
  sc.policy = placement_policy::round_robin;
  supervisor_bench b{sim_config::unlimited(), {"us-east-1", "us-west-2"}, sc};
  auto first = b.submit(medium(2));
  auto second = b.submit(medium(2));
  b.f.advance(seconds(5));
  REQUIRE(b.done_of(first));
  REQUIRE(b.done_of(second));
  for (auto& r : b.instances_of(first))
    CHECK(r.provider.region == "us-east-1");
  for (auto& r : b.instances_of(second))
    CHECK(r.provider.region == "us-west-2");
  CHECK(b.apis[0]->of(api_op::create).size() == 1);
  CHECK(b.apis[1]->of(api_op::create).size() == 1);
}

TEST_CASE("supervisor: cheapest sends both requests to the same region") {
  supervisor_bench b{sim_config::unlimited(), {"us-east-1", "us-west-2"}};
  auto first = b.submit(medium(2));
  auto second = b.submit(medium(2));
  b.f.advance(seconds(5));
  REQUIRE(b.done_of(first));
  REQUIRE(b.done_of(second));
  CHECK(b.apis[1]->of(api_op::create).empty());
  CHECK(b.f.cloud->live_count() == 4);
}

TEST_CASE("supervisor: stop, start and terminate by selector") {
  supervisor_bench b{sim_config::unlimited()};
  auto keep = b.submit(medium(1));
  auto id = b.submit(medium(3));
  b.f.advance(seconds(3));
  REQUIRE(b.count_in(id, instance_state::running) == 3);
  selector sel;
  sel.requests.push_back(id);
  auto n = b.f.ask<int>(b.sup, change_op::stop, sel);
  REQUIRE(n);
  CHECK(*n == 3);
  b.f.advance(seconds(5));
  CHECK(b.count_in(id, instance_state::stopped) == 3);
  CHECK(b.count_in(keep, instance_state::running) == 1);
  CHECK(b.apis[0]->of(api_op::stop).size() == 1); // one batch
  REQUIRE(b.f.ask<int>(b.sup, change_op::start, sel));
  b.f.advance(seconds(5));
  CHECK(b.count_in(id, instance_state::running) == 3);
  REQUIRE(b.f.ask<int>(b.sup, change_op::terminate, sel));
  b.f.advance(seconds(5));
  CHECK(b.count_in(id, instance_state::terminated) == 3);
  CHECK(b.f.cloud->live_count() == 1);
  // Terminated by the user: neither failures nor replacements.
  CHECK(b.instances_of(id).size() == 3);
  for (auto& r : b.instances_of(id))
    CHECK(r.last_error.empty());
}

TEST_CASE("supervisor: least-loaded counts an instance that failed placement once, not twice") {
  auto sim = sim_config::unlimited();
  for (auto z : {"us-east-1a", "us-east-1b", "us-east-1c"})
    sim.zone_capacity[z] = 0;
  supervisor_config sc;
  sc.policy = placement_policy::least_loaded;
  supervisor_bench b{sim, {"us-east-1", "us-west-2"}, sc};
  // Two instances tried in every zone of us-east-1, then given up: its load is back to 0.
  auto failed = b.submit(medium(2).region("us-east-1").instance_type("t3.medium"));
  b.f.advance(seconds(3));
  REQUIRE(b.done_of(failed));
  REQUIRE(b.done_of(failed)->failures.size() == 2);
  for (auto z : {"us-east-1a", "us-east-1b", "us-east-1c"})
    b.f.cloud->set_zone_capacity(z, -1);
  // Both regions are empty again: least-loaded puts one instance in each (the first on a
  // tie goes to us-east-1, the second to the then less loaded us-west-2).
  auto next = b.submit(medium(2));
  b.f.advance(seconds(3));
  REQUIRE(b.done_of(next));
  CHECK(b.done_of(next)->ok);
  std::map<std::string, int> per_region;
  for (auto& r : b.instances_of(next))
    ++per_region[r.provider.region];
  CHECK(per_region == std::map<std::string, int>{{"us-east-1", 1}, {"us-west-2", 1}});
}
