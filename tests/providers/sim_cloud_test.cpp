// sim_cloud: lifecycle, idempotency, capacity, throttling, errors, list, spot and catalog.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "providers/sim/sim_cloud.hpp"

using namespace styx;

namespace {

const std::string east = "us-east-1";

/// Instant API, no throttling, no injected errors, default delays and capacity.
sim_config quiet() {
  sim_config c;
  c.latency_median = c.latency_p99 = duration::zero();
  c.throttle = false;
  return c;
}

api_call create_call(int n, std::string zone = "us-east-1a", std::string token = "",
                     std::string type = "m5.large") {
  static uuid_generator ids(42);
  api_call c;
  c.op = api_op::create;
  c.spec.instance_type = std::move(type);
  c.spec.zone = std::move(zone);
  c.spec.tags["styx:engine"] = "test";
  c.client_token = std::move(token);
  request_id req;
  static_cast<uuid&>(req) = ids.next();
  for (int i = 0; i < n; ++i) {
    create_slot s;
    static_cast<uuid&>(s.id) = ids.next();
    s.request = req;
    s.name = "worker-" + std::to_string(i);
    c.slots.push_back(s);
  }
  return c;
}

api_call ids_call(api_op op, std::vector<std::string> ids) {
  api_call c;
  c.op = op;
  c.cloud_ids = std::move(ids);
  return c;
}

std::vector<std::string> ids_of(const api_reply& r) {
  std::vector<std::string> out;
  for (auto& i : r.instances)
    out.push_back(i.cloud_id);
  return out;
}

std::vector<instance_state> states(sim_cloud& cloud, const std::vector<std::string>& ids,
                                   const std::string& region = east) {
  auto r = cloud.handle(region, ids_call(api_op::describe, ids));
  REQUIRE_FALSE(r.error);
  std::vector<instance_state> out;
  for (auto& i : r.instances)
    out.push_back(i.state);
  return out;
}

bool all_in(const std::vector<instance_state>& xs, instance_state s) {
  return std::all_of(xs.begin(), xs.end(), [s](instance_state x) { return x == s; });
}

} // namespace

TEST_CASE("sim: a created instance is pending, then running after the boot delay") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto call = create_call(3);
  auto r = cloud.handle(east, call);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.instances.size() == 3);
  std::set<std::string> distinct;
  for (size_t n = 0; n < 3; ++n) {
    auto& i = r.instances[n];
    CHECK(i.state == instance_state::pending);
    REQUIRE(i.cloud_id.size() == 4 + 11); // 15 characters: inline in a std::string
    CHECK(i.cloud_id.rfind("sim-", 0) == 0);
    CHECK(i.cloud_id.find_first_not_of("0123456789abcdef", 4) == std::string::npos);
    distinct.insert(i.cloud_id);
    CHECK(i.zone == "us-east-1a");
    CHECK(i.instance_type == "m5.large");
    CHECK(i.launched_at == clk.wall_ms());
    CHECK(i.tags.at("styx:engine") == "test");
    CHECK(i.owner_instance() == call.slots[n].id); // slot order
    CHECK(i.owner_request() == call.slots[n].request);
    CHECK(i.tags.at("Name") == call.slots[n].name);
  }
  CHECK(distinct.size() == 3);
  auto ids = ids_of(r);
  CHECK(all_in(states(cloud, ids), instance_state::pending));
  clk.advance(milliseconds(1999)); // pending_min is 2 s
  CHECK(all_in(states(cloud, ids), instance_state::pending));
  clk.advance(seconds(4)); // past pending_max (6 s)
  CHECK(all_in(states(cloud, ids), instance_state::running));
  // Unknown ids are left out of a describe.
  ids.push_back("sim-00000000000000000");
  CHECK(states(cloud, ids).size() == 3);
  // And so are ids of another region.
  CHECK(states(cloud, ids, "us-west-2").empty());
  CHECK(cloud.live_count() == 3);
}

