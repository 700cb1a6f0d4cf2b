#pragma once
// A deterministic actor system for tests: CAF's test coordinator runs every actor on the test
// thread, and time moves only when the test advances it. The simulated cloud, the actor timer
// and the actors all share that virtual time.

#include <memory>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/actor_timer.hpp"
#include "actors/clock_adapter.hpp"
#include "actors/registry.hpp"
#include "providers/sim/sim_api.hpp"

namespace styx::test {

struct test_config : caf::actor_system_config {
  test_config() {
    add_actor_types(*this);
    set("scheduler.policy", caf::atom("testing"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

class actor_fixture {
public:
  explicit actor_fixture(sim_config sim = sim_config::unlimited())
    : sys(cfg),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      clk(sys.clock(), true),
      tmr(sys) {
    cloud = std::make_shared<sim_cloud>(sim, clk);
  }

  ~actor_fixture() {
    tmr.stop();
    run();
  }

  std::shared_ptr<sim_api> api(const std::string& region = "us-east-1") {
    return std::make_shared<sim_api>(cloud, provider_id{"sim", region}, tmr);
  }

  /// Runs every message that can run now, without moving time.
  void run() { sched.run(); }

  /// Moves time forward in steps of `step`, running everything due at each step.
  void advance(duration total, duration step = milliseconds(5)) {
    for (duration done{0}; done < total; done += step) {
      sched.run();
      sched.advance_time(step);
      sched.run();
    }
  }

  /// Sends a request from a throwaway actor and runs until the answer (or `patience`).
  template <class R, class Handle, class... Ts>
  std::optional<R> ask(Handle h, Ts... xs) {
    auto result = std::make_shared<std::optional<R>>();
    auto err = std::make_shared<std::string>();
    // The result cells go in as a spawn argument: CAF 0.17.6 dereferences a null argument
    // tuple for spawns without arguments (undefined behaviour that UBSan reports).
    sys.spawn(
      [=](caf::event_based_actor* self, std::shared_ptr<std::optional<R>> out) {
        self->request(h, caf::infinite, xs...)
          .then([=](R& r) { *out = std::move(r); },
                [=](caf::error& e) { *err = self->system().render(e); });
      },
      result);
    for (int i = 0; i < 2000 && !*result && err->empty(); ++i)
      advance(milliseconds(5), milliseconds(5));
    last_error = *err;
    return *result;
  }

  test_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  actor_clock_adapter clk;
  actor_timer tmr;
  std::shared_ptr<sim_cloud> cloud;
  std::string last_error;
};

} // namespace styx::test
