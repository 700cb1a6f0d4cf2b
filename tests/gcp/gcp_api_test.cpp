// gcp_api against the fake Compute API, call by call, as the provider actor would make them:
// creates answered by Operations that are asked about until DONE, requestId idempotency,
// bulkInsert's all or nothing, errors from the API and from operations, changes instance by
// instance, describes that find preemptions, lists by label and the catalog.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "providers/gcp/gcp_api.hpp"
#include "providers/gcp/gcp_names.hpp"
#include "runtime/http_engine.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// The fake, an HTTP engine and a gcp_api on it; calls are made and awaited by the test's
/// thread. Lifetimes: members go in reverse order, the api before the engine it sends through.
struct api_env {
  gcp_fake fake;
  http_engine http;
  system_clock clk;
  gcp_api api{provider_id{"gcp", "us-central1"}, gcp_test_project, fake.endpoint(),
              gcp_fixed_token(gcp_test_token, "test"), http, clk};
  uuid_generator ids{42};
  int next_token = 1;

  /// One call, answered within 30 s (a hang fails the test instead).
  api_reply call(api_call c) {
    auto p = std::make_shared<std::promise<api_reply>>();
    auto f = p->get_future();
    api.start(std::move(c), [p](api_reply r) { p->set_value(std::move(r)); });
    REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    return f.get();
  }

  /// The call and its continuations until nothing is under way; what every round settled.
  api_reply settle(api_call c, int* rounds = nullptr) {
    api_reply all;
    all.requests = 0;
    for (int i = 0; i < 100; ++i) {
      auto r = call(c);
      all.requests += r.requests;
      if (rounds != nullptr)
        *rounds = i + 1;
      if (r.error) {
        all.error = r.error;
        return all;
      }
      all.instances.insert(all.instances.end(), r.instances.begin(), r.instances.end());
      all.failed.insert(all.failed.end(), r.failed.begin(), r.failed.end());
      if (r.operations.empty())
        return all;
      c.operations = r.operations;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("operations never finished");
    return all;
  }

  api_call create(size_t n, const std::string& zone, market_kind market = market_kind::on_demand) {
    api_call c;
    c.op = api_op::create;
    c.spec.instance_type = "e2-micro";
    c.spec.zone = zone;
    c.spec.market = market;
    c.spec.tags = {{ownership_tag::engine, "e-test"}, {ownership_tag::request, "r-test"}};
    c.client_token = "styx-test-" + std::to_string(next_token++);
    for (size_t i = 0; i < n; ++i) {
      instance_id id;
      static_cast<uuid&>(id) = ids.next();
      c.slots.push_back(create_slot{id, {}, "n"});
    }
    return c;
  }

  api_call change(api_op op, std::vector<std::string> ids_) {
    api_call c;
    c.op = op;
    c.cloud_ids = std::move(ids_);
    c.client_token = "styx-test-" + std::to_string(next_token++);
    return c;
  }

  static std::vector<std::string> ids_of(const api_reply& r) {
    std::vector<std::string> out(r.instances.size());
    std::transform(r.instances.begin(), r.instances.end(), out.begin(),
                   [](const cloud_instance& i) { return i.cloud_id; });
    return out;
  }
};

} // namespace

TEST_CASE("gcp api: a create is an Operation asked about until DONE and each instance is "
          "named after its engine id") {
  api_env env;
  auto c = env.create(1, "us-central1-a");
  auto first = env.call(c);
  REQUIRE_FALSE(first.error);
  CHECK(first.instances.empty());
  REQUIRE(first.operations.size() == 1);
  CHECK(first.operations[0].rfind("us-central1-a/operation-", 0) == 0);
  int rounds = 0;
  auto one = env.settle(c, &rounds);
  REQUIRE_FALSE(one.error);
  CHECK(rounds >= 2);
  REQUIRE(one.instances.size() == 1);
  CHECK(one.instances[0].owner_instance() == c.slots[0].id);
  CHECK(one.instances[0].cloud_id == "us-central1-a/" + gcp_instance_name(c.slots[0].id));
  CHECK(env.fake.stat("instances_created") == 1);
  CHECK(env.fake.stat("request_id_repeats") == 1); // the insert sent twice: one Operation

  auto batch = env.create(3, "us-central1-b");
  auto three = env.settle(batch);
  REQUIRE_FALSE(three.error);
  REQUIRE(three.instances.size() == 3);
  for (size_t i = 0; i < 3; ++i)
    CHECK(three.instances[i].owner_instance() == batch.slots[i].id);
  CHECK(env.fake.stat("instances.bulkInsert") == 1);
  CHECK(env.fake.stat("instances_created") == 4);
  // The same call again (a retry after a timeout): its requestId makes it the same Operation.
  auto again = env.settle(batch);
  REQUIRE_FALSE(again.error);
  CHECK(again.instances.size() == 3);
  CHECK(env.fake.stat("request_id_repeats") >= 1);
  CHECK(env.fake.stat("instances_created") == 4);
  // Under another token (a new attempt of the same slots): the names exist, the answer too.
  batch.client_token = "styx-test-other";
  auto exists = env.settle(batch);
  REQUIRE_FALSE(exists.error);
  CHECK(exists.instances.size() == 3);
  CHECK(env.fake.stat("instances_created") == 4);
}

