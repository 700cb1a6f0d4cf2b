// The README's embedding example, compiled and run: submit, events, wait, stop by tag,
// terminate, wait for the final state.

#include <catch2/catch.hpp>

#include <atomic>

#include "runtime/engine.hpp"

using namespace styx;

TEST_CASE("the embedding API from the README") {
  engine_config cfg; // the simulated cloud, in memory
  cfg.sim.pending_min = milliseconds(10);
  cfg.sim.pending_max = milliseconds(50);
  cfg.sim.transition_min = milliseconds(10);
  cfg.sim.transition_max = milliseconds(50);
  cfg.providers[0].limits.poll_interval = milliseconds(50);
  std::atomic<int> to_running{0}; // before the engine: they outlive its callbacks
  std::atomic<int> done_events{0};
  auto eng = engine::start(cfg);

  auto sub = eng->subscribe([&](const engine_event& ev) {
    if (auto* c = std::get_if<instance_state_changed>(&ev);
        c != nullptr && c->record.state == instance_state::running)
      ++to_running;
    if (std::holds_alternative<request_done>(ev))
      ++done_events;
  });

  auto h = eng->submit(provision_request::make("job", resources{}.cpus(4).memory_gib(16))
                         .region("us-west-2")
                         .tag("env", "prod")
                         .spot(true)
                         .count(100));
  request_done r = h.wait();
  REQUIRE(r.ok);
  CHECK(r.running == 100);
  CHECK(h.done());
  CHECK(h.progress().running == 100);
  CHECK(to_running == 100);
  CHECK(done_events == 1);

  auto all = eng->list();
  REQUIRE(all.size() == 100);
  for (auto& rec : all) {
    CHECK(rec.provider.region == "us-west-2");
    CHECK(rec.market == market_kind::spot);
    CHECK(rec.tags.at("env") == "prod");
    CHECK(rec.instance_type.size() > 0);
  }

  selector prod;
  prod.tags = {{"env", "prod"}};
  CHECK(eng->stop(prod) == 100);
  REQUIRE(eng->wait_for_state(prod, instance_state::stopped, std::chrono::seconds(30)));
  CHECK(eng->terminate(selector::everything()) == 100);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated,
                              std::chrono::seconds(30)));
  eng->unsubscribe(sub);

  // An invalid request completes at once with the reason.
  auto bad = eng->submit(provision_request::make("bad", resources{}).count(0));
  auto d = bad.wait();
  CHECK_FALSE(d.ok);
  CHECK(d.error.find("count must be positive") != std::string::npos);
}