TEST_CASE("sim: the same client token returns the same instances and creates nothing") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto call = create_call(2, "us-east-1b", "token-1");
  auto first = cloud.handle(east, call);
  REQUIRE_FALSE(first.error);
  clk.advance(seconds(10));
  auto again = cloud.handle(east, call);
  REQUIRE_FALSE(again.error);
  CHECK(ids_of(again) == ids_of(first));
  CHECK(again.instances[0].state == instance_state::running); // as they are now
  CHECK(cloud.live_count() == 2);
  // Another token creates more.
  call.client_token = "token-2";
  auto other = cloud.handle(east, call);
  REQUIRE(other.instances.size() == 2);
  CHECK(ids_of(other) != ids_of(first));
  CHECK(cloud.live_count() == 4);
}

TEST_CASE("sim: a full zone refuses the whole call - terminating frees capacity") {
  manual_clock clk;
  auto cfg = quiet();
  cfg.capacity_per_zone = 4;
  cfg.zone_capacity["us-east-1b"] = 10;
  sim_cloud cloud(cfg, clk);
  auto a = cloud.handle(east, create_call(3));
  REQUIRE_FALSE(a.error);
  auto full = cloud.handle(east, create_call(2)); // 1 left, all or nothing
  CHECK(full.error.kind == error_kind::capacity);
  CHECK(full.error.code == "InsufficientInstanceCapacity");
  CHECK(full.instances.empty());
  CHECK(cloud.live_count() == 3);
  CHECK_FALSE(cloud.handle(east, create_call(1)).error);
  CHECK_FALSE(cloud.handle(east, create_call(6, "us-east-1b")).error); // override: 10
  CHECK(cloud.handle(east, create_call(5, "us-east-1b")).error.kind == error_kind::capacity);
  // Terminating instances still hold their capacity until they are terminated.
  auto t = cloud.handle(east, ids_call(api_op::terminate, ids_of(a)));
  REQUIRE_FALSE(t.error);
  CHECK(all_in(states(cloud, ids_of(a)), instance_state::terminating));
  CHECK(cloud.handle(east, create_call(3)).error.kind == error_kind::capacity);
  clk.advance(seconds(3)); // transition_max
  CHECK(cloud.live_count() == 7);
  CHECK_FALSE(cloud.handle(east, create_call(3)).error);
  // set_zone_capacity changes the limit at run time.
  cloud.set_zone_capacity("us-east-1a", -1);
  CHECK_FALSE(cloud.handle(east, create_call(500)).error);
}

TEST_CASE("sim: invalid creates are refused as invalid requests") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto bad_type = cloud.handle(east, create_call(1, "us-east-1a", "", "m9.huge"));
  CHECK(bad_type.error.kind == error_kind::invalid_request);
  CHECK(bad_type.error.code == "InvalidParameterValue");
  auto bad_zone = cloud.handle(east, create_call(1, "eu-west-1a"));
  CHECK(bad_zone.error.kind == error_kind::invalid_request);
  CHECK(bad_zone.error.code == "InvalidParameterValue");
  CHECK(cloud.handle(east, create_call(1, "us-east-1d")).error.kind
        == error_kind::invalid_request);
  CHECK(cloud.handle(east, create_call(0)).error.kind == error_kind::invalid_request);
  CHECK(cloud.handle("mars-1", create_call(1, "mars-1a")).error.kind
        == error_kind::invalid_request);
  CHECK(cloud.live_count() == 0);
  // No zone: the cloud picks one of the region's.
  auto any = cloud.handle("eu-west-1", create_call(1, ""));
  REQUIRE_FALSE(any.error);
  CHECK(any.instances[0].zone == "eu-west-1a");
}

