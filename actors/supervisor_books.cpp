#include "actors/supervisor_internal.hpp"

// The supervisor's books: what a transition of an instance (an event of the instance actor,
// or one the supervisor infers) does to its record, its request's counts and failures, the
// replacements, its provider's load and the subscribers; a request's end; a placement that
// failed. The actor's handlers are actors/supervisor.cpp's.

#include <caf/send.hpp>

namespace styx::supervisor_detail {

void flush_events(supervisor_self self) {
  auto& st = self->state;
  if (st.outbox.empty())
    return;
  instance_events batch;
  batch.events.swap(st.outbox);
  st.outbox.reserve(batch.events.size());
  for (size_t i = 0; i + 1 < st.batched.size(); ++i)
    caf::anon_send(st.batched[i], batch);
  if (!st.batched.empty())
    caf::anon_send(st.batched.back(), std::move(batch));
}

void publish_change(supervisor_self self, const instance_record& rec, instance_state from) {
  auto& st = self->state;
  if (!st.subscribers.empty()) {
    instance_state_changed ev{rec, from};
    for (size_t i = 0; i + 1 < st.subscribers.size(); ++i)
      caf::anon_send(st.subscribers[i], ev);
    caf::anon_send(st.subscribers.back(), std::move(ev));
  }
  if (st.batched.empty())
    return;
  st.outbox.push_back(instance_state_changed{rec, from});
  // The flush lands behind everything queued now: one batch per burst of messages.
  constexpr size_t max_batch = 4096;
  if (st.outbox.size() >= max_batch) {
    flush_events(self);
  } else if (!st.flush_due) {
    st.flush_due = true;
    self->send(self, flush_atom::value);
  }
}

request_progress progress_of(const request_entry& e) {
  using s = instance_state;
  auto at = [&](s x) { return e.states[static_cast<int>(x)]; };
  request_progress p;
  p.request = e.req.id();
  p.count = e.req.count();
  p.requested = at(s::requested);
  p.pending = at(s::pending);
  p.running = at(s::running);
  p.failed = static_cast<int>(e.failures.size());
  return p;
}

void finish(supervisor_self self, request_entry& entry, std::string error) {
  auto& st = self->state;
  entry.done = true;
  auto p = progress_of(entry);
  request_done d;
  d.request = entry.req.id();
  d.count = entry.req.count();
  d.running = p.running;
  d.failed = p.failed;
  d.failures = entry.failures;
  d.error = std::move(error);
  d.ok = d.error.empty() && d.running >= entry.req.required();
  if (!d.ok && d.error.empty()) {
    // min_count missed: roll back everything this request still has.
    d.rolled_back = true;
    entry.cancelled = true;
    for (auto& id : entry.instances) {
      auto i = st.instances.find(id);
      if (i != st.instances.end() && i->second.handle)
        caf::anon_send(i->second.handle, change_op::terminate); // see change_selected
    }
  }
  publish(self, p);
  publish(self, d);
}

void maybe_finish(supervisor_self self, request_entry& entry) {
  if (entry.done)
    return;
  using s = instance_state;
  auto& st = entry.states;
  int unsettled = 0;
  for (auto x : {s::requested, s::pending, s::starting, s::stopping, s::terminating})
    unsettled += st[static_cast<int>(x)];
  if (unsettled == 0)
    finish(self, entry);
}

int64_t wall_now(const supervisor_state& st) {
  return st.cfg.instance.wall ? st.cfg.instance.wall->wall_ms() : system_clock{}.wall_ms();
}

/// The books after `t`'s record moved from `from` (t.rec is the record after the move):
/// subscribers, request counts, failures, replacements, load.
void books_after(supervisor_self self, tracked& t, instance_state from, bool replace) {
  auto& st = self->state;
  const auto& rec = t.rec; // a node of st.instances: stays put when spawn_one inserts
  auto to = rec.state;
  // Subscribers see the transition before the request_done it may cause.
  publish_change(self, rec, from);
  auto r = st.requests.find(rec.request);
  if (from != to && r != st.requests.end()) {
    auto& entry = r->second;
    --entry.states[static_cast<int>(from)];
    ++entry.states[static_cast<int>(to)];
    entry.dirty = true;
    // A final state with a reason the user did not ask for is a failure of the request, but
    // not one the engine chose because the request did not need it (is_cleanup).
    bool lost = to == instance_state::failed
                || (to == instance_state::terminated && rec.reason != state_reason::none
                    && !is_cleanup(rec.reason));
    // A preempted spot instance, or one lost in flight with its provider, is replaced
    // rather than counted as a failure of the request, within the replacement budget.
    replace = replace || (rec.reason == state_reason::preempted && from == instance_state::running);
    // A cloud that took it but had no capacity for it (an Unschedulable pod): that offering
    // is blocklisted like a create's capacity error, and the instance is placed elsewhere.
    if (rec.reason == state_reason::no_capacity) {
      replace = true;
      st.blocked.block(offering_key{rec.provider, rec.zone, rec.instance_type, rec.market},
                       self->clock().now());
    }
    if (lost && !entry.cancelled) {
      if (replace && entry.replacements < entry.req.count() * st.cfg.replacement_factor) {
        ++entry.replacements;
        auto& fresh = spawn_one(self, entry, rec.name);
        place(self, entry, fresh);
      } else if (!entry.done) {
        entry.failures.push_back(instance_failure{
          rec.id, rec.provider.to_string() + " " + rec.zone + " " + rec.instance_type,
          rec.last_error});
      }
    }
    maybe_finish(self, entry);
    schedule_tick(self);
  }
  if (is_final(to)) {
    t.handle = nullptr;
    if (auto p = find_provider(st, rec.provider); p != nullptr && t.counted) {
      --p->load;
      t.counted = false;
    }
  }
}

void on_changed(supervisor_self self, instance_state_changed& ev, bool replace) {
  auto& st = self->state;
  auto i = st.instances.find(ev.record.id);
  if (i == st.instances.end())
    return;
  auto& t = i->second;
  auto from = t.rec.state;
  // The table decides here too: an event that does not follow from the record is stale (sent
  // by an instance actor this supervisor has since replaced, e.g. after its provider was lost).
  if (!may_follow(from, t.rec.reason, ev.record.state, ev.record.reason))
    return;
  t.rec = std::move(ev.record);
  books_after(self, t, from, replace);
}

/// One step of a delta applied to the record `t` keeps; false when the table refuses it.
bool apply_step(tracked& t, instance_state to, state_reason why, unix_ms since,
                std::string detail) {
  auto& rec = t.rec;
  if (!may_follow(rec.state, rec.reason, to, why))
    return false;
  if (rec.state != to) {
    rec.state = to;
    rec.reason = why;
    rec.since = since;
  }
  rec.last_error = std::move(detail);
  return true;
}

void on_delta(supervisor_self self, instance_delta& d) {
  auto& st = self->state;
  auto i = st.instances.find(d.id);
  if (i == st.instances.end())
    return;
  auto& t = i->second;
  // Each step is checked against the table as on_changed checks a whole event.
  if (!d.cloud_id.empty()) {
    t.rec.cloud_id = std::move(d.cloud_id);
    t.rec.zone = std::move(d.zone);
    t.rec.instance_type = std::move(d.instance_type);
    t.rec.market = d.market;
  }
  if (d.via != d.from && t.rec.state != d.via) {
    auto from = t.rec.state;
    if (!apply_step(t, d.via, state_reason::none, d.since, {}))
      return;
    books_after(self, t, from, false);
    if (is_final(d.via))
      return;
  }
  auto from = t.rec.state;
  if (!apply_step(t, d.state, d.reason, d.since, std::move(d.detail)))
    return;
  books_after(self, t, from, false);
}

void on_placement_failed(supervisor_self self, placement_failed& pf) {
  auto& st = self->state;
  auto now = self->clock().now();
  offering_key key{pf.provider, pf.spec.zone, pf.spec.instance_type, pf.spec.market};
  if (pf.error.kind == error_kind::quota) // an account's quota is the region's, not a zone's
    key = offering_key::region_of(key);
  st.blocked.block(key, now);
  auto r = st.requests.find(pf.request);
  auto i = st.instances.find(pf.id);
  auto p = find_provider(st, pf.provider);
  if (p != nullptr && i != st.instances.end() && i->second.counted) {
    --p->load;
    i->second.counted = false;
  }
  if (r == st.requests.end() || i == st.instances.end() || !i->second.handle)
    return;
  r->second.tried.insert(describe(key) + ": " + pf.error.to_string());
  if (r->second.cancelled) {
    self->send(i->second.handle, give_up_atom::value, state_reason::cancelled,
               std::string{"request cancelled"});
    return;
  }
  place(self, r->second, i->second);
}

} // namespace styx::supervisor_detail
