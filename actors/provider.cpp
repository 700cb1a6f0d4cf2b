#include "actors/provider.hpp"

#include "actors/journal.hpp"

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace styx {

namespace {

/// API classes, each with its own request bucket and queue.
enum class call_class : uint8_t { create, start, stop, terminate, describe };
constexpr size_t call_class_count = 5;

call_class class_of(api_op op) {
  switch (op) {
    case api_op::create: return call_class::create;
    case api_op::start: return call_class::start;
    case api_op::stop: return call_class::stop;
    case api_op::terminate: return call_class::terminate;
    default: return call_class::describe;
  }
}

api_op op_of(change_op op) {
  switch (op) {
    case change_op::stop: return api_op::stop;
    case change_op::start: return api_op::start;
    default: return api_op::terminate;
  }
}

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
  caf::typed_response_promise<catalog> catalog_rp;
  int attempt = 1;
  time_point sent_at{}; // the last attempt's
  time_point ready_at{};
};

/// Instances waiting to be coalesced into one call.
struct pending_batch {
  batch_window window;
  std::vector<waiter> waiters;
  std::vector<create_slot> slots; // creates only
};

struct watch_entry {
  instance_actor owner;
  instance_state last;
  time_point since; // when `last` was learned from a create or change answer
};

struct provider_state {
  static inline const char* name = "styx.provider";

  cloud_api_ptr cloud;
  provider_config cfg;
  std::mt19937_64 rng;
  backoff retry_delay{backoff_policy{}, rng};
  retry_budget budget;
  std::array<token_bucket, call_class_count> request_buckets;
  std::array<token_bucket, call_class_count> resource_buckets; // describe: unlimited

  std::map<launch_spec, pending_batch> creating;            // coalescing creates by spec
  std::array<pending_batch, 3> changing;                     // by change_op
  std::array<std::deque<outgoing>, call_class_count> ready;  // built calls, FIFO per class
  std::vector<outgoing> backing_off;                         // retries waiting for ready_at
  std::unordered_map<uint64_t, outgoing> in_flight;
  uint64_t next_seq = 1;
  uint64_t token_prefix = 0;
  std::optional<time_point> wakeup;                          // earliest scheduled pump

  std::unordered_map<std::string, watch_entry> watched;      // by cloud id
  // The watched ids in a transitional state: what a poll asks about between sweeps. Kept
  // apart so that a poll costs the instances moving, not every live one.
  std::unordered_set<std::string> moving;
  bool poll_scheduled = false;
  time_point next_poll{};   // when the pending poll timer fires; earlier timers are stale
  duration poll_delay{};    // first_poll, doubling per poll up to poll_interval
  bool poll_outstanding = false;
  time_point last_sweep{};

  std::optional<catalog> cached_catalog;
  std::vector<caf::typed_response_promise<catalog>> catalog_waiters;

  provider_stats stats;
};

using provider_self = provider_actor::stateful_pointer<provider_state>;

// -- queueing ---------------------------------------------------------------------------

void schedule_pump(provider_self self, time_point at) {
  auto& st = self->state;
  if (st.wakeup && *st.wakeup <= at)
    return;
  st.wakeup = at;
  auto now = self->clock().now();
  auto delay = at > now ? at - now : duration::zero();
  self->delayed_send(self, delay, pump_atom::value);
}

void enqueue(provider_self self, outgoing o) {
  auto c = class_of(o.call.op);
  self->state.ready[static_cast<size_t>(c)].push_back(std::move(o));
}

std::string next_token(provider_self self) {
  auto& st = self->state;
  return "styx-" + std::to_string(st.token_prefix) + "-" + std::to_string(st.next_seq++);
}

/// Turns a coalesced batch into calls of at most the cloud's batch size.
void flush_batch(provider_self self, api_op op, const launch_spec* spec, pending_batch& batch) {
  auto max = std::max<size_t>(1, self->state.cloud->max_batch(op));
  size_t pos = 0;
  while (pos < batch.waiters.size()) {
    auto n = std::min(max, batch.waiters.size() - pos);
    outgoing o;
    o.call.op = op;
    if (op == api_op::create) {
      o.call.spec = *spec;
      o.call.slots.assign(batch.slots.begin() + pos, batch.slots.begin() + pos + n);
    }
    for (size_t i = pos; i < pos + n; ++i) {
      if (op != api_op::create)
        o.call.cloud_ids.push_back(batch.waiters[i].cloud_id);
      o.waiters.push_back(std::move(batch.waiters[i]));
    }
    enqueue(self, std::move(o));
    pos += n;
  }
  batch.waiters.clear();
  batch.slots.clear();
  batch.window.take(batch.window.size());
}

/// Moves due batches and due retries to the ready queues; returns the next deadline.
std::optional<time_point> collect_due(provider_self self, time_point now) {
  auto& st = self->state;
  std::optional<time_point> next;
  auto consider = [&](time_point t) {
    if (!next || t < *next)
      next = t;
  };
  for (auto i = st.creating.begin(); i != st.creating.end();) {
    if (i->second.window.ready(now)) {
      flush_batch(self, api_op::create, &i->first, i->second);
      i = st.creating.erase(i);
    } else {
      consider(i->second.window.deadline());
      ++i;
    }
  }
  for (size_t k = 0; k < st.changing.size(); ++k) {
    auto& batch = st.changing[k];
    if (batch.window.ready(now))
      flush_batch(self, op_of(static_cast<change_op>(k)), nullptr, batch);
    else if (!batch.window.empty())
      consider(batch.window.deadline());
  }
  for (size_t i = 0; i < st.backing_off.size();) {
    if (st.backing_off[i].ready_at <= now) {
      auto c = class_of(st.backing_off[i].call.op);
      st.ready[static_cast<size_t>(c)].push_front(std::move(st.backing_off[i]));
      st.backing_off.erase(st.backing_off.begin() + static_cast<ptrdiff_t>(i));
    } else {
      consider(st.backing_off[i].ready_at);
      ++i;
    }
  }
  return next;
}

void send_call(provider_self self, outgoing o);

/// Sends what the buckets and the in-flight window allow, and schedules the next wake-up.
void pump(provider_self self) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto next = collect_due(self, now);
  auto consider = [&](time_point t) {
    if (!next || t < *next)
      next = t;
  };
  for (size_t c = 0; c < call_class_count; ++c) {
    auto& queue = st.ready[c];
    auto& req = st.request_buckets[c];
    auto& res = st.resource_buckets[c];
    while (!queue.empty() && st.in_flight.size() < st.cfg.max_in_flight) {
      auto& head = queue.front();
      auto n = static_cast<double>(std::max<size_t>(1, head.call.size()));
      bool carries = head.call.size() > 0 && c != static_cast<size_t>(call_class::describe);
      // How many instances the resource bucket allows now; a batch may be split to that, but
      // only into parts worth a call: at least a second's refill (or the whole rest), so that
      // a drained bucket does not turn a batch into one call per instance.
      // A retry is never split: its client token must cover exactly what it covered before.
      double allowed = carries ? std::min(n, std::floor(res.available(now))) : n;
      double worth = n;
      if (carries && head.attempt == 1)
        worth = std::min(n, std::max(1.0, std::floor(res.config().refill_per_sec)));
      if (allowed < worth)
        allowed = 0;
      if (req.available(now) < 1 || allowed < 1) {
        auto need = worth;
        auto wait = std::max(req.time_until(1, now),
                             carries ? res.time_until(need, now) : duration::zero());
        if (wait != duration::max())
          consider(now + wait);
        break;
      }
      req.try_consume(1, now);
      if (carries)
        res.try_consume(allowed, now);
      if (allowed < n) {
        // Split: the first `allowed` instances go now, the rest stay at the head.
        auto k = static_cast<size_t>(allowed);
        outgoing part;
        part.call.op = head.call.op;
        part.call.spec = head.call.spec;
        part.attempt = head.attempt;
        if (head.call.op == api_op::create) {
          part.call.slots.assign(head.call.slots.begin(), head.call.slots.begin() + k);
          head.call.slots.erase(head.call.slots.begin(), head.call.slots.begin() + k);
          head.call.client_token.clear();
        } else {
          part.call.cloud_ids.assign(head.call.cloud_ids.begin(),
                                     head.call.cloud_ids.begin() + k);
          head.call.cloud_ids.erase(head.call.cloud_ids.begin(),
                                    head.call.cloud_ids.begin() + k);
        }
        part.waiters.assign(std::make_move_iterator(head.waiters.begin()),
                            std::make_move_iterator(head.waiters.begin() + k));
        head.waiters.erase(head.waiters.begin(), head.waiters.begin() + k);
        send_call(self, std::move(part));
      } else {
        auto o = std::move(head);
        queue.pop_front();
        send_call(self, std::move(o));
      }
    }
  }
  if (next)
    schedule_pump(self, *next);
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
      caf::anon_send(caf::actor_cast<provider_actor>(strong), done_atom::value, seq,
                     std::move(reply));
  });
}

