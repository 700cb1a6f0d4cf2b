#pragma once
// Internal to the engine (runtime/engine.cpp, runtime/engine_events.cpp): a submitted
// request's slot, the hub that routes the supervisor's events to slots and subscribers, and
// the bridge actor that feeds the hub. Not a public header.

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "runtime/engine.hpp"

namespace styx {

/// What a request_handle shares with the engine: the latest progress and, once done, the
/// result. Thread-safe (its mutex); complete() takes the first result only.
struct request_handle::slot {
  request_id id;
  mutable std::mutex mtx;
  request_progress progress;
  bool done = false;
  std::promise<request_done> promise;
  std::shared_future<request_done> future = promise.get_future().share();

  void complete(request_done d) {
    std::lock_guard<std::mutex> guard{mtx};
    if (done)
      return;
    done = true;
    promise.set_value(std::move(d));
  }
};

/// Routes events from the bridge actor to request slots and subscribers. Thread-safe: the
/// bridge actor dispatches, any thread adds slots and (un)subscribes; callbacks run on the
/// bridge's thread, outside the lock. Shared by the engine and its bridge; lives as long as
/// the last of them.
class event_hub {
public:
  void add_slot(std::shared_ptr<request_handle::slot> s) {
    std::lock_guard<std::mutex> guard{mtx_};
    slots_.emplace(s->id, std::move(s));
  }

  uint64_t subscribe(event_callback cb) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto id = next_++;
    callbacks_.emplace(id, std::move(cb));
    return id;
  }

  void unsubscribe(uint64_t id) {
    std::lock_guard<std::mutex> guard{mtx_};
    callbacks_.erase(id);
  }

  void dispatch(const engine_event& ev) {
    std::shared_ptr<request_handle::slot> s;
    std::vector<event_callback> cbs;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (auto* p = std::get_if<request_progress>(&ev))
        s = find(p->request);
      else if (auto* d = std::get_if<request_done>(&ev))
        s = find(d->request);
      cbs.reserve(callbacks_.size());
      for (auto& [id, cb] : callbacks_)
        cbs.push_back(cb);
    }
    // Subscribers first: whoever wakes from request_handle::wait() has seen every event of
    // the request, its request_done included.
    for (auto& cb : cbs)
      cb(ev);
    if (s) {
      if (auto* p = std::get_if<request_progress>(&ev)) {
        std::lock_guard<std::mutex> guard{s->mtx};
        s->progress = *p;
      } else if (auto* d = std::get_if<request_done>(&ev)) {
        s->complete(*d);
      }
    }
  }

private:
  std::shared_ptr<request_handle::slot> find(const request_id& id) {
    auto i = slots_.find(id);
    return i != slots_.end() ? i->second : nullptr;
  }

  std::mutex mtx_;
  std::unordered_map<request_id, std::shared_ptr<request_handle::slot>, uuid_hash> slots_;
  std::map<uint64_t, event_callback> callbacks_;
  uint64_t next_ = 1;
};

/// The actor that hands every event the supervisor publishes to `hub`; logs returning
/// providers. Spawned once per engine.
caf::behavior event_bridge(caf::event_based_actor* self, std::shared_ptr<event_hub> hub);

} // namespace styx
