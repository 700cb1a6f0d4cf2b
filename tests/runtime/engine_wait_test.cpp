// engine::wait_for_state() wakes on the events that end the wait, and an engine that places no
// instances (engine_config::places_instances = false, styx down and status) fetches no catalog
// and refuses to provision.

#include <catch2/catch.hpp>

#include <chrono>

#include "runtime/engine.hpp"
#include "tests/runtime/fast_engine.hpp"

using namespace styx;

using test::fast_config;

TEST_CASE("wait_for_state returns once every selected instance is there, false on timeout") {
  auto eng = engine::start(fast_config("", 17));
  auto done = eng->submit(provision_request::make("w", resources{}.cpus(2)).count(50)).wait();
  REQUIRE(done.ok);
  auto all = selector::everything();
  // Nothing moves towards stopped: the wait ends at its timeout.
  CHECK_FALSE(eng->wait_for_state(all, instance_state::stopped, milliseconds(200)));
  CHECK(eng->wait_for_state(all, instance_state::running, milliseconds(10)));
  REQUIRE(eng->terminate(all) == 50);
  auto started = std::chrono::steady_clock::now();
  REQUIRE(eng->wait_for_state(all, instance_state::terminated, std::chrono::seconds(30)));
  auto waited = std::chrono::steady_clock::now() - started;
  for (auto& r : eng->list())
    CHECK(r.state == instance_state::terminated);
  CHECK(waited < std::chrono::seconds(10));
}

TEST_CASE("an engine that places no instances fetches no catalog and refuses a request") {
  auto cfg = fast_config("", 17);
  cfg.places_instances = false;
  auto eng = engine::start(cfg);
  auto done = eng->submit(provision_request::make("n", resources{}.cpus(2)).count(3)).wait();
  CHECK_FALSE(done.ok);
  CHECK(done.error.find("places no instances") != std::string::npos);
  for (auto& s : eng->stats())
    CHECK(s.api_calls == 0u);
}
