#pragma once
// Internal to the provider actor (actors/provider.cpp): the messages it sends itself, the
// interface it is spawned with, and its state. Not a public header.

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/call_queue.hpp"
#include "actors/poller.hpp"
#include "actors/protocol.hpp"
#include "actors/provider_config.hpp"
#include "common/backoff.hpp"
#include "common/retry_budget.hpp"
#include "providers/cloud_api.hpp"

namespace styx::provider_detail {

// -- the provider's messages to itself ------------------------------------------------------
// Continuations of the provider's own work: a cloud call answered, a create intent recorded,
// a pump or poll timer due. They are local-only on purpose: not in the public provider_actor,
// not registered with the actor system (messages/registry.cpp, actors/registry.cpp) and not
// serialisable, so no holder of the public handle (a remote engine included) can send them.
// Only the provider itself sends them: its cloud and journal callbacks and its timers.

struct call_done {
  uint64_t seq;
  api_reply reply;
};

struct intent_recorded {
  uint64_t seq;
  std::string error; // empty: recorded
};

struct pump_due {};
struct poll_due {};

/// A cloud's watch pushed changes (stream `gen` of the provider's).
struct pushed {
  uint64_t gen;
  push_batch batch;
};

/// The watch `gen` ended: why, and its last cursor.
struct push_ended {
  uint64_t gen;
  api_reply reply;
};

/// Time to list again (after a broken watch) for following pushes `gen`.
struct relist_due {
  uint64_t gen;
};

} // namespace styx::provider_detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::call_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::intent_recorded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::pump_due)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::poll_due)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::pushed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::push_ended)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::relist_due)

namespace styx::provider_detail {

/// The interface the provider is spawned with; spawn_provider hands out only provider_actor.
using provider_impl = provider_actor::extend<caf::reacts_to<call_done>,
                                             caf::reacts_to<intent_recorded>,
                                             caf::reacts_to<pump_due>, caf::reacts_to<poll_due>,
                                             caf::reacts_to<pushed>, caf::reacts_to<push_ended>,
                                             caf::reacts_to<relist_due>>;

/// Following a cloud's pushes (actors/provider_push.cpp): list, then one watch from the list's
/// cursor; polling pauses while the watch is open; the watch resumes from its cursor when it
/// merely ended, and the provider lists again when it broke or its cursor expired. Thread
/// rules: the provider actor's (part of its state). Lifetimes: the state's; destroying it
/// cancels the open watch.
struct push_follow {
  bool wanted = false;     // the cloud pushes and the config follows pushes
  bool started = false;    // the first list went out (at the first watched instance)
  bool live = false;       // a watch is open: polling pauses
  bool listing = false;    // a relist is queued or on the wire
  uint64_t gen = 0;        // of the current watch; older streams' messages are dropped
  std::string cursor;      // where the next watch starts
  int failures = 0;        // broken watches in a row: the relist backs off
  std::function<void()> cancel; // ends the open watch
  // Pushed states of instances not watched (yet): a create's answer may come after the push
  // of its pod's first change. Applied when the instance is watched.
  std::unordered_map<std::string, cloud_instance> unclaimed;
  std::unordered_map<std::string, cloud_error> unclaimed_problems; // likewise

  ~push_follow() {
    if (cancel)
      cancel();
  }
};

/// Everything one provider actor holds. Thread rules: the actor's (one message at a time).
/// Lifetimes: CAF destroys it when the actor quits; its callbacks hold only a weak handle.
struct provider_state {
  static inline const char* name = "styx.provider";

  cloud_api_ptr cloud;
  provider_config cfg;
  std::mt19937_64 rng;
  backoff retry_delay{backoff_policy{}, rng};
  retry_budget budget;

