// The supervisor and its providers' instances: adoption (by listing the clouds, or from known
// records), a provider that goes down, and a provider that comes back.
#include "actors/supervisor_internal.hpp"

#include <algorithm>
#include <utility>
#include <unordered_map>

#include <caf/actor_system.hpp>

namespace styx::supervisor_detail {

namespace {

/// The cloud ids of the instances tracked on `pid`, each with its instance id: how an instance
/// that carries no styx:instance tag (an EC2 batch's, known by its create call) is found again.
std::unordered_map<std::string, instance_id> by_cloud_id(const supervisor_state& st,
                                                         const provider_id& pid) {
  std::unordered_map<std::string, instance_id> result;
  for (auto& [id, t] : st.instances)
    if (!t.cloud_id.empty() && t.on(pid))
      result.emplace(t.cloud_id, id);
  return result;
}

/// The engine id of a listed instance: its tag, else the tracked instance with its cloud id.
instance_id owner_of(const cloud_instance& ci,
                     const std::unordered_map<std::string, instance_id>& known) {
  auto id = ci.owner_instance();
  if (id.empty())
    if (auto i = known.find(ci.cloud_id); i != known.end())
      id = i->second;
  return id;
}

} // namespace

void adopt(supervisor_self self, caf::typed_response_promise<int> rp) {
  auto& st = self->state;
  if (st.providers.empty()) {
    rp.deliver(0);
    return;
  }
  struct tally {
    size_t answers = 0;
    int adopted = 0;
  };
  auto shared = std::make_shared<tally>();
  auto total = st.providers.size();
  st.owed.erase(std::remove_if(st.owed.begin(), st.owed.end(),
                               [](const owed_reply& o) { return *o.settled; }),
                st.owed.end());
  for (auto& p : st.providers) {
    auto pid = p.id;
    auto handle = p.handle;
    // Once per provider: its answer, its error, or its going down (settle_owed).
    auto settled = std::make_shared<bool>(false);
    auto answered = [=]() mutable {
      if (std::exchange(*settled, true))
        return;
      if (++shared->answers == total)
        rp.deliver(shared->adopted);
    };
    st.owed.push_back(owed_reply{handle.address(), settled, answered});
    self->request(p.handle, st.cfg.list_timeout,
                  list_instances{{{ownership_tag::engine, st.cfg.engine_id}}})
      .then(
        [=](std::vector<cloud_instance>& found) mutable {
          auto& st = self->state;
          if (*settled)
            return; // counted as down already: its provider is not registered any more
          auto known = by_cloud_id(st, pid);
          for (auto& inst : found) {
            if (is_final(inst.state))
              continue;
            auto id = owner_of(inst, known);
            if (id.empty() && st.cfg.ids) {
              // Ours (it carries the engine's tag) but of a create this process never saw
              // answered: tracked under a new id, so that `down --all` ends it too.
              static_cast<uuid&>(id) = st.cfg.ids->next();
            }
            if (id.empty() || st.instances.count(id) > 0)
              continue;
            auto rec = record_of(inst, pid);
            rec.id = id;
            rec.reason = state_reason::found;
            auto h = spawn_instance(self->system(),
                                    instance_init{rec, self, st.cfg.instance, handle, {}});
            // Published as it was found, so the store's row (if any) follows the cloud.
            publish(self, instance_state_changed{rec, rec.state});
            st.counts.enter(rec.state);
            st.instances.insert_or_assign(id, tracked_of(std::move(rec), handle, std::move(h)));
            if (auto e = find_provider(st, pid))
              ++e->load;
            ++shared->adopted;
          }
          answered();
        },
        [=](caf::error&) mutable { answered(); });
  }
}

tracked_entry* from_current_actor(supervisor_self self, const instance_id& id) {
  auto i = self->state.instances.find(id);
  if (i == self->state.instances.end() || !i->second.handle)
    return nullptr;
  // Raw control blocks compared: no reference counts touched, once per message.
  auto* current = caf::actor_cast<caf::actor_control_block*>(i->second.handle);
  return self->current_sender().get() == current ? &*i : nullptr;
}

void settle_owed(supervisor_state& st, const caf::actor_addr& source) {
  std::vector<std::function<void()>> due;
  for (auto& o : st.owed)
    if (o.provider == source && !*o.settled)
      due.push_back(o.done);
  for (auto& f : due)
    f();
}

std::vector<provider_ref> registered_providers(const supervisor_state& st) {
  std::vector<provider_ref> result;
  for (auto& p : st.providers)
    result.push_back(provider_ref{p.id, p.handle});
  return result;
}

int adopt_records(supervisor_self self, std::vector<instance_record> records) {
  auto& st = self->state;
  int adopted = 0;
  for (auto& rec : records) {
    if (!is_live(rec.state) || rec.cloud_id.empty() || st.instances.count(rec.id) > 0)
      continue;
    auto p = find_provider(st, rec.provider);
    if (p == nullptr)
      continue;
    ++p->load;
    auto h = spawn_instance(self->system(), instance_init{rec, self, st.cfg.instance, p->handle, {}});
    auto id = rec.id;
    st.counts.enter(rec.state);
    st.instances.insert_or_assign(id, tracked_of(std::move(rec), p->handle, std::move(h)));
    ++adopted;
  }
  return adopted;
}

// -- a provider that went down (a remote node died or was cut off) ------------------------

/// Takes the provider out of placement. What was in flight on it (requested or pending) fails
/// with the reason and its request gets a replacement on the other providers (or a failure when
/// none fits). Everything else keeps its last known state until the provider returns: running
/// and stopped ones, and a stop, start or terminate under way, which the cloud may or may not
/// have carried out (nothing is claimed that was not seen; the return settles it). Records stay.
void on_provider_down(supervisor_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto p = std::find_if(st.providers.begin(), st.providers.end(),
                        [&](const provider_entry& e) { return e.handle.address() == dm.source; });
  if (p == st.providers.end())
    return;
  settle_owed(st, dm.source); // what it was asked will not be answered
  auto lost = p->id;
  st.providers.erase(p);
  st.lost.insert(lost);
  auto reason = "provider " + lost.to_string() + " lost: " + to_string(dm.reason);
  std::vector<instance_id> affected;
  for (auto& [id, t] : st.instances)
    if (t.handle && t.on(lost))
      affected.push_back(id);
  for (auto& id : affected) {
    auto& e = *st.instances.find(id);
    auto& t = e.second;
    t.counted = false;
    auto state = t.state;
    if (state != instance_state::requested && state != instance_state::pending)
      continue;
    self->send_exit(t.handle, caf::exit_reason::kill); // nobody would answer it
    if (auto r = st.requests.find(t.request); r != st.requests.end())
      r->second.tried.insert(reason);
    auto next = advance(record_of(st, e), observation{instance_state::failed,
                                                      state_reason::provider_lost,
                                                      wall_now(st), reason});
    instance_state_changed ev{std::move(next.record), state};
    on_changed(self, ev, true); // in flight: replaced if it can be
  }
}

// -- a lost provider that returned (its node came back) ------------------------------------

namespace {

/// Live instances of the request, the ones on the returning provider not yet counted.
int live_count(const request_entry& e) {
  using s = instance_state;
  int n = 0;
  for (auto x : {s::requested, s::pending, s::running, s::starting, s::stopping, s::stopped})
    n += e.states[static_cast<int>(x)];
  return n;
}

/// `t` gets a fresh instance actor on `handle`, in the state the cloud reports; the books
/// follow through on_changed. False when the table refuses what the cloud reports (an end the
/// engine observed cannot come back): nothing changes.
bool rebind(supervisor_self self, tracked_entry& e, const provider_id& pid,
            const provider_actor& handle, const cloud_instance& ci) {
  auto& st = self->state;
  auto& t = e.second;
  auto rec = record_of(st, e);
  rec.cloud_id = ci.cloud_id;
  rec.zone = ci.zone;
  auto next = advance(std::move(rec), observation{ci.state, state_reason::found, wall_now(st), {}});
  if (next.refused)
    return false;
  if (t.handle)
    self->send_exit(t.handle, caf::exit_reason::kill);
  instance_state_changed ev{std::move(next.record), next.from};
  if (next.changed)
    on_changed(self, ev); // counts, events; clears the handle only for a final state
  else
    absorb(t, ev.record);
  t.handle = spawn_instance(self->system(),
                            instance_init{record_of(st, e), self, st.cfg.instance, handle, {}});
  if (!t.counted) {
    t.counted = true;
    if (auto p = find_provider(st, pid))
      ++p->load;
  }
  return true;
}

} // namespace

void on_provider_back(supervisor_self self, const provider_id& pid) {
  auto& st = self->state;
  auto p = find_provider(st, pid);
  if (p == nullptr)
    return;
  auto handle = p->handle;
  self->request(handle, caf::infinite,
                list_instances{{{ownership_tag::engine, st.cfg.engine_id}}})
    .then(
      [=](std::vector<cloud_instance>& found) {
        auto& st = self->state;
        provider_returned report;
        report.provider = pid;
        std::set<instance_id> seen;
        auto known = by_cloud_id(st, pid);
        for (auto& ci : found) {
          if (is_final(ci.state))
            continue;
          auto i = st.instances.find(owner_of(ci, known));
          if (i == st.instances.end() || !i->second.on(pid)) {
            ++report.unknown; // another engine run's: `styx reconcile` decides
            continue;
          }
          auto& t = i->second;
          seen.insert(i->first);
          bool kept = t.handle != nullptr; // running or stopped when the provider left
          auto r = st.requests.find(t.request);
          bool wanted = kept
                        || (r != st.requests.end() && !r->second.cancelled
                            && live_count(r->second) < r->second.req.count());
          if (!rebind(self, *i, pid, handle, ci)) {
            ++report.unknown; // the record says it ended for sure: `styx reconcile` decides
            continue;
          }
          if (wanted) {
            ++(kept ? report.rewatched : report.adopted);
          } else {
            // Replaced while its provider was away, or its request is gone: it only costs.
            ++report.terminated;
            bool gone = r == st.requests.end() || r->second.cancelled;
            caf::anon_send(t.handle, end_atom::value, // no reply awaited
                           gone ? state_reason::orphan : state_reason::surplus,
                           std::string{gone ? "its request is over" : "its request has its count"}
                             + " (found when provider " + pid.to_string() + " came back)");
          }
        }
        // Kept as running or stopped, but the cloud no longer has it.
        std::vector<instance_id> vanished;
        for (auto& [id, t] : st.instances)
          if (t.handle && t.on(pid) && seen.count(id) == 0 && is_live(t.state))
            vanished.push_back(id);
        for (auto& id : vanished) {
          auto& e = *st.instances.find(id);
          self->send_exit(e.second.handle, caf::exit_reason::kill);
          auto next = advance(record_of(st, e), observation{instance_state::terminated,
                                                 state_reason::vanished, wall_now(st),
                                                 "vanished while provider " + pid.to_string()
                                                   + " was away"});
          instance_state_changed ev{std::move(next.record), next.from};
          ++report.vanished;
          on_changed(self, ev);
        }
        publish(self, report);
      },
      [=](caf::error& err) {
        provider_returned report;
        report.provider = pid;
        report.error = self->system().render(err);
        publish(self, report);
      });
}

} // namespace styx::supervisor_detail
