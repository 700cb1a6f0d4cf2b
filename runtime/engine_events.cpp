#include "runtime/engine_events.hpp"

#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace styx {

// -- request handles --------------------------------------------------------------------

const request_id& request_handle::id() const {
  return slot_->id;
}

request_progress request_handle::progress() const {
  std::lock_guard<std::mutex> guard{slot_->mtx};
  return slot_->progress;
}

bool request_handle::done() const {
  std::lock_guard<std::mutex> guard{slot_->mtx};
  return slot_->done;
}

request_done request_handle::wait() const {
  return slot_->future.get();
}

std::optional<request_done> request_handle::wait_for(duration timeout) const {
  if (slot_->future.wait_for(timeout) != std::future_status::ready)
    return std::nullopt;
  return slot_->future.get();
}

std::shared_future<request_done> request_handle::result() const {
  return slot_->future;
}

// -- events -----------------------------------------------------------------------------

caf::behavior event_bridge(caf::event_based_actor*, std::shared_ptr<event_hub> hub) {
  return {
    [hub](instance_state_changed& ev) { hub->dispatch(engine_event{std::move(ev)}); },
    [hub](instance_events& batch) { hub->dispatch_all(batch.events); },
    [hub](request_progress& ev) { hub->dispatch(engine_event{std::move(ev)}); },
    [hub](request_done& ev) { hub->dispatch(engine_event{std::move(ev)}); },
    [hub](provider_returned& ev) {
      if (!ev.error.empty())
        spdlog::warn("provider {} is back but could not be listed: {}", ev.provider.to_string(),
                     ev.error);
      else
        spdlog::info("provider {} is back: {} followed again, {} adopted, {} surplus terminated, "
                     "{} vanished, {} unknown",
                     ev.provider.to_string(), ev.rewatched, ev.adopted, ev.terminated,
                     ev.vanished, ev.unknown);
      hub->dispatch(engine_event{std::move(ev)});
    },
  };
}

} // namespace styx
