#include "actors/provider.hpp"

// The provider actor's rooms: coalescing is common/batcher.hpp's, the buckets and queues are
// actors/call_queue.hpp's, polling decisions are actors/poller.hpp's, its state and the
// messages it sends itself are actors/provider_internal.hpp's. This file wires them to the
// actor: the in-flight window (pump, send_call), the answers of the cloud (answer, fail) and
// the retries (on_done).

#include "actors/journal.hpp"
#include "actors/provider_internal.hpp"

#include <unordered_map>
#include <unordered_set>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

namespace styx {
namespace {

using namespace provider_detail;

// -- queueing ---------------------------------------------------------------------------

void schedule_pump(provider_self self, time_point at) {
  auto& st = self->state;
  if (st.wakeup && *st.wakeup <= at)
    return;
  st.wakeup = at;
  auto now = self->clock().now();
  auto delay = at > now ? at - now : duration::zero();
  self->delayed_send(self, delay, pump_due{});
}

void enqueue(provider_self self, outgoing o) {
  self->state.queue.push(std::move(o));
}

/// Queues the calls of coalesced batches (creates or changes).
template <class Call>
void enqueue(provider_self self, std::vector<Call> calls) {
  for (auto& c : calls)
    enqueue(self, make_call(std::move(c)));
}

void pump(provider_self self);

std::string next_token(provider_self self) {
  auto& st = self->state;
  return "styx-" + std::to_string(st.token_prefix) + "-" + std::to_string(st.next_seq++);
}

void send_call(provider_self self, outgoing o);

} // namespace

namespace provider_detail {

void enqueue_call(provider_self self, outgoing o) {
  enqueue(self, std::move(o));
}

void pump_calls(provider_self self) {
  pump(self);
}

} // namespace provider_detail

namespace {

/// Queues the due batches and retries, then sends what the buckets and the in-flight window
/// allow, and schedules the next wake-up.
void pump(provider_self self) {
  auto& st = self->state;
  auto now = self->clock().now();
  enqueue(self, st.creates.take_due(now));
  enqueue(self, st.changes.take_due(now));
  std::optional<time_point> next;
  keep_earliest(next, st.creates.next_deadline());
  keep_earliest(next, st.changes.next_deadline());
  keep_earliest(next, st.queue.release_retries(now));
  keep_earliest(next, st.queue.release(
                        now, [&] { return st.in_flight.size() < st.cfg.max_in_flight; },
                        [&](outgoing o) { send_call(self, std::move(o)); }));
  if (next)
    schedule_pump(self, *next);
}

/// Adds one request to its batch: a full batch goes to the queues at once, else the pump
/// comes back for it at the batch's deadline.
template <class Key, class Item>
void add_to_batch(provider_self self, batcher<Key, Item>& b, const Key& key, Item item) {
  if (b.add(key, std::move(item), self->clock().now())) {
    enqueue(self, b.take(key));
    pump(self);
  } else {
    schedule_pump(self, *b.deadline(key));
  }
}

/// Puts the call with number `seq` on the wire.
void start_on_cloud(provider_self self, uint64_t seq) {
  auto& st = self->state;
  auto i = st.in_flight.find(seq);
  if (i == st.in_flight.end())
    return;
  ++st.stats.api_calls;
  i->second.sent_at = self->clock().now();
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  st.cloud->start(i->second.call, [weak, seq](api_reply reply) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<provider_impl>(strong), call_done{seq, std::move(reply)});
  });
}

