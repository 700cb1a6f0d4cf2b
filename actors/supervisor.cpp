#include "actors/supervisor.hpp"
#include "actors/supervisor_internal.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace styx {

namespace supervisor_detail {

bool catalogs_ready(const supervisor_state& st) {
  for (auto& p : st.providers)
    if (!p.catalog_ready)
      return false;
  return true;
}

provider_entry* find_provider(supervisor_state& st, const provider_id& id) {
  for (auto& p : st.providers)
    if (p.id == id)
      return &p;
  return nullptr;
}

std::vector<candidate> candidates_for(supervisor_self self, const provision_request& req) {
  auto& st = self->state;
  std::vector<provider_view> views;
  views.reserve(st.providers.size());
  for (auto& p : st.providers)
    views.push_back(provider_view{p.id, &p.offerings, p.load});
  return rank_candidates(req, views, st.cfg.policy, st.blocked, self->clock().now(), st.cursor);
}

std::string describe(const offering_key& k) {
  if (k.is_region())
    return k.provider.to_string() + " (every zone and type) " + to_string(k.market);
  return k.provider.to_string() + " " + k.zone + " " + k.instance_type + " "
         + to_string(k.market);
}

launch_spec spec_for(const supervisor_state& st, const provision_request& req,
                     const offering& o) {
  launch_spec spec;
  spec.instance_type = o.instance_type;
  spec.zone = o.zone;
  spec.market = req.pay().kind;
  spec.max_price = req.pay().max_price;
  spec.image = req.image();
  spec.tags = req.tags();
  spec.tags[ownership_tag::engine] = st.cfg.engine_id;
  spec.tags[ownership_tag::request] = req.id().to_string();
  return spec;
}

void schedule_tick(supervisor_self self) {
  auto& st = self->state;
  if (st.ticking)
    return;
  st.ticking = true;
  self->delayed_send(self, st.cfg.progress_interval, tick_atom::value);
}

placement_ref basis_for(const supervisor_state& st, const candidate& best, launch_spec spec) {
  auto& p = st.providers[best.provider];
  return placement_ref{
    std::make_shared<const placement_basis>(placement_basis{p.handle, p.id, std::move(spec)})};
}

void count_on(supervisor_self self, tracked& t, const candidate& best, const placement_ref& ref) {
  auto& p = self->state.providers[best.provider];
  ++p.load;
  t.counted = true;
  t.basis = ref.basis;
  if (t.rare)
    t.rare->zone.clear(); // a zone the cloud chose on the last placement
}

void place_on(supervisor_self self, tracked& t, const candidate& best, const placement_ref& ref) {
  count_on(self, t, best, ref);
  self->send(t.handle, place_atom::value, ref);
}

std::string no_candidate_reason(const request_entry& entry) {
  if (entry.tried.empty())
    return "no provider has a fitting offering";
  std::string reason = "no capacity left; tried:";
  for (auto& where : entry.tried)
    reason += " [" + where + "]";
  return reason;
}

/// Places one instance of `entry` on its best candidate, or gives it up. Rate-aware policies
/// hold it back instead, for the next wave (supervisor_release.cpp).
void place(supervisor_self self, request_entry& entry, tracked_entry& e) {
  auto& st = self->state;
  auto& t = e.second;
  if (is_rate_aware(st.cfg.policy)) {
    hold(self, entry, e.first);
    return;
  }
  auto cands = candidates_for(self, entry.req);
  if (cands.empty()) {
    self->send(t.handle, give_up_atom::value, state_reason::given_up, no_candidate_reason(entry));
    return;
  }
  place_on(self, t, cands.front(),
           basis_for(st, cands.front(), spec_for(st, entry.req, cands.front().offer)));
}

tracked_entry& spawn_one(supervisor_self self, request_entry& entry, std::string name,
                         placement_ref placed) {
  auto& st = self->state;
  instance_id id;
  static_cast<uuid&>(id) = st.cfg.ids->next();
  auto& e = *st.instances.try_emplace(id).first;
  auto& t = e.second;
  t.request = entry.req.id();
  t.name = std::move(name);
  t.since = wall_now(st);
  // The actor gets what its state machine needs; the books stay here.
  instance_init init;
  init.record.id = id;
  init.record.request = t.request;
  init.record.name = t.name;
  init.record.since = t.since;
  init.supervisor = self;
  init.cfg = st.cfg.instance;
  init.placed = std::move(placed);
  t.handle = spawn_instance(self->system(), std::move(init));
  entry.instances.push_back(id);
  ++entry.states[static_cast<int>(instance_state::requested)];
  st.counts.enter(instance_state::requested);
  return e;
}

std::string instance_name(const std::string& base, size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "-%04zu", i);
  return base + buf;
}