void send_call(provider_self self, outgoing o) {
  auto& st = self->state;
  auto seq = st.next_seq++;
  // A first attempt of a create gets its token, and with a journal its intent is made
  // durable before the call goes out. Retries keep the token: the cloud creates once.
  bool new_create = o.call.op == api_op::create && o.call.client_token.empty();
  if (new_create)
    o.call.client_token = next_token(self);
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
      caf::anon_send(caf::actor_cast<provider_actor>(strong), intent_atom::value, seq,
                     std::move(error));
  });
}

// -- polling ----------------------------------------------------------------------------

/// Schedules the next poll: soon after an instance started moving (first_poll, doubling per
/// poll up to poll_interval), else at poll_interval. A poll wanted sooner than the pending one
/// gets its own timer; the later timer then finds itself stale (poll() checks next_poll).
void schedule_poll(provider_self self) {
  auto& st = self->state;
  if (st.watched.empty())
    return;
  auto delay = st.moving.empty() ? st.cfg.poll_interval
                                 : std::min(st.poll_delay, st.cfg.poll_interval);
  auto at = self->clock().now() + delay;
  if (st.poll_scheduled && st.next_poll <= at)
    return;
  st.poll_scheduled = true;
  st.next_poll = at;
  self->delayed_send(self, delay, poll_atom::value);
}

