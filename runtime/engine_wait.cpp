// engine::wait_for_state(): woken by the events that can end the wait, through the engine's
// public API only (runtime/engine.hpp).

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "runtime/engine.hpp"

namespace styx {

namespace {

/// Counts the events that can end the wait (on an engine thread) and wakes the caller of
/// wait_for_state once there have been as many as the count it last read: no fewer can have
/// emptied it. A fan-out's down then recounts its million records a few times, not once per
/// event. Shared by both: it lives as long as the longer of the two holds it.
struct wake_flag {
  std::mutex mtx;
  std::condition_variable cv;
  uint64_t seen = 0;      // events that can end the wait, since the subscription
  uint64_t wake_at = 0;   // wake the waiter when `seen` reaches this
  bool woken = false;

  void on_event() {
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (++seen != wake_at)
        return;
      woken = true;
    }
    cv.notify_one();
  }

  uint64_t events_seen() {
    std::lock_guard<std::mutex> guard{mtx};
    return seen;
  }

  /// Waits until `left` more events than `since` were seen, or `until`; clears the flag.
  void wait_until(uint64_t since, int left, time_point until) {
    std::unique_lock<std::mutex> lock{mtx};
    wake_at = since + static_cast<uint64_t>(left);
    woken = seen >= wake_at;
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
      flag->on_event();
  }};
  caf::scoped_actor self{system()};
  for (;;) {
    // Every event the supervisor publishes after it counted reaches the flag after this: an
    // instance that leaves the count afterwards is among the events seen from here.
    auto since = flag->events_seen();
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
    flag->wait_until(since, left, std::min(deadline, now + recount_interval));
  }
}

} // namespace styx