void send_call(provider_self self, outgoing o) {
  auto& st = self->state;
  auto seq = st.next_seq++;
  // A first attempt of a create or change gets its token (a cloud makes it idempotent: EC2's
  // ClientToken of a create, GCP's requestId of every mutation), and with a journal a create's
  // intent is made durable before the call goes out. Retries and continuations keep the
  // token: the cloud acts once.
  if (o.call.op == api_op::watch) { // a stream, not a call on the wire: provider_push.cpp
    push_open(self, std::move(o));
    return;
  }
  bool mutation = o.call.op != api_op::describe && o.call.op != api_op::list
                  && o.call.op != api_op::catalog;
  bool fresh = mutation && !o.call.continues() && o.call.client_token.empty();
  if (fresh) {
    o.call.client_token = next_token(self);
    count_batch(st, o.call.size());
  }
  bool new_create = fresh && o.call.op == api_op::create;
  std::optional<create_intent> intent;
  if (new_create && st.cfg.journal)
    intent = create_intent{o.call.client_token, st.cloud->id(), o.call.spec, o.call.slots};
  st.in_flight.emplace(seq, std::move(o));
  st.stats.max_in_flight = std::max<uint64_t>(st.stats.max_in_flight, st.in_flight.size());
  if (!intent) {
    start_on_cloud(self, seq);
    return;
  }
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  st.cfg.journal->record_intent(std::move(*intent), [weak, seq](std::string error) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<provider_impl>(strong),
                     intent_recorded{seq, std::move(error)});
  });
}

// -- polling (the decisions are the poller's) -------------------------------------------

void set_poll_timer(provider_self self, std::optional<duration> delay) {
  if (delay)
    self->delayed_send(self, *delay, poll_due{});
}

void watch(provider_self self, std::string cloud_id, instance_actor owner,
           instance_state state) {
  auto& st = self->state;
  set_poll_timer(self, st.polls.watch(cloud_id, std::move(owner), state, self->clock().now()));
  st.stats.watched = static_cast<int64_t>(st.polls.watched());
  push_on_watch(self, cloud_id);
}

} // namespace

namespace provider_detail {

void watch_instance(provider_self self, std::string cloud_id, instance_actor owner,
                    instance_state state) {
  watch(self, std::move(cloud_id), std::move(owner), state);
}

} // namespace provider_detail

