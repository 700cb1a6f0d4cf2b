// The actor timer on a real scheduler: its callbacks run, and stop() may race with after()
// from other threads (providers start zero-latency sim calls through it while the engine
// stops). Run under ThreadSanitizer by scripts/sanitize.sh tsan.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include "actors/actor_timer.hpp"
#include "actors/registry.hpp"

using namespace styx;

namespace {

struct threaded_config : caf::actor_system_config {
  threaded_config() {
    add_actor_types(*this);
    set("scheduler.max-threads", size_t{2});
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
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