void start_request(supervisor_self self, request_entry& entry) {
  auto& st = self->state;
  auto cands = candidates_for(self, entry.req);
  if (cands.empty()) {
    std::string why = "no provider has an offering that fits the request";
    for (auto& p : st.providers)
      if (!p.catalog_error.empty())
        why += "; " + p.id.to_string() + " has no catalog: " + p.catalog_error;
    finish(self, entry, why);
    return;
  }
  auto count = static_cast<size_t>(entry.req.count());
  entry.instances.reserve(count);
  st.instances.reserve(st.instances.size() + count);
  // One ranking for the whole request. Each provider's best offering, with its launch spec
  // made once and shared: the instances sent there hold it by reference, and the provider
  // coalesces their creates.
  std::vector<std::pair<candidate, placement_ref>> best;
  std::vector<bool> seen(st.providers.size(), false);
  for (auto& c : cands)
    if (!seen[c.provider]) {
      seen[c.provider] = true;
      best.emplace_back(c, basis_for(st, c, spec_for(st, entry.req, c.offer)));
    }
  for (size_t i = 1; i <= count; ++i) {
    auto name = instance_name(entry.req.name(), i);
    if (is_rate_aware(st.cfg.policy)) { // split over the buckets, released in waves
      hold(self, entry, spawn_one(self, entry, std::move(name)).first);
      continue;
    }
    size_t pick = 0; // cheapest and round-robin: the first; least-loaded: the least loaded now
    if (st.cfg.policy == placement_policy::least_loaded)
      for (size_t k = 1; k < best.size(); ++k)
        if (st.providers[best[k].first.provider].load
            < st.providers[best[pick].first.provider].load)
          pick = k;
    // Spawned placed: it creates itself as it starts, without a place message.
    auto& t = spawn_one(self, entry, std::move(name), best[pick].second).second;
    count_on(self, t, best[pick].first, best[pick].second);
  }
  ++st.cursor;
  entry.dirty = true;
  schedule_tick(self);
  if (auto deadline = entry.req.deadline(); deadline > 0) {
    auto now = wall_now(st);
    self->delayed_send(self, milliseconds(std::max<int64_t>(0, deadline - now)),
                       timeout_atom::value, entry.req.id());
  }
}

/// Asks each selected instance to change. Without awaiting replies: CAF 0.17 keeps awaited
/// responses in a list it searches linearly, so N requests in flight cost O(N^2) (a third of
/// the CPU when 100k instances were terminated at once). Transitions come back as events.
/// A terminate with a reason (not none) asks each to end with it and `detail` (end_atom), and
/// leaves its request as it was (is_cleanup); a user's terminate cancels the request.
int change_selected(supervisor_self self, change_op op, const selector& sel,
                    state_reason why = state_reason::none, const std::string& detail = {}) {
  auto& st = self->state;
  bool for_a_reason = op == change_op::terminate && why != state_reason::none;
  int n = 0;
  for (auto& e : st.instances) {
    auto& t = e.second;
    if (!t.handle || !selected(st, sel, e))
      continue;
    if (for_a_reason) {
      caf::anon_send(t.handle, end_atom::value, why, detail);
    } else {
      if (op == change_op::terminate) {
        auto r = st.requests.find(t.request);
        if (r != st.requests.end())
          r->second.cancelled = true; // no replacements for what the user terminates
      }
      caf::anon_send(t.handle, op);
    }
    ++n;
  }
  return n;
}

