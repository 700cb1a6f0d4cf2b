#pragma once
// providers' `timer` on the actor clock: callbacks run in a small actor after their delay, so
// that CAF's test coordinator drives simulated latency exactly as it drives every other timer.

#include <atomic>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "providers/cloud_api.hpp"

namespace styx {

/// Thread rules: after() and stop() may be called from any thread at once (provider actors
/// start zero-latency sim calls through after() while the engine stops). The worker handle is
/// written only by the constructor; stop() flips a flag and ends the worker. Lifetimes: the
/// actor system must outlive this object (the handle is released in the destructor).
class actor_timer final : public timer {
public:
  explicit actor_timer(caf::actor_system& sys);
  ~actor_timer() override;

  void after(duration delay, std::function<void()> fn) override;

  /// Ends the timer actor; callbacks not yet run are dropped, later ones are not sent.
  void stop();

private:
  caf::actor worker_;
  std::atomic<bool> stopped_{false};
};

} // namespace styx