namespace {

void poll(provider_self self) {
  auto& st = self->state;
  auto round = st.polls.on_timer(self->clock().now(), st.cloud->max_batch(api_op::describe));
  if (push_live(self)) { // the watch tells: what this poll would have asked is saved
    st.stats.polls_saved += round.describe.size();
    for (size_t i = 0; i < round.describe.size(); ++i)
      st.polls.on_describe_failed();
    set_poll_timer(self, round.timer);
    return;
  }
  for (auto& ids : round.describe) {
    outgoing o;
    o.call.op = api_op::describe;
    o.call.cloud_ids = std::move(ids);
    enqueue(self, std::move(o));
  }
  set_poll_timer(self, round.timer);
  if (round.polled)
    pump(self);
}

// -- answers: actors/provider_answers.cpp ----------------------------------------------

/// The cloud accepted `o` but its work is still under way (reply.operations): what the reply
/// settles is answered now, and the rest of the call goes again after first_poll (doubling
/// per ask, up to poll_interval) as a continuation: an admitted call of the describe class.
void ask_again(provider_self self, outgoing o, api_reply& reply, time_point now) {
  auto& st = self->state;
  st.budget.on_success(o.attempt > 1);
  if (o.call.op == api_op::stop || o.call.op == api_op::start
      || o.call.op == api_op::terminate) {
    answer_changes(self, o, reply, true);
    if (o.waiters.empty())
      return;
  }
  o.call.operations = std::move(reply.operations);
  o.attempt = 1;
  auto delay = st.cfg.first_poll * (int64_t{1} << std::min(o.asked_again, 16));
  delay = std::min<duration>(delay, std::max(st.cfg.poll_interval, st.cfg.first_poll));
  ++o.asked_again;
  o.ready_at = now + delay;
  st.queue.retry_later(std::move(o));
  schedule_pump(self, now + delay);
}

void on_done(provider_self self, uint64_t seq, api_reply& reply) {
  auto& st = self->state;
  auto i = st.in_flight.find(seq);
  if (i == st.in_flight.end())
    return;
  auto o = std::move(i->second);
  st.in_flight.erase(i);
  count_answer(st, o.call.op, reply.error);
  auto now = self->clock().now();
  if (reply.requests > 1) // follow-up pages: admitted after the fact, counted all the same
    st.queue.charge(class_of(o.call), reply.requests - 1, now);
  if (reply.remaining >= 0 && st.queue.remaining(class_of(o.call), reply.remaining, now))
    ++st.stats.slowed_by_cloud; // the cloud's own count of what is left is lower than ours
  if (reply.error.kind == error_kind::not_found && !reply.unknown_ids.empty()) {
    resend_known(self, o, reply);
    pump(self);
    return;
  }
  if (!reply.error && !reply.operations.empty()) {
    ask_again(self, std::move(o), reply, now);
    pump(self);
    return;
  }
  if (!reply.error) {
    st.budget.on_success(o.attempt > 1);
    if (o.call.op == api_op::create && st.cfg.journal)
      st.cfg.journal->record_outcome(o.call.client_token, reply.instances, {});
    answer(self, o, reply);
  } else {
    auto& err = reply.error;
    if (err.kind == error_kind::throttled) {
      ++st.stats.throttled;
      st.create_throttles += o.call.op == api_op::create ? 1 : 0;
      // The cloud says we are too fast: empty our bucket so the next calls wait for refill.
      st.queue.throttled(class_of(o.call), now);
    }
    // Throttling is paced by the drained request bucket (every attempt needs a token), so it
    // has its own attempt limit and does not spend the retry budget; other retries do.
    bool throttled = err.kind == error_kind::throttled;
    o.throttled += throttled ? 1 : 0;
    bool may = throttled ? o.attempt < st.cfg.throttle_attempts
                         : o.attempt - o.throttled < st.cfg.retry.max_attempts;
    if (is_retryable(err.kind) && may) {
      if (throttled
          || st.budget.try_acquire(err.kind == error_kind::timeout)) {
        ++st.stats.retries;
        auto delay = st.retry_delay.delay(o.attempt, milliseconds(err.retry_after_ms));
        ++o.attempt;
        o.ready_at = now + delay;
        st.queue.retry_later(std::move(o));
        schedule_pump(self, now + delay);
        pump(self);
        return;
      }
      ++st.stats.budget_exhausted;
    }
    if (o.call.op == api_op::create && st.cfg.journal)
      st.cfg.journal->record_outcome(o.call.client_token, {}, err);
    fail(self, o, err);
  }
  pump(self);
}

void on_intent_recorded(provider_self self, uint64_t seq, const std::string& error) {
  auto& st = self->state;
  if (error.empty()) {
    start_on_cloud(self, seq);
    return;
  }
  auto i = st.in_flight.find(seq);
  if (i == st.in_flight.end())
    return;
  auto o = std::move(i->second);
  st.in_flight.erase(i);
  fail(self, o, make_cloud_error(error_kind::fatal, "JournalUnavailable",
                                 "could not record the create intent: " + error));
  pump(self);
}

// -- the actor --------------------------------------------------------------------------

void init(provider_self self, cloud_api_ptr cloud, provider_config cfg) {
  auto& st = self->state;
  st.cloud = std::move(cloud);
  st.cfg = std::move(cfg);
  st.rng.seed(st.cfg.seed != 0 ? st.cfg.seed : std::random_device{}());
  st.retry_delay = backoff{st.cfg.retry, st.rng};
  st.budget = retry_budget{st.cfg.budget};
  // Client tokens are identities the cloud remembers (EC2's and GCP's requestIds for hours):
  // they never repeat across processes, whatever the seed.
  std::random_device os;
  st.token_prefix = st.rng() ^ (uint64_t{os()} << 32 | os());
  auto now = self->clock().now();
  st.queue = call_queue{st.cfg.limits, now, st.cfg.one_mutation_bucket,
                        st.cfg.one_request_bucket};
  const cloud_api* api = st.cloud.get(); // declared before the batchers: outlives them
  st.creates = create_batcher{st.cfg.create_window, [api](const launch_spec&) {
                                return api->max_batch(api_op::create);
                              }};
  st.changes = change_batcher{st.cfg.change_window,
                              [api](change_op op) { return api->max_batch(op_of(op)); }};
  st.polls = poller<instance_actor>{
    poll_policy{st.cfg.first_poll, st.cfg.poll_interval, st.cfg.sweep_interval}, now};
  st.stats.provider = st.cloud->id();
  st.push.wanted = st.cfg.follow_pushes && st.cloud->pushes();
}

provider_impl::behavior_type provider_behavior(provider_self self, cloud_api_ptr cloud,
                                               provider_config cfg) {
  init(self, std::move(cloud), std::move(cfg));
  return {
    [=](create_instance& msg) -> caf::typed_response_promise<instance_update> {
      auto owner = self->current_sender(); // before the promise takes it over
      auto rp = self->make_response_promise<instance_update>();
      ++self->state.creates_received;
      push_begin(self); // the watch is open before the first pod moves
      create_item item{waiter{msg.id, {}, std::move(owner), rp},
                       create_slot{msg.id, msg.request, std::move(msg.name)}};
      add_to_batch(self, self->state.creates, msg.spec, std::move(item));
      return rp;
    },
    [=](change_instance& msg) -> caf::typed_response_promise<instance_update> {
      auto owner = self->current_sender(); // before the promise takes it over
      auto rp = self->make_response_promise<instance_update>();
      add_to_batch(self, self->state.changes, msg.op,
                   waiter{msg.id, msg.cloud_id, std::move(owner), rp});
      return rp;
    },
    [=](watch_atom, const std::string& cloud_id, instance_state state) {
      watch(self, cloud_id, caf::actor_cast<instance_actor>(self->current_sender()), state);
    },
    [=](list_instances& msg) -> caf::typed_response_promise<std::vector<cloud_instance>> {
      outgoing o;
      o.call.op = api_op::list;
      o.call.filter = std::move(msg.filter);
      o.list_rp = self->make_response_promise<std::vector<cloud_instance>>();
      auto rp = o.list_rp;
      enqueue(self, std::move(o));
      pump(self);
      return rp;
    },
    [=](catalog_atom) -> caf::typed_response_promise<catalog> {
      auto& st = self->state;
      auto rp = self->make_response_promise<catalog>();
      if (st.cached_catalog) {
        rp.deliver(*st.cached_catalog);
        return rp;
      }
      if (!st.cfg.fetch_catalog) {
        rp.deliver(caf::make_error(caf::sec::runtime_error,
                                   "not fetched: this engine places no instances"));
        return rp;
      }
      st.catalog_waiters.push_back(rp);
      if (st.catalog_waiters.size() == 1) {
        outgoing o;
        o.call.op = api_op::catalog;
        enqueue(self, std::move(o));
        pump(self);
      }
      return rp;
    },
    [=](stats_atom) { return stats_of(self); },
    [=](admission_atom) { return admission_of(self); },
    [=](const withdraw_creates& w) { withdraw(self, w); },
    // Local-only (actors/provider_internal.hpp): the provider's own continuations.
    [=](call_done& msg) { on_done(self, msg.seq, msg.reply); },
    [=](intent_recorded& msg) { on_intent_recorded(self, msg.seq, msg.error); },
    [=](pump_due) {
      auto& st = self->state;
      if (st.wakeup && *st.wakeup <= self->clock().now())
        st.wakeup.reset();
      pump(self);
    },
    [=](poll_due) { poll(self); },
    [=](pushed& msg) { on_pushed(self, msg); },
    [=](push_ended& msg) { on_push_ended(self, msg); },
    [=](relist_due& msg) { on_relist_due(self, msg.gen); },
  };
}

} // namespace

provider_actor spawn_provider(caf::actor_system& sys, cloud_api_ptr cloud, provider_config cfg) {
  // The extended handle stays here: only the provider's own callbacks and timers need it.
  return caf::actor_cast<provider_actor>(
    sys.spawn(provider_behavior, std::move(cloud), std::move(cfg)));
}

} // namespace styx
