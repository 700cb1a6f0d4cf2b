#pragma once
// Internal to the provider actor (actors/provider.cpp): its API calls on their way, and the
// queue that lets them out as the request and resource buckets allow. Not a public header.

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/provider_config.hpp"
#include "common/batcher.hpp"
#include "messages/protocol.hpp"
#include "providers/cloud_api.hpp"

namespace styx {

/// API classes, each with its own request bucket and queue.
enum class call_class : uint8_t { create, start, stop, terminate, describe };
constexpr size_t call_class_count = 5;

call_class class_of(api_op op);
/// A continuation (api_call::continues) asks how an operation went: a describe. Otherwise the
/// class of its op.
call_class class_of(const api_call& call);

/// Someone waiting for the answer about one instance of a call.
struct waiter {
  instance_id id;
  std::string cloud_id; // changes only
  caf::strong_actor_ptr owner;
  caf::typed_response_promise<instance_update> rp;
};

/// One API call on its way: queued, in flight, or waiting to be retried.
struct outgoing {
  api_call call;
  std::vector<waiter> waiters; // create and change calls
  caf::typed_response_promise<std::vector<cloud_instance>> list_rp;
  int attempt = 1;
  int throttled = 0;    // attempts the cloud throttled: they do not count against the
                        // attempts a failing call has (provider_config::retry.max_attempts)
  int asked_again = 0;  // continuations sent so far (api_call::operations)
  bool relist = false;  // a list of the provider's own, to resume following a cloud's pushes
  time_point sent_at{}; // the last attempt's
  time_point ready_at{};
};

/// One instance of a create, waiting to be coalesced.
struct create_item {
  waiter w;
  create_slot slot;
};

using create_batcher = batcher<launch_spec, create_item>; // by launch spec
using change_batcher = batcher<change_op, waiter>;        // by change_op

api_op op_of(change_op op);

/// The API call of a coalesced batch's call, with its waiters in the batch's order.
outgoing make_call(create_batcher::call c);
outgoing make_call(change_batcher::call c);

/// Keeps in `next` the earlier of itself and `t`.
inline void keep_earliest(std::optional<time_point>& next, std::optional<time_point> t) {
  if (t && (!next || *t < *next))
    next = t;
}

/// A call_queue holds the provider's built calls until they may go: one FIFO queue per call
/// class, and the retries backing off until their ready_at (then first in their queue). It
/// owns the buckets: every call takes a token from its class's request bucket and, when it
/// carries instances (describes do not count), one per instance from the resource bucket. A
/// call that would overdraw waits; a first attempt may be split to what the resource bucket
/// allows, but only into parts worth a call (at least a second's refill, or the whole rest),
/// so that a drained bucket does not turn a batch into one call per instance. A retry is
/// never split: its client token must cover exactly what it covered before.
///
/// With `one_mutation_bucket`, creates, starts, stops and terminates draw from one request
/// bucket (the create class's): a cloud with one quota for every mutating call (GCP's
/// per-project mutation quota); their resource buckets and counts stay per class.
///
/// Thread rules: none of its own. It is a plain value, not thread-safe; its one owner (the
/// provider actor) calls it from one thread at a time. It never reads a clock: every method
/// that needs time takes `now`.
///
/// Lifetimes: it owns the calls it holds (and the promises in them) until release() hands
/// them to `send`; it keeps nothing of them afterwards, and no reference to its callers.
class call_queue {
public:
  call_queue() = default; // unlimited buckets
  /// `one_request_bucket`: describes (reads) draw from the create request bucket too, and so
  /// does every mutation; reads are then let out first.
  call_queue(const rate_limits& limits, time_point now, bool one_mutation_bucket = false,
             bool one_request_bucket = false);

  /// Queues `o` behind the calls of its class.
  void push(outgoing o);

  /// Holds `o` until `o.ready_at`; then it goes first in its class.
  void retry_later(outgoing o);

  /// The cloud said we are too fast: empties the request bucket of `op`'s class, so that its
  /// next calls wait for the refill.
  void throttled(call_class c, time_point now);
  void throttled(api_op op, time_point now) { throttled(class_of(op), now); }

  /// The cloud said only `remaining` requests are left of the budget behind class `c`
  /// (api_reply::remaining): its request and resource buckets keep at most that many tokens
  /// (a cloud that takes one request per instance paces them by the resource bucket). True
  /// when one had more (the client slows down before the cloud throttles it).
  bool remaining(call_class c, double remaining, time_point now);

  /// A call of class `c` made `n` more HTTP requests than the one it was admitted for (pages,
  /// one request per instance): their tokens are taken from its request bucket after the
  /// fact, into debt if need be.
  void charge(call_class c, uint32_t n, time_point now);

  /// Request-bucket tokens taken so far, per call class: one per HTTP request let through.
  std::vector<uint64_t> taken() const { return {taken_.begin(), taken_.end()}; }

  /// The buckets of one class at one moment: tokens now and their configuration.
  struct levels {
    double call_tokens = 0;          // request bucket
    bucket_config calls;
    double tokens = 0;               // resource bucket
    bucket_config instances;
  };

  /// The buckets of class `c` at `now` (refilled to `now` first).
  levels levels_of(call_class c, time_point now);

  /// Instances the calls of class `c` held here carry (queued and backing off).
  size_t waiting_instances(call_class c) const;

  /// Takes out the queued calls of class `c` that never went out and that `pred` selects (a
  /// withdrawal), in their order. A call that went out once keeps its client token and stays,
  /// retries included: it may have had its effect on the cloud.
  std::vector<outgoing> withdraw(call_class c, const std::function<bool(const outgoing&)>& pred);

  /// Moves the retries due at `now` to the front of their queues; returns when the next of
  /// the others is due.
  std::optional<time_point> release_retries(time_point now);

  /// Class by class, hands each call the buckets allow at `now` to `send`, while `room()`
  /// says the in-flight window has room; returns when a call held back by a bucket could go.
  std::optional<time_point> release(time_point now, const std::function<bool()>& room,
                                    const std::function<void(outgoing)>& send);

private:
  std::array<std::deque<outgoing>, call_class_count> ready_; // built calls, FIFO per class
  std::vector<outgoing> backing_off_;                        // retries waiting for ready_at
  std::array<token_bucket, call_class_count> request_buckets_;
  std::array<size_t, call_class_count> bucket_of_{0, 1, 2, 3, 4}; // class -> request bucket
  std::array<token_bucket, call_class_count> resource_buckets_; // describe: unlimited
  std::array<uint64_t, call_class_count> taken_{};
};

} // namespace styx
