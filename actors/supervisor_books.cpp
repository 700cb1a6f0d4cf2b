#include "actors/supervisor_internal.hpp"

// The supervisor's books: what a transition of an instance (an event of the instance actor,
// or one the supervisor infers) does to its record, its request's counts and failures, the
// replacements, its provider's load and the subscribers; a request's end; a placement that
// failed. The actor's handlers are actors/supervisor.cpp's.

#include <algorithm>

#include <caf/actor_clock.hpp>
#include <caf/send.hpp>

namespace styx::supervisor_detail {

// -- one instance's books ------------------------------------------------------------------

namespace {
const std::string no_words;
const tag_map no_tags;
} // namespace

const std::string& tracked::zone() const {
  if (rare && !rare->zone.empty())
    return rare->zone;
  return basis ? basis->spec.zone : no_words;
}

const std::string& tracked::last_error() const {
  return rare ? rare->last_error : no_words;
}

void tracked::set_zone(std::string where) {
  if (rare || (basis && where != basis->spec.zone))
    rare_part().zone = std::move(where);
}

void tracked::set_last_error(std::string words) {
  if (!words.empty() || rare)
    rare_part().last_error = std::move(words);
}

tracked_rare& tracked::rare_part() {
  if (!rare)
    rare = std::make_unique<tracked_rare>();
  return *rare;
}

namespace {

/// The tags of `t`: an adopted one's own, else its request's.
const tag_map& tags_of(const supervisor_state& st, const tracked& t) {
  if (t.rare && t.rare->tags)
    return *t.rare->tags;
  auto r = st.requests.find(t.request);
  return r != st.requests.end() ? r->second.req.tags() : no_tags;
}

} // namespace

instance_record record_of(const supervisor_state& st, const tracked_entry& e) {
  auto& t = e.second;
  instance_record rec;
  rec.id = e.first;
  rec.request = t.request;
  rec.name = t.name;
  if (t.basis) {
    rec.provider = t.basis->id;
    rec.instance_type = t.basis->spec.instance_type;
    rec.market = t.basis->spec.market;
  }
  rec.zone = t.zone();
  rec.cloud_id = t.cloud_id;
  rec.state = t.state;
  rec.since = t.since;
  rec.reason = t.reason;
  rec.tags = tags_of(st, t);
  rec.last_error = t.last_error();
  return rec;
}

void absorb(tracked& t, instance_record rec) {
  t.state = rec.state;
  t.reason = rec.reason;
  t.since = rec.since;
  t.set_last_error(std::move(rec.last_error));
  if (!rec.cloud_id.empty())
    t.cloud_id = std::move(rec.cloud_id);
  t.set_zone(std::move(rec.zone));
}

tracked tracked_of(instance_record rec, provider_actor provider, instance_actor handle) {
  tracked t;
  t.basis = basis_of(rec, std::move(provider));
  t.request = rec.request;
  t.name = std::move(rec.name);
  t.cloud_id = std::move(rec.cloud_id);
  t.handle = std::move(handle);
  t.since = rec.since;
  t.state = rec.state;
  t.reason = rec.reason;
  t.counted = true;
  t.set_last_error(std::move(rec.last_error));
  t.rare_part().tags = std::move(rec.tags);
  return t;
}

bool selected(const supervisor_state& st, const selector& sel, const tracked_entry& e) {
  return sel.matches(e.first, e.second.request,
                     sel.tags.empty() ? no_tags : tags_of(st, e.second));
}

// -- events, requests, placements ----------------------------------------------------------

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

void publish_change(supervisor_self self, const tracked_entry& t, instance_state from) {
  auto& st = self->state;
  if (st.subscribers.empty() && st.batched.empty())
    return;
  auto rec = record_of(st, t);
  if (!st.subscribers.empty()) {
    instance_state_changed ev{rec, from};
    for (size_t i = 0; i + 1 < st.subscribers.size(); ++i)
      caf::anon_send(st.subscribers[i], ev);
    caf::anon_send(st.subscribers.back(), std::move(ev));
  }
  if (st.batched.empty())
    return;
  st.outbox.push_back(instance_state_changed{std::move(rec), from});
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

// -- pending deadlines ---------------------------------------------------------------------

namespace {

/// One pending_atom in the mailbox, for the first deadline, unless one is there already.
void arm_pending(supervisor_self self) {
  auto& st = self->state;
  if (st.pending_armed || st.pending.empty())
    return;
  st.pending_armed = true;
  auto wait = st.pending.front().due - self->clock().now();
  self->delayed_send(self, std::max(wait, decltype(wait)::zero()), pending_atom::value);
}

/// `e` has just entered pending: its deadline joins the end of the line.
void watch_pending(supervisor_self self, const tracked_entry& e) {
  auto& st = self->state;
  if (st.cfg.pending_timeout <= duration::zero())
    return;
  st.pending.push_back(
    pending_deadline{self->clock().now() + st.cfg.pending_timeout, e.first, e.second.since});
  arm_pending(self);
}

} // namespace

void on_pending_due(supervisor_self self) {
  auto& st = self->state;
  st.pending_armed = false;
  auto now = self->clock().now();
  while (!st.pending.empty() && st.pending.front().due <= now) {
    auto d = st.pending.front();
    st.pending.pop_front();
    auto i = st.instances.find(d.id);
    if (i == st.instances.end())
      continue;
    auto& t = i->second;
    if (t.handle && t.state == instance_state::pending && t.since == d.since)
      self->send(t.handle, give_up_atom::value, state_reason::given_up,
                 std::string{"pending timeout"});
  }
  arm_pending(self);
}

// -- a transition's consequences -----------------------------------------------------------

/// The books after `e` moved from `from` (it is in its new state): subscribers, request
/// counts, failures, replacements, load, the pending deadline.
void books_after(supervisor_self self, tracked_entry& e, instance_state from, bool replace) {
  auto& st = self->state;
  auto& t = e.second; // a node of st.instances: stays put when spawn_one inserts
  auto to = t.state;
  if (from != to)
    st.counts.move(from, to);
  // Subscribers see the transition before the request_done it may cause.
  publish_change(self, e, from);
  auto r = st.requests.find(t.request);
  if (from != to && r != st.requests.end()) {
    auto& entry = r->second;
    --entry.states[static_cast<int>(from)];
    ++entry.states[static_cast<int>(to)];
    entry.dirty = true;
    // A final state with a reason the user did not ask for is a failure of the request, but
    // not one the engine chose because the request did not need it (is_cleanup).
    bool lost = to == instance_state::failed
                || (to == instance_state::terminated && t.reason != state_reason::none
                    && !is_cleanup(t.reason));
    // A preempted spot instance, or one lost in flight with its provider, is replaced
    // rather than counted as a failure of the request, within the replacement budget.
    replace = replace || (t.reason == state_reason::preempted && from == instance_state::running);
    // A cloud that took it but had no capacity for it (an Unschedulable pod): that offering
    // is blocklisted like a create's capacity error, and the instance is placed elsewhere.
    if (t.reason == state_reason::no_capacity && t.basis) {
      replace = true;
      block_offering(self,
                     offering_key{t.basis->id, t.zone(), t.basis->spec.instance_type,
                                  t.basis->spec.market},
                     make_cloud_error(error_kind::capacity, "NoCapacity", t.last_error()));
    }
    if (lost && !entry.cancelled) {
      if (replace && entry.replacements < entry.req.count() * st.cfg.replacement_factor) {
        ++entry.replacements;
        auto& fresh = spawn_one(self, entry, t.name);
        place(self, entry, fresh);
      } else if (!entry.done) {
        const auto& type = t.basis ? t.basis->spec.instance_type : no_words;
        auto where = (t.basis ? t.basis->id : provider_id{}).to_string() + " " + t.zone() + " "
                     + type;
        entry.failures.push_back(instance_failure{e.first, std::move(where), t.last_error()});
      }
    }
    maybe_finish(self, entry);
    schedule_tick(self);
  }
  if (from != to && to == instance_state::pending)
    watch_pending(self, e);
  if (is_final(to)) {
    t.handle = nullptr;
    if (auto p = t.basis ? find_provider(st, t.basis->id) : nullptr; p != nullptr && t.counted) {
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
  auto from = t.state;
  // The table decides here too: an event that does not follow from the record is stale (sent
  // by an instance actor this supervisor has since replaced, e.g. after its provider was lost).
  if (!may_follow(from, t.reason, ev.record.state, ev.record.reason))
    return;
  absorb(t, std::move(ev.record));
  books_after(self, *i, from, replace);
}

/// One step of a delta applied to the record `t` keeps; false when the table refuses it.
bool apply_step(tracked& t, instance_state to, state_reason why, unix_ms since,
                std::string detail) {
  if (!may_follow(t.state, t.reason, to, why))
    return false;
  if (t.state != to) {
    t.state = to;
    t.reason = why;
    t.since = since;
  }
  t.set_last_error(std::move(detail));
  return true;
}

void on_delta(supervisor_self self, tracked_entry& e, instance_delta& d) {
  auto& t = e.second;
  // Each step is checked against the table as on_changed checks a whole event.
  if (!d.cloud_id.empty()) { // type and market are its placement's, which it was sent
    t.cloud_id = std::move(d.cloud_id);
    t.set_zone(std::move(d.zone));
  }
  if (d.via != d.from && t.state != d.via) {
    auto from = t.state;
    if (!apply_step(t, d.via, state_reason::none, d.since, {}))
      return;
    books_after(self, e, from, false);
    if (is_final(d.via))
      return;
  }
  auto from = t.state;
  if (!apply_step(t, d.state, d.reason, d.since, std::move(d.detail)))
    return;
  books_after(self, e, from, false);
}

void block_offering(supervisor_self self, const offering_key& key, const cloud_error& why) {
  auto& st = self->state;
  auto now = self->clock().now();
  bool fresh = !st.blocked.blocked(key, now);
  st.blocked.block(key, now);
  // What still waits on that provider for this offering fails over now, without its calls:
  // once per block, not once per instance of the batch that failed.
  if (auto p = find_provider(st, key.provider); fresh && p != nullptr)
    self->send(p->handle, withdraw_creates{key.zone, key.instance_type, key.market, why});
}

void on_placement_failed(supervisor_self self, placement_failed& pf) {
  auto& st = self->state;
  offering_key key{pf.provider, pf.spec.zone, pf.spec.instance_type, pf.spec.market};
  if (pf.error.kind == error_kind::quota) // an account's quota is the region's, not a zone's
    key = offering_key::region_of(key);
  block_offering(self, key, pf.error);
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
  place(self, r->second, *i);
}

} // namespace styx::supervisor_detail
