#include "actors/actor_timer.hpp"

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace styx {
namespace {

struct timer_callback {
  std::function<void()> fn;
};

} // namespace
} // namespace styx

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::timer_callback)

namespace styx {

actor_timer::actor_timer(caf::actor_system& sys) {
  // The unused argument keeps CAF 0.17.6 from dereferencing a null argument tuple, which
  // it does for spawns without arguments (undefined behaviour that UBSan reports).
  worker_ = sys.spawn<caf::lazy_init>(
    [](caf::event_based_actor*, int) -> caf::behavior {
      return {[](const timer_callback& cb) { cb.fn(); }};
    },
    0);
}

actor_timer::~actor_timer() {
  stop();
}

void actor_timer::after(duration delay, std::function<void()> fn) {
  if (stopped_.load(std::memory_order_acquire))
    return;
  if (delay <= duration::zero())
    caf::anon_send(worker_, timer_callback{std::move(fn)});
  else
    caf::delayed_anon_send(worker_, delay, timer_callback{std::move(fn)});
}

void actor_timer::stop() {
  if (!stopped_.exchange(true, std::memory_order_acq_rel))
    caf::anon_send_exit(worker_, caf::exit_reason::user_shutdown);
}

} // namespace styx