/// Records the last state of a watched instance; a final one is no longer watched. The first
/// instance to move after all had settled brings the next poll forward.
void note_state(provider_state& st, const std::string& cloud_id, instance_state state) {
  if (is_transitional(state)) {
    if (st.moving.empty()) // the first to move since all were settled
      st.poll_delay = st.cfg.first_poll;
    st.moving.insert(cloud_id);
  } else {
    st.moving.erase(cloud_id);
  }
  if (is_final(state))
    st.watched.erase(cloud_id);
}

void watch(provider_self self, const std::string& cloud_id, instance_actor owner,
           instance_state state) {
  auto& st = self->state;
  if (!is_final(state))
    st.watched[cloud_id] = watch_entry{std::move(owner), state, self->clock().now()};
  note_state(st, cloud_id, state);
  st.stats.watched = static_cast<int64_t>(st.watched.size());
  schedule_poll(self);
}

void poll(provider_self self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (!st.poll_scheduled || now < st.next_poll)
    return; // a timer overtaken by an earlier one
  st.poll_scheduled = false;
  if (st.poll_outstanding) { // the last poll is still queued or on the wire
    schedule_poll(self);
    return;
  }
  st.poll_delay = std::min(st.poll_delay * 2, st.cfg.poll_interval);
  bool sweep = now - st.last_sweep >= st.cfg.sweep_interval;
  if (sweep)
    st.last_sweep = now;
  std::vector<std::string> ids;
  if (sweep)
    for (auto& [id, entry] : st.watched)
      ids.push_back(id);
  else
    ids.assign(st.moving.begin(), st.moving.end());
  auto max = std::max<size_t>(1, st.cloud->max_batch(api_op::describe));
  for (size_t pos = 0; pos < ids.size(); pos += max) {
    outgoing o;
    o.call.op = api_op::describe;
    auto end = std::min(ids.size(), pos + max);
    o.call.cloud_ids.assign(ids.begin() + pos, ids.begin() + end);
    enqueue(self, std::move(o));
    st.poll_outstanding = true;
  }
  schedule_poll(self);
  pump(self);
}

void on_described(provider_self self, const outgoing& o, api_reply& reply) {
  const auto& call = o.call;
  auto& st = self->state;
  std::unordered_set<std::string> seen;
  for (auto& inst : reply.instances) {
    seen.insert(inst.cloud_id);
    auto i = st.watched.find(inst.cloud_id);
    if (i == st.watched.end() || i->second.last == inst.state)
      continue;
    // A describe sent before a change was answered shows the state before it: stale. Taken
    // as the truth, it would put a terminating instance back to running, out of the polls.
    if (o.sent_at < i->second.since)
      continue;
    i->second.last = inst.state;
    self->send(i->second.owner, instance_update{inst, {}});
    note_state(st, inst.cloud_id, inst.state);
  }
  // Asked for but not answered: the cloud no longer knows the instance.
  for (auto& id : call.cloud_ids) {
    if (seen.count(id) > 0)
      continue;
    auto i = st.watched.find(id);
    if (i == st.watched.end() || o.sent_at < i->second.since)
      continue;
    cloud_instance gone;
    gone.cloud_id = id;
    gone.state = instance_state::terminated;
    gone.state_reason = "vanished";
    self->send(i->second.owner, instance_update{gone, {}});
    note_state(st, id, gone.state);
  }
  st.stats.watched = static_cast<int64_t>(st.watched.size());
}

