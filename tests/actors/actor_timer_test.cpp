// The actor timer on a real scheduler: its callbacks run, and stop() may race with after()
// from other threads (providers start zero-latency sim calls through it while the engine
// stops). Run under ThreadSanitizer by scripts/sanitize.sh tsan.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "actors/actor_timer.hpp"
#include "tests/actors/actor_fixture.hpp"

using namespace styx;

namespace {

/// The tests' actor system, on CAF's real scheduler instead of the test coordinator.
struct threaded_config : test::test_config {
  threaded_config() {
    set("scheduler.policy", caf::atom("sharing"));
    set("scheduler.max-threads", size_t{2});
  }
};

} // namespace

TEST_CASE("actor timer: callbacks run and after from other threads may race with stop") {
  threaded_config cfg;
  caf::actor_system sys{cfg};
  auto ran = std::make_shared<std::atomic<int>>(0);
  {
    actor_timer tmr{sys};
    tmr.after(duration::zero(), [ran] { ++*ran; });
    tmr.after(milliseconds(5), [ran] { ++*ran; });
    for (int i = 0; i < 200 && ran->load() < 2; ++i)
      std::this_thread::sleep_for(milliseconds(5));
    CHECK(ran->load() == 2);
    std::atomic<bool> go{true};
    std::vector<std::thread> callers;
    for (int t = 0; t < 2; ++t)
      callers.emplace_back([&] {
        while (go.load())
          tmr.after(duration::zero(), [] {});
      });
    std::this_thread::sleep_for(milliseconds(20));
    tmr.stop();
    go = false;
    for (auto& c : callers)
      c.join();
    auto before = ran->load();
    tmr.after(duration::zero(), [ran] { ++*ran; }); // after stop: not sent
    sys.await_all_actors_done();
    CHECK(ran->load() == before);
  }
}