TEST_CASE("gcp api: capacity and quota and throttling and 5xx and refused tokens are mapped") {
  api_env env;
  env.fake.faults(R"({"zone":"us-central1-a","capacity":2})");
  auto all_or_nothing = env.settle(env.create(3, "us-central1-a"));
  CHECK(all_or_nothing.error.kind == error_kind::capacity);
  CHECK(all_or_nothing.error.code == "ZONE_RESOURCE_POOL_EXHAUSTED");
  CHECK(env.fake.stat("instances_created") == 0);
  CHECK_FALSE(env.settle(env.create(2, "us-central1-a")).error);
  env.fake.faults(R"({"zone":"us-central1-b","quota":true})");
  CHECK(env.settle(env.create(1, "us-central1-b")).error.kind == error_kind::quota);
  env.fake.faults(R"({"zone":"us-central1-c","throttle":1})");
  auto throttled = env.call(env.create(1, "us-central1-c"));
  CHECK(throttled.error.kind == error_kind::throttled);
  CHECK(throttled.error.code == "rateLimitExceeded");
  env.fake.faults(R"({"zone":"us-central1-c","errors5xx":1})");
  CHECK(env.call(env.create(1, "us-central1-c")).error.kind == error_kind::transient);
  env.fake.faults(R"({"zone":"us-central1-c","forbidden":true})");
  CHECK(env.call(env.create(1, "us-central1-c")).error.kind == error_kind::auth);
  gcp_api stranger{provider_id{"gcp", "us-central1"}, gcp_test_project, env.fake.endpoint(),
                   gcp_fixed_token("not-a-token", "test"), env.http, env.clk};
  auto p = std::make_shared<std::promise<api_reply>>();
  api_call list;
  list.op = api_op::list;
  stranger.start(list, [p](api_reply r) { p->set_value(std::move(r)); });
  auto refused = p->get_future().get();
  CHECK(refused.error.kind == error_kind::auth);
  CHECK(refused.error.code == "authError");
  api_call bad = env.create(1, "us-central1-f");
  bad.spec.tags["Team"] = "x";
  CHECK(env.call(bad).error.kind == error_kind::invalid_request);
  bad = env.create(1, "us-central1-f");
  bad.spec.instance_type = "x9-nonexistent";
  CHECK(env.call(bad).error.kind == error_kind::invalid_request);
}

TEST_CASE("gcp api: stop and start and terminate change each instance and an unknown one "
          "fails alone") {
  api_env env;
  auto made = env.settle(env.create(2, "us-central1-a"));
  REQUIRE(made.instances.size() == 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(500)); // RUNNING
  auto ids = env.ids_of(made);
  auto ghost = "us-central1-a/styx-00000000-0000-4000-8000-000000000000";
  auto stopped = env.settle(env.change(api_op::stop, {ids[0], ids[1], ghost}));
  REQUIRE_FALSE(stopped.error);
  CHECK(stopped.instances.size() == 2);
  for (auto& i : stopped.instances)
    CHECK(i.state == instance_state::stopped);
  REQUIRE(stopped.failed.size() == 1);
  CHECK(stopped.failed[0].cloud_id == ghost);
  CHECK(stopped.failed[0].error.kind == error_kind::not_found);
  CHECK(env.fake.stat("instances.stop") == 3);

  env.fake.faults(R"({"zone":"us-central1-a","capacity":0})");
  auto no_room = env.settle(env.change(api_op::start, {ids[0]}));
  REQUIRE(no_room.failed.size() == 1);
  CHECK(no_room.failed[0].error.kind == error_kind::capacity); // from the operation
  CHECK(no_room.failed[0].error.code == "ZONE_RESOURCE_POOL_EXHAUSTED");
  env.fake.faults(R"({"zone":"us-central1-a","capacity":null,"errors5xx":1})");
  CHECK(env.call(env.change(api_op::start, ids)).error.kind == error_kind::transient);
  auto started = env.settle(env.change(api_op::start, ids));
  REQUIRE(started.instances.size() == 2);
  CHECK(started.instances[0].state == instance_state::starting);
  auto gone = env.settle(env.change(api_op::terminate, ids));
  REQUIRE(gone.instances.size() == 2);
  CHECK(gone.instances[0].state == instance_state::terminated);
  api_call describe;
  describe.op = api_op::describe;
  describe.cloud_ids = ids;
  CHECK(env.call(describe).instances.empty());
}

