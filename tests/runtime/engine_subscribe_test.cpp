// engine::subscribe / unsubscribe for an embedding program: once unsubscribe() returns, the
// callback is not running and is not called again, so what it captured may be destroyed.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/engine.hpp"
#include "tests/runtime/fast_engine.hpp"

using namespace styx;

TEST_CASE("engine subscribe: unsubscribe returns only after a call under way has finished") {
  auto eng = engine::start(test::fast_config(""));
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  std::atomic<int> calls_after{0};
  std::atomic<bool> unsubscribed{false};
  auto id = eng->subscribe([&](const engine_event&) {
    if (unsubscribed.load())
      ++calls_after;
    if (!entered.exchange(true)) { // the first call lingers while the test unsubscribes
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      finished = true;
    }
  });
  auto h = eng->submit(provision_request::make("sub", resources{}).count(20));
  for (int i = 0; i < 2000 && !entered.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(entered.load());
  eng->unsubscribe(id);
  CHECK(finished.load()); // it waited for the call under way
  unsubscribed = true;
  auto done = h.wait_for(seconds(30));
  REQUIRE(done);
  CHECK(done->ok);
  CHECK(calls_after.load() == 0); // nothing called it once unsubscribe() had returned
}

TEST_CASE("engine subscribe: a callback may unsubscribe itself") {
  auto eng = engine::start(test::fast_config(""));
  std::atomic<int> calls{0};
  uint64_t id = 0;
  std::atomic<bool> ready{false};
  id = eng->subscribe([&](const engine_event&) {
    ++calls;
    if (ready.load())
      eng->unsubscribe(id); // on the engine's thread: must not wait for itself
  });
  ready = true;
  auto h = eng->submit(provision_request::make("self", resources{}).count(5));
  auto done = h.wait_for(seconds(30));
  REQUIRE(done); // no deadlock: the request finished
  CHECK(calls.load() >= 1);
}

TEST_CASE("engine subscribe: a scoped subscription ends with its scope and a moved one once") {
  auto eng = engine::start(test::fast_config(""));
  std::atomic<int> calls{0};
  {
    scoped_subscription first{*eng, [&](const engine_event&) { ++calls; }};
    auto moved = std::move(first); // the moved-from one unsubscribes nothing
    auto done = eng->submit(provision_request::make("scoped", resources{}).count(5))
                  .wait_for(seconds(30));
    REQUIRE(done);
    CHECK(done->ok);
  } // `moved` ends here: what it captured may go now (cli/commands.cpp's progress printer)
  int seen = calls.load();
  CHECK(seen >= 1);
  auto done = eng->submit(provision_request::make("after", resources{}).count(5))
                .wait_for(seconds(30));
  REQUIRE(done);
  CHECK(done->ok);
  CHECK(calls.load() == seen); // not called once its scope had ended
}