supervisor_actor::behavior_type supervisor_behavior(supervisor_self self,
                                                    supervisor_config cfg) {
  // Instances end with the supervisor. Not by links: a supervisor with N linked instances
  // scans N attachables whenever one of them ends.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& [id, t] : self->state.instances)
      if (t.handle)
        self->send_exit(t.handle, msg.reason);
    self->quit(msg.reason);
  });
  // Providers are monitored (remote ones die with their node): on_provider_down.
  self->set_down_handler([=](caf::down_msg& dm) { on_provider_down(self, dm); });
  self->state.cfg = std::move(cfg);
  self->state.blocked = blocklist{self->state.cfg.blocklist_ttl};
  if (!self->state.cfg.ids)
    self->state.cfg.ids = std::make_shared<uuid_generator>();
  return {
    [=](provider_atom, provider_actor& handle, provider_id& id) -> caf::result<bool> {
      auto& st = self->state;
      if (find_provider(st, id) != nullptr)
        return make_error(styx_error::exists_already,
                          "provider " + id.to_string() + " is registered already");
      bool returning = st.lost.erase(id) > 0;
      st.providers.push_back(provider_entry{id, handle, {}, false, {}, 0});
      self->monitor(handle); // on_provider_down
      self->request(handle, caf::infinite, catalog_atom::value)
        .then(
          [=](catalog& offerings) {
            auto& st = self->state;
            if (auto p = find_provider(st, id)) {
              p->offerings = std::move(offerings);
              p->catalog_ready = true;
            }
            if (returning)
              on_provider_back(self, id);
            if (catalogs_ready(st)) {
              auto waiting = std::move(st.waiting_for_catalogs);
              for (auto& rid : waiting)
                start_request(self, st.requests.at(rid));
            }
          },
          [=](caf::error& err) {
            auto& st = self->state;
            if (auto p = find_provider(st, id)) {
              p->catalog_ready = true; // an empty catalog: never chosen
              p->catalog_error = self->system().render(err);
            }
            if (returning)
              on_provider_back(self, id);
            if (catalogs_ready(st)) {
              auto waiting = std::move(st.waiting_for_catalogs);
              for (auto& rid : waiting)
                start_request(self, st.requests.at(rid));
            }
          });
      return true;
    },
    [=](providers_atom) { return registered_providers(self->state); },
    [=](provision_request& req) -> caf::result<request_id> {
      auto& st = self->state;
      if (auto problem = req.validate())
        return make_error(styx_error::invalid_request, *problem);
      if (req.id().empty()) {
        request_id id;
        static_cast<uuid&>(id) = st.cfg.ids->next();
        req.id(id);
      }
      if (st.requests.count(req.id()) > 0)
        return make_error(styx_error::exists_already,
                          "request " + req.id().to_string() + " exists already");
      auto id = req.id();
      auto& entry = st.requests[id];
      entry.req = std::move(req);
      if (catalogs_ready(st))
        start_request(self, entry);
      else
        st.waiting_for_catalogs.push_back(id);
      return id;
    },
    [=](instance_state_changed& ev) {
      if (from_current_actor(self, ev.record.id)) // not a late one of an actor let go
        on_changed(self, ev);
    },
    [=](instance_delta& d) {
      if (auto* e = from_current_actor(self, d.id)) // not a late one of an actor let go
        on_delta(self, *e, d);
    },
    [=](placement_failed& pf) { on_placement_failed(self, pf); },
    [=](change_op op, const selector& sel) { return change_selected(self, op, sel); },
    [=](end_atom, const selector& sel, state_reason why, const std::string& detail) {
      return change_selected(self, change_op::terminate, sel, why, detail);
    },
    [=](list_atom, const selector& sel) {
      auto& st = self->state;
      std::vector<instance_record> result;
      for (auto& e : st.instances)
        if (selected(st, sel, e))
          result.push_back(record_of(st, e));
      return result;
    },
    [=](count_atom, const selector& sel, instance_state target) {
      auto& st = self->state;
      int n = 0;
      for (auto& e : st.instances)
        if (e.second.state != target && !is_final(e.second.state) && selected(st, sel, e))
          ++n;
      return n;
    },
    [=](count_atom) { return self->state.counts; },
    [=](adopt_atom, std::vector<instance_record>& records) {
      return adopt_records(self, std::move(records));
    },
    [=](adopt_atom) -> caf::typed_response_promise<int> {
      auto rp = self->make_response_promise<int>();
      adopt(self, rp);
      return rp;
    },
    [=](subscribe_atom, caf::actor& sub) { self->state.subscribers.push_back(std::move(sub)); },
    [=](subscribe_atom, caf::actor& sub, batched_atom) {
      self->state.batched.push_back(std::move(sub));
    },
    [=](flush_atom) {
      self->state.flush_due = false;
      flush_events(self);
    },
    [=](stats_atom) -> caf::typed_response_promise<std::vector<provider_stats>> {
      auto rp = self->make_response_promise<std::vector<provider_stats>>();
      auto& st = self->state;
      auto result = std::make_shared<std::vector<provider_stats>>();
      auto total = st.providers.size();
      if (total == 0)
        rp.deliver(*result);
      for (auto& p : st.providers)
        self->request(p.handle, caf::infinite, stats_atom::value)
          .then(
            [=](provider_stats& s) mutable {
              s.blocklisted = self->state.blocked.live_of(s.provider, self->clock().now());
              result->push_back(std::move(s));
              if (result->size() == total)
                rp.deliver(*result);
            },
            [=](caf::error&) mutable {
              result->push_back(provider_stats{});
              if (result->size() == total)
                rp.deliver(*result);
            });
      return rp;
    },
    [=](quote_atom, provision_request& req) -> caf::typed_response_promise<placement_quote> {
      auto rp = self->make_response_promise<placement_quote>();
      if (auto problem = req.validate())
        rp.deliver(make_error(styx_error::invalid_request, *problem));
      else
        quote(self, std::move(req), rp);
      return rp;
    },
    [=](tick_atom) {
      auto& st = self->state;
      st.ticking = false;
      bool active = false;
      for (auto& [id, entry] : st.requests) {
        if (entry.dirty) {
          entry.dirty = false;
          publish(self, progress_of(entry));
        }
        active = active || !entry.done;
      }
      st.blocked.expire(self->clock().now());
      bool releasing = release_tick(self); // rate-aware waves and quotes
      if (active || releasing)
        schedule_tick(self);
    },
    [=](pending_atom) { on_pending_due(self); },
    [=](timeout_atom, const request_id& id) {
      auto& st = self->state;
      auto r = st.requests.find(id);
      if (r == st.requests.end() || r->second.done)
        return;
      // Past the deadline: what is not running yet is given up.
      for (auto& iid : r->second.instances) {
        auto i = st.instances.find(iid);
        if (i == st.instances.end() || !i->second.handle)
          continue;
        auto state = i->second.state;
        if (state == instance_state::requested || state == instance_state::pending)
          self->send(i->second.handle, give_up_atom::value, state_reason::given_up,
                     std::string{"deadline passed"});
      }
    },
  };
}

} // namespace supervisor_detail

using supervisor_detail::supervisor_behavior;


supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_config cfg) {
  return sys.spawn(supervisor_behavior, std::move(cfg));
}

} // namespace styx