// -- answers ----------------------------------------------------------------------------

void answer(provider_self self, outgoing& o, api_reply& reply) {
  auto& st = self->state;
  switch (o.call.op) {
    case api_op::create: {
      std::unordered_map<instance_id, cloud_instance*, uuid_hash> by_owner;
      for (auto& inst : reply.instances)
        by_owner.emplace(inst.owner_instance(), &inst);
      for (size_t i = 0; i < o.waiters.size(); ++i) {
        auto& w = o.waiters[i];
        auto found = by_owner.find(w.id);
        cloud_instance* inst = found != by_owner.end() ? found->second
                               : i < reply.instances.size() ? &reply.instances[i]
                                                            : nullptr;
        if (inst == nullptr) {
          w.rp.deliver(instance_update{{}, make_cloud_error(error_kind::fatal, "MissingInstance",
                                                            "create answer lacks the instance")});
          continue;
        }
        ++st.stats.instances_created;
        watch(self, inst->cloud_id, caf::actor_cast<instance_actor>(w.owner), inst->state);
        w.rp.deliver(instance_update{*inst, {}});
      }
      break;
    }
    case api_op::stop:
    case api_op::start:
    case api_op::terminate: {
      std::unordered_map<std::string, cloud_instance*> by_id;
      for (auto& inst : reply.instances)
        by_id.emplace(inst.cloud_id, &inst);
      for (auto& w : o.waiters) {
        auto found = by_id.find(w.cloud_id);
        if (found == by_id.end()) {
          w.rp.deliver(instance_update{{}, make_cloud_error(error_kind::not_found,
                                                            "InvalidInstanceID.NotFound",
                                                            w.cloud_id + " is unknown")});
          continue;
        }
        watch(self, w.cloud_id, caf::actor_cast<instance_actor>(w.owner), found->second->state);
        w.rp.deliver(instance_update{*found->second, {}});
      }
      break;
    }
    case api_op::describe:
      st.poll_outstanding = false;
      on_described(self, o, reply);
      break;
    case api_op::list:
      o.list_rp.deliver(std::move(reply.instances));
      break;
    case api_op::catalog:
      st.cached_catalog = reply.offerings;
      for (auto& rp : st.catalog_waiters)
        rp.deliver(reply.offerings);
      st.catalog_waiters.clear();
      break;
  }
}

void fail(provider_self self, outgoing& o, const cloud_error& err) {
  auto& st = self->state;
  ++st.stats.failed_calls;
  for (auto& w : o.waiters)
    w.rp.deliver(instance_update{{}, err});
  switch (o.call.op) {
    case api_op::describe:
      st.poll_outstanding = false; // the next poll asks again
      break;
    case api_op::list:
      o.list_rp.deliver(caf::make_error(caf::sec::runtime_error, err.to_string()));
      break;
    case api_op::catalog:
      for (auto& rp : st.catalog_waiters)
        rp.deliver(caf::make_error(caf::sec::runtime_error, err.to_string()));
      st.catalog_waiters.clear();
      break;
    default:
      break;
  }
}