  create_batcher creates;             // coalescing creates by spec
  change_batcher changes;             // by change_op
  call_queue queue;                   // built calls and retries, behind the buckets
  std::unordered_map<uint64_t, outgoing> in_flight;
  uint64_t next_seq = 1;
  uint64_t token_prefix = 0;
  std::optional<time_point> wakeup;   // earliest scheduled pump

  poller<instance_actor> polls;

  std::optional<catalog> cached_catalog;
  std::vector<caf::typed_response_promise<catalog>> catalog_waiters;

  push_follow push;

  provider_stats stats;
  uint64_t creates_received = 0; // create requests, for admission_state
  uint64_t create_throttles = 0; // create calls the cloud throttled
};

using provider_self = provider_impl::stateful_pointer<provider_state>;

/// Its create buckets now and the create instances waiting for them (provider_admission.cpp).
admission_state admission_of(provider_self self);
/// Fails the creates for `w`'s offering that have not gone out with its error
/// (provider_admission.cpp).
void withdraw(provider_self self, const withdraw_creates& w);

// -- what provider_stats counts for metrics (provider_stats.cpp) ----------------------------

/// Its stats now: the counters, and the buckets, retry budget and queues as they are.
provider_stats stats_of(provider_self self);
/// An attempt of `op` was answered with `err` (none: ok).
void count_answer(provider_state& st, api_op op, const cloud_error& err);
/// A coalesced call's first attempt goes out with `size` instances.
void count_batch(provider_state& st, size_t size);
/// `o` failed for good with `err`: a create's capacity or quota error sends its instances
/// back to the supervisor to be placed elsewhere.
void count_failed(provider_state& st, const outgoing& o, const cloud_error& err);

// -- following pushes (provider_push.cpp) ---------------------------------------------------

/// Follows `cloud_id` for `owner`, whose state `state` was just learned (provider.cpp).
void watch_instance(provider_self self, std::string cloud_id, instance_actor owner,
                    instance_state state);

// -- answers (provider_answers.cpp) ---------------------------------------------------------

/// `o` failed with not_found naming `reply.unknown_ids`: those waiters are answered, the rest
/// go again as a new call.
void resend_known(provider_self self, outgoing& o, const api_reply& reply);
/// Answers the waiters of a change call that `reply` settles (`more`: a continuation follows).
void answer_changes(provider_self self, outgoing& o, api_reply& reply, bool more);
/// Answers what `o` asked with the cloud's `reply`.
void answer(provider_self self, outgoing& o, api_reply& reply);
/// `o` failed for good with `err`: its waiters are told.
void fail(provider_self self, outgoing& o, const cloud_error& err);

/// Queues `o` behind the calls of its class (provider.cpp).
void enqueue_call(provider_self self, outgoing o);
/// Lets out what the buckets allow (provider.cpp).
void pump_calls(provider_self self);

/// Starts following pushes (the first list) if wanted and not started: at the first create
/// or watched instance.
void push_begin(provider_self self);
/// An instance is watched now: push_begin(), and a push that came before it was watched is
/// applied.
void push_on_watch(provider_self self, const std::string& cloud_id);
/// True while a watch is open: polls are counted as saved, not sent.
bool push_live(provider_self self);
/// The relist `o` was answered / failed.
void push_listed(provider_self self, outgoing& o, api_reply& reply);
void push_list_failed(provider_self self);
/// The watch call `o` was admitted: opens the stream.
void push_open(provider_self self, outgoing o);
void on_pushed(provider_self self, pushed& msg);
void on_push_ended(provider_self self, push_ended& msg);
void on_relist_due(provider_self self, uint64_t gen);
/// Problems the cloud reports of watched instances (a capacity error: the instance cannot be
/// placed there; another: its state is not known now) go to their owners.
void report_problems(provider_self self, const std::vector<instance_error>& failed);
/// `ids` but those of `failed`: their state is not known now, so they have not vanished either.
std::vector<std::string> without_problems(std::vector<std::string> ids,
                                          const std::vector<instance_error>& failed);

} // namespace styx::provider_detail
