#pragma once
// Internal to the engine (runtime/engine.cpp, runtime/engine_events.cpp): a submitted
// request's slot, the hub that routes the supervisor's events to slots and subscribers, and
// the bridge actor that feeds the hub. Not a public header.

#include <future>
#include <map>
#include <utility>
#include <vector>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
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
/// bridge's thread, outside the lock. unsubscribe() returns once no call of the callback is
/// under way (unless a callback itself unsubscribes), so that what it captured may go. Shared
/// by the engine and its bridge; lives as long as the last of them.
class event_hub {
public:
  void add_slot(std::shared_ptr<request_handle::slot> s) {
    std::lock_guard<std::mutex> guard{mtx_};
    slots_.emplace(s->id, std::move(s));
  }

  uint64_t subscribe(event_callback cb) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto id = next_++;
    auto next = std::make_shared<callback_list>(*callbacks_);
    next->emplace_back(id, std::move(cb));
    callbacks_ = std::move(next);
    return id;
  }

  void unsubscribe(uint64_t id) {
    std::unique_lock<std::mutex> guard{mtx_};
    auto next = std::make_shared<callback_list>();
    for (auto& entry : *callbacks_)
      if (entry.first != id)
        next->push_back(entry);
    callbacks_ = std::move(next);
    // A dispatch under way may still hold the old list: wait for it, unless this is it.
    if (dispatcher_ != std::this_thread::get_id())
      idle_.wait(guard, [this] { return dispatching_ == 0; });
  }

  void dispatch(const engine_event& ev) {
    std::shared_ptr<request_handle::slot> s;
    std::optional<in_dispatch> under_way;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (auto* p = std::get_if<request_progress>(&ev))
        s = find(p->request);
      else if (auto* d = std::get_if<request_done>(&ev))
        s = find(d->request);
      under_way.emplace(*this);
    }
    // Subscribers first: whoever wakes from request_handle::wait() has seen every event of
    // the request, its request_done included.
    for (auto& entry : *under_way->callbacks)
      entry.second(ev);
    under_way.reset();
    if (s) {
      if (auto* p = std::get_if<request_progress>(&ev)) {
        std::lock_guard<std::mutex> guard{s->mtx};
        s->progress = *p;
      } else if (auto* d = std::get_if<request_done>(&ev)) {
        s->complete(*d);
      }
    }
  }

  /// Instance transitions, in order: each to every callback (they concern no slot).
  void dispatch_all(std::vector<instance_state_changed>& events) {
    std::optional<in_dispatch> under_way;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (callbacks_->empty())
        return;
      under_way.emplace(*this);
    }
    for (auto& ev : events) {
      engine_event e{std::move(ev)};
      for (auto& entry : *under_way->callbacks)
        entry.second(e);
    }
  }

private:
  using callback_list = std::vector<std::pair<uint64_t, event_callback>>;

  /// A dispatch under way: the snapshot of the callbacks it calls (no copy of any callback
  /// per event), counted until they have run. Made under mtx_, with the snapshot.
  struct in_dispatch {
    event_hub& hub;
    std::shared_ptr<const callback_list> callbacks;
    explicit in_dispatch(event_hub& h) : hub(h), callbacks(h.callbacks_) {
      ++hub.dispatching_;
      hub.dispatcher_ = std::this_thread::get_id();
    }
    ~in_dispatch() {
      {
        std::lock_guard<std::mutex> guard{hub.mtx_};
        if (--hub.dispatching_ == 0)
          hub.dispatcher_ = {};
      }
      hub.idle_.notify_all();
    }
  };

  std::shared_ptr<request_handle::slot> find(const request_id& id) {
    auto i = slots_.find(id);
    return i != slots_.end() ? i->second : nullptr;
  }

  std::mutex mtx_;
  std::unordered_map<request_id, std::shared_ptr<request_handle::slot>, uuid_hash> slots_;
  // Replaced, never changed in place, on (un)subscribe: dispatch holds a snapshot.
  std::shared_ptr<const callback_list> callbacks_ = std::make_shared<callback_list>();
  uint64_t next_ = 1;
  int dispatching_ = 0;         // dispatches whose callbacks are running
  std::thread::id dispatcher_;  // the thread running them (none: not running)
  std::condition_variable idle_; // dispatching_ fell to 0
};

/// The actor that hands every event the supervisor publishes to `hub`; logs returning
/// providers. Spawned once per engine, and subscribed with batched_atom: instance transitions
/// come as instance_events.
caf::behavior event_bridge(caf::event_based_actor* self, std::shared_ptr<event_hub> hub);

} // namespace styx
