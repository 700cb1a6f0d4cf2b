// engine::wait_for_state(): woken by the events that can end the wait, through the engine's
// public API only (runtime/engine.hpp).

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "runtime/engine.hpp"

namespace styx {

namespace {

/// Set by an event callback (on an engine thread), waited for by the caller of
/// wait_for_state. Shared by both: it lives as long as the longer of the two holds it.
struct wake_flag {
  std::mutex mtx;
  std::condition_variable cv;
  bool woken = false;

  void wake() {
    {
      std::lock_guard<std::mutex> guard{mtx};
      woken = true;
    }
    cv.notify_one();
  }

  /// Waits until woken or `until`; clears the flag.
  void wait_until(time_point until) {
    std::unique_lock<std::mutex> lock{mtx};
    cv.wait_until(lock, until, [this] { return woken; });
    woken = false;
  }
};

// An instance can leave the count without an event this wait sees (a record replaced by an
// adoption, say): the count is asked again at least this often.
constexpr duration recount_interval = milliseconds(500);

} // namespace

bool engine::wait_for_state(const selector& sel, instance_state target, duration timeout) {
  auto deadline = clock_type::now() + timeout;
  auto flag = std::make_shared<wake_flag>();
  // Only an instance that reaches the target (or a final state) makes the count smaller.
  scoped_subscription sub{*this, [flag, sel, target](const engine_event& ev) {
    auto* changed = std::get_if<instance_state_changed>(&ev);
    if (changed == nullptr)
      return;
    auto& rec = changed->record;
    if ((rec.state == target || is_final(rec.state)) && sel.matches(rec))
      flag->wake();
  }};
  caf::scoped_actor self{system()};
  for (;;) {
    int left = 0;
    std::string err;
    self->request(supervisor(), caf::infinite, count_atom::value, sel, target)
      .receive([&](int n) { left = n; }, [&](caf::error& e) { err = system().render(e); });
    if (!err.empty())
      throw engine_error(err);
    if (left == 0)
      return true;
    auto now = clock_type::now();
    if (now >= deadline)
      return false;
    flag->wait_until(std::min(deadline, now + recount_interval));
  }
}

} // namespace styx