TEST_CASE("gcp api: describe reads states and finds a preempted spot instance") {
  api_env env;
  auto spot = env.settle(env.create(2, "us-central1-b", market_kind::spot));
  auto od = env.settle(env.create(1, "us-central1-c"));
  REQUIRE(spot.instances.size() == 2);
  REQUIRE(od.instances.size() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  api_call d;
  d.op = api_op::describe;
  d.cloud_ids = env.ids_of(spot);
  d.cloud_ids.push_back(od.instances[0].cloud_id);
  auto r = env.call(d);
  REQUIRE_FALSE(r.error);
  CHECK(r.requests == 2); // one list per zone
  REQUIRE(r.instances.size() == 3);
  for (auto& i : r.instances)
    CHECK(i.state == instance_state::running);
  auto victim = gcp_split_cloud_id(spot.instances[0].cloud_id)->second;
  env.fake.post("/fake/preempt", R"({"zone":"us-central1-b","names":[")" + victim + "\"]}");
  std::this_thread::sleep_for(std::chrono::milliseconds(500)); // stopped, then deleted
  auto after = env.call(d);
  REQUIRE_FALSE(after.error);
  CHECK(after.requests == 3); // and the preemption look-up
  bool found = false;
  for (auto& i : after.instances)
    if (i.cloud_id == spot.instances[0].cloud_id) {
      found = true;
      CHECK(i.state == instance_state::terminated);
      CHECK(i.reason == state_reason::preempted);
      CHECK(i.reason_code == "compute.instances.preempted");
    } else {
      CHECK(i.state == instance_state::running);
    }
  CHECK(found);
}

TEST_CASE("gcp api: list by label keeps the region's zones and the catalog has its zones' types") {
  api_env env;
  env.settle(env.create(2, "us-central1-a"));
  gcp_api east{provider_id{"gcp", "us-east1"}, gcp_test_project, env.fake.endpoint(),
               gcp_fixed_token(gcp_test_token, "test"), env.http, env.clk};
  auto other = env.create(1, "us-east1-b");
  other.spec.tags[ownership_tag::request] = "r-other";
  auto p = std::make_shared<std::promise<api_reply>>();
  east.start(other, [p](api_reply r) { p->set_value(std::move(r)); });
  REQUIRE_FALSE(p->get_future().get().error);
  api_call list;
  list.op = api_op::list;
  list.filter = {{ownership_tag::engine, "e-test"}};
  auto mine = env.call(list);
  REQUIRE_FALSE(mine.error);
  CHECK(mine.instances.size() == 2);
  for (auto& i : mine.instances)
    CHECK(i.tags.at(ownership_tag::request) == "r-test");
  list.filter[ownership_tag::request] = "r-other";
  CHECK(env.call(list).instances.empty());

  api_call cat;
  cat.op = api_op::catalog;
  auto offers = env.call(cat);
  REQUIRE_FALSE(offers.error);
  CHECK(offers.requests == 2);
  std::set<std::string> zones;
  for (auto& o : offers.offerings) {
    zones.insert(o.zone);
    CHECK(o.on_demand_price > 0);
    CHECK(o.provider == provider_id{"gcp", "us-central1"});
  }
  CHECK(zones == std::set<std::string>{"us-central1-a", "us-central1-b", "us-central1-c",
                                       "us-central1-f"});
}