TEST_CASE("sim: request buckets throttle and refill") {
  manual_clock clk;
  auto cfg = quiet();
  cfg.throttle = true;
  sim_cloud cloud(cfg, clk);
  for (int i = 0; i < 5; ++i) // RunInstances: bucket of 5
    REQUIRE_FALSE(cloud.handle(east, create_call(1)).error);
  auto r = cloud.handle(east, create_call(1));
  CHECK(r.error.kind == error_kind::throttled);
  CHECK(r.error.code == "RequestLimitExceeded");
  CHECK(cloud.live_count() == 5); // a throttled call changes nothing
  // Another region has its own buckets.
  CHECK_FALSE(cloud.handle("us-west-2", create_call(1, "us-west-2a")).error);
  clk.advance(milliseconds(499)); // refills 2/s
  CHECK(cloud.handle(east, create_call(1)).error.kind == error_kind::throttled);
  clk.advance(milliseconds(1));
  CHECK_FALSE(cloud.handle(east, create_call(1)).error);
  // Describe: 100, refilling 20/s.
  for (int i = 0; i < 100; ++i)
    REQUIRE_FALSE(cloud.handle(east, ids_call(api_op::describe, {})).error);
  CHECK(cloud.handle(east, ids_call(api_op::describe, {})).error.kind == error_kind::throttled);
  CHECK(cloud.handle(east, api_call{api_op::list, {}, {}, {}, {}, {}, {}, {}, {}}).error.kind
        == error_kind::throttled);
  clk.advance(milliseconds(50));
  CHECK_FALSE(cloud.handle(east, ids_call(api_op::describe, {})).error);
}

TEST_CASE("sim: the resource bucket counts instances") {
  manual_clock clk;
  auto cfg = quiet();
  cfg.throttle = true;
  cfg.capacity_per_zone = -1;
  sim_cloud cloud(cfg, clk);
  REQUIRE_FALSE(cloud.handle(east, create_call(999)).error);
  CHECK_FALSE(cloud.handle(east, create_call(1)).error);
  auto r = cloud.handle(east, create_call(1)); // request tokens left, instance tokens not
  CHECK(r.error.kind == error_kind::throttled);
  CHECK(cloud.live_count() == 1000);
  clk.advance(milliseconds(500)); // 2 instances/s
  CHECK_FALSE(cloud.handle(east, create_call(1)).error);
  CHECK(cloud.handle(east, create_call(1)).error.kind == error_kind::throttled);
}

TEST_CASE("sim: a transient error rate of 1 fails every call and changes nothing") {
  manual_clock clk;
  auto cfg = quiet();
  cfg.transient_error_rate = 1.0;
  sim_cloud cloud(cfg, clk);
  auto r = cloud.handle(east, create_call(2));
  CHECK(r.error.kind == error_kind::transient);
  CHECK(r.error.code == "InternalError");
  CHECK(r.instances.empty());
  CHECK(cloud.live_count() == 0);
  CHECK(cloud.all().empty());
}

TEST_CASE("sim: stop, start and terminate move through EC2's states") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto ids = ids_of(cloud.handle(east, create_call(1)));
  auto change = [&](api_op op) {
    auto r = cloud.handle(east, ids_call(op, {ids[0], "sim-unknown"}));
    REQUIRE_FALSE(r.error);
    REQUIRE(r.instances.size() == 1); // unknown ids left out
    return r.instances[0].state;
  };
  CHECK(change(api_op::stop) == instance_state::pending); // can't stop a booting one
  clk.advance(seconds(6));
  CHECK(change(api_op::start) == instance_state::running); // no-op
  CHECK(change(api_op::stop) == instance_state::stopping);
  clk.advance(seconds(3));
  CHECK(states(cloud, ids)[0] == instance_state::stopped);
  CHECK(change(api_op::stop) == instance_state::stopped);
  CHECK(change(api_op::start) == instance_state::pending); // EC2 reports starting as pending
  clk.advance(seconds(3));
  CHECK(states(cloud, ids)[0] == instance_state::running);
  CHECK(change(api_op::terminate) == instance_state::terminating);
  CHECK(change(api_op::terminate) == instance_state::terminating);
  clk.advance(seconds(3));
  CHECK(states(cloud, ids)[0] == instance_state::terminated);
  CHECK(change(api_op::terminate) == instance_state::terminated);
  CHECK(change(api_op::start) == instance_state::terminated);
  CHECK(cloud.live_count() == 0);
  // Visible for the retention period, then gone.
  clk.advance(std::chrono::minutes(59));
  CHECK(states(cloud, ids).size() == 1);
  clk.advance(std::chrono::minutes(1));
  CHECK(states(cloud, ids).empty());
  CHECK(cloud.all().empty());
}

