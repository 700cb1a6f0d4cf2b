#pragma once
// providers' `timer` on the actor clock: callbacks run in a small actor after their delay, so
// that CAF's test coordinator drives simulated latency exactly as it drives every other timer.

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "providers/cloud_api.hpp"

namespace styx {

class actor_timer final : public timer {
public:
  explicit actor_timer(caf::actor_system& sys);
  ~actor_timer() override;

  void after(duration delay, std::function<void()> fn) override;

  /// Ends the timer actor; callbacks not yet run are dropped.
  void stop();

private:
  caf::actor worker_;
};

} // namespace styx
