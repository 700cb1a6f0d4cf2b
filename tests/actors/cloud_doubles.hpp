#pragma once
// Test doubles around a cloud_api, for the deterministic actor tests:
//
// - recording_api records every call (op, size, ids, virtual time) before passing it on;
// - it can hold replies (hold = true) until the test releases them, to see what is in flight;
// - it can fail calls instead of passing them on: `fault` is asked first and a set error is
//   the reply (the inner cloud never sees the call).
//
// Also a client actor that sends many requests at once and keeps the answers and every
// instance_update it gets unasked (the provider's polling sends those to the creator).

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/protocol.hpp"
#include "common/time.hpp"
#include "providers/cloud_api.hpp"

namespace styx::test {

struct recorded_call {
  api_call call;
  time_point at;
};

class recording_api final : public cloud_api {
public:
  recording_api(cloud_api_ptr inner, const clock& clk) : inner_(std::move(inner)), clk_(clk) {}

  const provider_id& id() const override { return inner_->id(); }
  size_t max_batch(api_op op) const override { return inner_->max_batch(op); }

  void start(api_call call, reply_handler done) override {
    calls.push_back(recorded_call{call, clk_.now()});
    if (fault) {
      if (auto err = fault(call); err) {
        api_reply r;
        r.error = err;
        deliver(std::move(r), std::move(done));
        return;
      }
    }
    inner_->start(std::move(call), [this, done = std::move(done)](api_reply r) mutable {
      deliver(std::move(r), std::move(done));
    });
  }

  /// Calls of one operation, in order.
  std::vector<recorded_call> of(api_op op) const {
    std::vector<recorded_call> out;
    for (auto& c : calls)
      if (c.call.op == op)
        out.push_back(c);
    return out;
  }

  /// The size of each call of `op`, in order.
  std::vector<size_t> sizes(api_op op) const {
    std::vector<size_t> out;
    for (auto& c : of(op))
      out.push_back(c.call.size());
    return out;
  }

  /// Releases the oldest held reply; false if none is held.
  bool release_one() {
    if (held.empty())
      return false;
    auto h = std::move(held.front());
    held.pop_front();
    h.second(std::move(h.first));
    return true;
  }

  void release_all() {
    hold = false;
    while (release_one()) {
    }
  }

  std::function<cloud_error(const api_call&)> fault; // a set error fails the call
  bool hold = false;
  std::vector<recorded_call> calls;
  std::deque<std::pair<api_reply, reply_handler>> held;

private:
  void deliver(api_reply r, reply_handler done) {
    if (hold)
      held.emplace_back(std::move(r), std::move(done));
    else
      done(std::move(r));
  }

  cloud_api_ptr inner_;
  const clock& clk_;
};

/// Fails the first `k` calls of `op` with `err`, then passes calls on.
inline std::function<cloud_error(const api_call&)> fail_first(api_op op, int k, cloud_error err) {
  auto left = std::make_shared<int>(k);
  return [=](const api_call& c) {
    if (c.op != op || *left <= 0)
      return cloud_error{};
    --*left;
    return err;
  };
}

/// What a client actor got back.
struct client_log {
  std::vector<instance_update> answers;     // replies, in arrival order
  std::vector<std::string> errors;          // caf errors
  std::vector<instance_update> unasked;     // polling updates sent to the creator
};

/// Sends every message of `msgs` to the provider at once and records the answers.
template <class Msg>
caf::actor spawn_client(caf::actor_system& sys, provider_actor p, std::vector<Msg> msgs,
                        std::shared_ptr<client_log> log) {
  // `log` as a spawn argument: see actor_fixture::ask.
  return sys.spawn([=](caf::event_based_actor* self, std::shared_ptr<client_log>) -> caf::behavior {
    for (auto& m : msgs)
      self->request(p, caf::infinite, m)
        .then([=](instance_update& u) { log->answers.push_back(std::move(u)); },
              [=](caf::error& e) { log->errors.push_back(self->system().render(e)); });
    return {[=](instance_update& u) { log->unasked.push_back(std::move(u)); }};
  }, log);
}

} // namespace styx::test
