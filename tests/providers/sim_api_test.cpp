// sim_api: the cloud_api of one region, replying after the drawn latency through the timer.

#include <catch2/catch.hpp>

#include <optional>

#include "providers/sim/sim_api.hpp"

using namespace styx;

namespace {

/// Records each delay and keeps the callbacks until run_all().
class recording_timer final : public timer {
public:
  void after(duration delay, std::function<void()> fn) override {
    delays.push_back(delay);
    pending.push_back(std::move(fn));
  }
  void run_all() {
    auto fns = std::move(pending);
    pending.clear();
    for (auto& fn : fns)
      fn();
  }
  std::vector<duration> delays;
  std::vector<std::function<void()>> pending;
};

api_call create_call(int n, std::string zone) {
  static uuid_generator ids(3);
  api_call c;
  c.op = api_op::create;
  c.spec.instance_type = "t3.micro";
  c.spec.zone = std::move(zone);
  for (int i = 0; i < n; ++i) {
    create_slot s;
    static_cast<uuid&>(s.id) = ids.next();
    static_cast<uuid&>(s.request) = ids.next();
    c.slots.push_back(s);
  }
  return c;
}

} // namespace

TEST_CASE("sim_api: the reply arrives through the timer after the drawn latency") {
  manual_clock clk;
  auto cfg = sim_config{};
  cfg.throttle = false;
  auto cloud = std::make_shared<sim_cloud>(cfg, clk);
  recording_timer t;
  sim_api api(cloud, provider_id{"sim", "us-west-2"}, t);
  CHECK(api.id() == provider_id{"sim", "us-west-2"});
  CHECK(api.max_batch(api_op::create) == 1000);
  CHECK(api.max_batch(api_op::terminate) == 1000);

  std::optional<api_reply> got;
  int calls = 0;
  api.start(create_call(2, "us-west-2b"), [&](api_reply r) {
    ++calls;
    got = std::move(r);
  });
  CHECK(calls == 0);
  REQUIRE(t.delays.size() == 1);
  CHECK(t.delays[0] > duration::zero());
  CHECK(t.delays[0] < seconds(5));
  CHECK(cloud->live_count() == 2); // the call took effect when it started
  t.run_all();
  CHECK(calls == 1);
  REQUIRE(got);
  CHECK_FALSE(got->error);
  REQUIRE(got->instances.size() == 2);
  CHECK(got->instances[0].zone == "us-west-2b");

  // The api talks to its own region only.
  got.reset();
  api.start(create_call(1, "us-east-1a"), [&](api_reply r) { got = std::move(r); });
  t.run_all();
  REQUIRE(got);
  CHECK(got->error.kind == error_kind::invalid_request);
}

TEST_CASE("sim_api: without latency the call is done and answered on the timer at once") {
  manual_clock clk;
  auto cloud = std::make_shared<sim_cloud>(sim_config::unlimited(), clk);
  recording_timer t;
  sim_api east(cloud, provider_id{"sim", "us-east-1"}, t);
  sim_api west(cloud, provider_id{"sim", "us-west-2"}, t);
  std::optional<api_reply> got;
  east.start(create_call(3, "us-east-1a"), [&](api_reply r) { got = std::move(r); });
  // Nothing on the caller's thread: the cloud works where the timer runs its callbacks.
  CHECK_FALSE(got);
  CHECK(cloud->live_count() == 0);
  CHECK(t.delays == std::vector<duration>{duration::zero()});
  t.run_all();
  REQUIRE(got);
  CHECK(got->instances.size() == 3);
  // Both regions share one cloud.
  west.start(create_call(1, "us-west-2a"), [&](api_reply r) { got = std::move(r); });
  t.run_all();
  CHECK(cloud->live_count() == 4);
  api_call list;
  list.op = api_op::list;
  got.reset();
  west.start(list, [&](api_reply r) { got = std::move(r); });
  t.run_all();
  REQUIRE(got);
  CHECK(got->instances.size() == 1);
}