void on_done(provider_self self, uint64_t seq, api_reply& reply) {
  auto& st = self->state;
  auto i = st.in_flight.find(seq);
  if (i == st.in_flight.end())
    return;
  auto o = std::move(i->second);
  st.in_flight.erase(i);
  auto now = self->clock().now();
  if (!reply.error) {
    st.budget.on_success(o.attempt > 1);
    if (o.call.op == api_op::create && st.cfg.journal)
      st.cfg.journal->record_outcome(o.call.client_token, reply.instances, {});
    answer(self, o, reply);
  } else {
    auto& err = reply.error;
    if (err.kind == error_kind::throttled) {
      ++st.stats.throttled;
      // The cloud says we are too fast: empty our bucket so the next calls wait for refill.
      st.request_buckets[static_cast<size_t>(class_of(o.call.op))].drain(now);
    }
    // Throttling is paced by the drained request bucket (every attempt needs a token), so it
    // has its own attempt limit and does not spend the retry budget; other retries do.
    bool throttled = err.kind == error_kind::throttled;
    int max_attempts = throttled ? st.cfg.throttle_attempts : st.cfg.retry.max_attempts;
    if (is_retryable(err.kind) && o.attempt < max_attempts) {
      if (throttled
          || st.budget.try_acquire(err.kind == error_kind::transient && err.code == "Timeout")) {
        ++st.stats.retries;
        auto delay = st.retry_delay.delay(o.attempt, milliseconds(err.retry_after_ms));
        ++o.attempt;
        o.ready_at = now + delay;
        st.backing_off.push_back(std::move(o));
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

provider_actor::behavior_type provider_behavior(provider_self self, cloud_api_ptr cloud,
                                                provider_config cfg) {
  auto& st = self->state;
  st.cloud = std::move(cloud);
  st.cfg = cfg;
  st.rng.seed(cfg.seed != 0 ? cfg.seed : std::random_device{}());
  st.retry_delay = backoff{cfg.retry, st.rng};
  st.budget = retry_budget{cfg.budget};
  st.token_prefix = st.rng();
  auto now = self->clock().now();
  auto& l = cfg.limits;
  auto set = [&](call_class c, bucket_config req, bucket_config res) {
    st.request_buckets[static_cast<size_t>(c)] = token_bucket{req, now};
    st.resource_buckets[static_cast<size_t>(c)] = token_bucket{res, now};
  };
  set(call_class::create, l.create, l.create_instances);
  set(call_class::start, l.start, l.start_instances);
  set(call_class::stop, l.mutate, l.stop_instances);
  set(call_class::terminate, l.terminate, l.terminate_instances);
  set(call_class::describe, l.describe, bucket_config{});
  for (auto& batch : st.changing)
    batch.window = batch_window{cfg.change_window};
  st.stats.provider = st.cloud->id();
  st.last_sweep = now;
  return {
    [=](create_instance& msg) -> caf::typed_response_promise<instance_update> {
      auto& st = self->state;
      auto owner = self->current_sender(); // before the promise takes it over
      auto rp = self->make_response_promise<instance_update>();
      auto now = self->clock().now();
      auto [it, added] = st.creating.try_emplace(msg.spec);
      auto& batch = it->second;
      if (added)
        batch.window = batch_window{st.cfg.create_window};
      batch.slots.push_back(create_slot{msg.id, msg.request, std::move(msg.name)});
      batch.waiters.push_back(waiter{msg.id, {}, std::move(owner), rp});
      batch.window.add(now);
      if (batch.window.full()) {
        flush_batch(self, api_op::create, &it->first, batch);
        st.creating.erase(it);
        pump(self);
      } else {
        schedule_pump(self, batch.window.deadline());
      }
      return rp;
    },
    [=](change_instance& msg) -> caf::typed_response_promise<instance_update> {
      auto& st = self->state;
      auto owner = self->current_sender(); // before the promise takes it over
      auto rp = self->make_response_promise<instance_update>();
      auto now = self->clock().now();
      auto& batch = st.changing[static_cast<size_t>(msg.op)];
      batch.waiters.push_back(waiter{msg.id, msg.cloud_id, std::move(owner), rp});
      batch.window.add(now);
      if (batch.window.full()) {
        flush_batch(self, op_of(msg.op), nullptr, batch);
        pump(self);
      } else {
        schedule_pump(self, batch.window.deadline());
      }
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
      st.catalog_waiters.push_back(rp);
      if (st.catalog_waiters.size() == 1) {
        outgoing o;
        o.call.op = api_op::catalog;
        enqueue(self, std::move(o));
        pump(self);
      }
      return rp;
    },
    [=](stats_atom) { return self->state.stats; },
    [=](done_atom, uint64_t seq, api_reply& reply) { on_done(self, seq, reply); },
    [=](intent_atom, uint64_t seq, std::string& error) {
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
    },
    [=](pump_atom) {
      auto& st = self->state;
      if (st.wakeup && *st.wakeup <= self->clock().now())
        st.wakeup.reset();
      pump(self);
    },
    [=](poll_atom) { poll(self); },
  };
}

} // namespace

provider_actor spawn_provider(caf::actor_system& sys, cloud_api_ptr cloud, provider_config cfg) {
  return sys.spawn(provider_behavior, std::move(cloud), std::move(cfg));
}

} // namespace styx