TEST_CASE("sim: list finds instances by tags, terminated ones included") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto a_call = create_call(2);
  a_call.spec.tags["team"] = "a";
  auto b_call = create_call(3);
  b_call.spec.tags["team"] = "b";
  auto a = cloud.handle(east, a_call);
  auto b = cloud.handle(east, b_call);
  auto w_call = create_call(1, "us-west-2a");
  w_call.spec.tags["team"] = "a";
  cloud.handle("us-west-2", w_call);
  cloud.handle(east, ids_call(api_op::terminate, {ids_of(a)[0]}));
  clk.advance(seconds(10));
  auto list = [&](tag_map filter) {
    api_call c;
    c.op = api_op::list;
    c.filter = std::move(filter);
    auto r = cloud.handle(east, c);
    REQUIRE_FALSE(r.error);
    return r;
  };
  auto team_a = list({{"team", "a"}});
  auto expected = ids_of(a);
  std::sort(expected.begin(), expected.end());
  CHECK(ids_of(team_a) == expected);
  CHECK(list({{"team", "b"}}).instances.size() == 3);
  CHECK(list({}).instances.size() == 5);
  CHECK(list({{"styx:request", b_call.slots[0].request.to_string()}}).instances.size() == 3);
  CHECK(list({{"team", "a"}, {"styx:engine", "other"}}).instances.empty());
  size_t terminated = 0;
  for (auto& i : team_a.instances)
    terminated += i.state == instance_state::terminated;
  CHECK(terminated == 1);
  CHECK(cloud.all().size() == 6);
}

TEST_CASE("sim: running spot instances are preempted") {
  manual_clock clk;
  auto cfg = quiet();
  cfg.spot_preemptions_per_hour = 60; // one a minute on average
  sim_cloud cloud(cfg, clk);
  auto spot_call = create_call(10);
  spot_call.spec.market = market_kind::spot;
  auto spot = ids_of(cloud.handle(east, spot_call));
  auto demand = ids_of(cloud.handle(east, create_call(10)));
  REQUIRE(spot.size() == 10);
  clk.advance(seconds(6));
  CHECK(cloud.live_count() >= 10);
  clk.advance(std::chrono::minutes(50)); // survival chance of one: e^-50
  auto r = cloud.handle(east, ids_call(api_op::describe, spot));
  REQUIRE(r.instances.size() == 10);
  for (auto& i : r.instances) {
    CHECK(i.market == market_kind::spot);
    CHECK(i.state == instance_state::terminated);
    CHECK(i.reason == state_reason::preempted);
  }
  CHECK(all_in(states(cloud, demand), instance_state::running));
  CHECK(cloud.live_count() == 10);
}

TEST_CASE("sim: preempt() and spot prices") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto spot_call = create_call(2);
  spot_call.spec.market = market_kind::spot;
  spot_call.spec.max_price = 0.01; // m5.large spot is at least 0.024
  auto low = cloud.handle(east, spot_call);
  CHECK(low.error.kind == error_kind::capacity);
  spot_call.spec.max_price = 0.096;
  auto spot = ids_of(cloud.handle(east, spot_call));
  REQUIRE(spot.size() == 2);
  auto demand = ids_of(cloud.handle(east, create_call(1)));
  clk.advance(seconds(6));
  CHECK(cloud.preempt(spot[0]));
  CHECK_FALSE(cloud.preempt(spot[0]));
  CHECK_FALSE(cloud.preempt(demand[0]));
  CHECK_FALSE(cloud.preempt("sim-nope"));
  auto r = cloud.handle(east, ids_call(api_op::describe, spot));
  CHECK(r.instances[0].state == instance_state::terminated);
  CHECK(r.instances[0].reason == state_reason::preempted);
  CHECK(r.instances[1].state == instance_state::running); // never preempted at rate 0
  CHECK(cloud.live_count() == 2);
}

TEST_CASE("sim: the catalog offers every type in every zone with EC2-like prices") {
  manual_clock clk;
  sim_cloud cloud(quiet(), clk);
  auto r = cloud.handle(east, api_call{api_op::catalog, {}, {}, {}, {}, {}, {}, {}, {}});
  REQUIRE_FALSE(r.error);
  REQUIRE(r.offerings.size() == 3 * 20);
  std::set<std::string> zones;
  std::set<double> micro_spot;
  for (auto& o : r.offerings) {
    zones.insert(o.zone);
    CHECK(o.provider == provider_id{"sim", east});
    CHECK(o.spot_price >= 0.25 * o.on_demand_price);
    CHECK(o.spot_price <= 0.45 * o.on_demand_price);
    if (o.instance_type == "t3.micro") {
      CHECK(o.on_demand_price == Approx(0.0104));
      CHECK(o.gpus == 0);
      micro_spot.insert(o.spot_price);
    } else if (o.instance_type == "p3.2xlarge") {
      CHECK(o.gpus == 1);
      CHECK(o.gpu_kind == "V100");
      CHECK(o.on_demand_price == Approx(3.06));
    } else if (o.instance_type == "g5.12xlarge") {
      CHECK(o.gpus == 4);
      CHECK(o.gpu_kind == "A10G");
      CHECK(o.cpus == 48);
    } else if (o.instance_type == "m5.xlarge") {
      CHECK(o.cpus == 4);
      CHECK(o.memory_gib == 16);
      CHECK(o.on_demand_price == Approx(0.192));
    }
  }
  CHECK(zones == std::set<std::string>{"us-east-1a", "us-east-1b", "us-east-1c"});
  CHECK(micro_spot.size() > 1); // spot prices differ by zone
  // The same seed gives the same prices.
  sim_cloud twin(quiet(), clk);
  auto again = twin.handle(east, api_call{api_op::catalog, {}, {}, {}, {}, {}, {}, {}, {}});
  for (size_t n = 0; n < r.offerings.size(); ++n)
    CHECK(again.offerings[n].spot_price == r.offerings[n].spot_price);
}

TEST_CASE("sim: the unlimited config has no delays, limits or latency") {
  manual_clock clk;
  sim_cloud cloud(sim_config::unlimited(), clk);
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) { // far beyond the default buckets and capacity
    auto r = cloud.handle(east, create_call(1000));
    REQUIRE_FALSE(r.error);
    CHECK(r.instances[0].state == instance_state::running); // no pending time: in the answer
    ids.push_back(r.instances[0].cloud_id);
  }
  CHECK(cloud.live_count() == 30000);
  CHECK(all_in(states(cloud, ids), instance_state::running)); // without time passing
  // No transition time: a terminate's answer gives where it ended.
  api_call end;
  end.op = api_op::terminate;
  end.cloud_ids = {ids[0], ids[1]};
  auto r = cloud.handle(east, end);
  REQUIRE(r.instances.size() == 2);
  CHECK(r.instances[0].state == instance_state::terminated);
  CHECK(r.instances[1].state == instance_state::terminated);
  CHECK(cloud.live_count() == 29998);
  CHECK(cloud.draw_latency() == duration::zero());
}

TEST_CASE("sim: latency is drawn around the configured median") {
  manual_clock clk;
  sim_cloud cloud(sim_config{}, clk);
  std::vector<duration> xs;
  for (int i = 0; i < 1001; ++i)
    xs.push_back(cloud.draw_latency());
  std::sort(xs.begin(), xs.end());
  CHECK(xs.front() > duration::zero());
  CHECK(xs[500] > milliseconds(30));
  CHECK(xs[500] < milliseconds(50));
  CHECK(xs[990] > milliseconds(120));
  CHECK(xs[990] < milliseconds(320));
}
