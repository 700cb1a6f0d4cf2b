#include "runtime/reconcile.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/store_sql.hpp"

namespace styx {

int assign_owners(std::vector<cloud_instance>& listed, const std::vector<instance_record>& records,
                  const std::vector<stored_intent>& intents,
                  const std::function<instance_id()>& fresh) {
  std::map<std::string, const instance_record*> by_cloud_id;
  std::map<instance_id, const instance_record*> by_id;
  for (auto& r : records) {
    by_id.emplace(r.id, &r);
    if (!r.cloud_id.empty())
      by_cloud_id.emplace(r.cloud_id, &r);
  }
  std::map<std::string, const stored_intent*> by_token;
  std::set<instance_id> slot_ids;
  for (auto& intent : intents) {
    by_token.emplace(intent.client_token, &intent);
    slot_ids.insert(intent.slots.begin(), intent.slots.end());
  }
  std::set<instance_id> taken; // ids a live listed instance carries already
  for (auto& ci : listed)
    if (!is_final(ci.state) && !ci.owner_instance().empty())
      taken.insert(ci.owner_instance());
  // The id the create call gave slot `launch_index` of the call with `client_token`, unless a
  // record of another cloud instance holds it: then this is the extra copy of a create retried
  // on a cloud that ignores client tokens, and no slot of ours.
  auto from_create_call = [&](const cloud_instance& ci) -> instance_id {
    auto i = by_token.find(ci.client_token);
    if (ci.client_token.empty() || i == by_token.end() || ci.launch_index < 0
        || static_cast<size_t>(ci.launch_index) >= i->second->slots.size())
      return {};
    auto id = i->second->slots[static_cast<size_t>(ci.launch_index)];
    if (auto r = by_id.find(id); r != by_id.end() && !r->second->cloud_id.empty()
                                 && r->second->cloud_id != ci.cloud_id)
      return {};
    return id;
  };
  int assigned = 0;
  for (auto& ci : listed) {
    if (is_final(ci.state) || !ci.owner_instance().empty())
      continue;
    instance_id id;
    if (auto i = by_cloud_id.find(ci.cloud_id); i != by_cloud_id.end())
      id = i->second->id;
    else
      id = from_create_call(ci);
    if (id.empty() || !taken.insert(id).second) {
      // A new id must be new to the store too (a seeded generator repeats an earlier run's).
      do
        id = fresh();
      while (taken.count(id) > 0 || by_id.count(id) > 0 || slot_ids.count(id) > 0);
    }
    taken.insert(id);
    ci.tags[ownership_tag::instance] = id.to_string();
    if (auto i = by_id.find(id); i != by_id.end() && !i->second->name.empty())
      ci.tags[ownership_tag::name] = i->second->name;
    ++assigned;
  }
  return assigned;
}

reconcile_plan plan_reconcile(const std::vector<stored_request>& requests,
                              const std::vector<instance_record>& records,
                              const std::vector<cloud_instance>& listed, bool listing_complete,
                              const std::vector<stored_intent>& open_intents) {
  reconcile_plan plan;
  std::map<request_id, const stored_request*> by_id;
  for (auto& r : requests)
    by_id.emplace(r.id, &r);
  // The ids the engine accounts for: a record that reached the cloud, or a slot of a create
  // whose answer was never committed (its instance is identified by that create call).
  std::set<instance_id> known;
  for (auto& r : records)
    if (!r.cloud_id.empty())
      known.insert(r.id);
  for (auto& intent : open_intents)
    known.insert(intent.slots.begin(), intent.slots.end());

  std::map<request_id, std::vector<cloud_instance>> live;
  std::set<std::string> seen; // the cloud id of every live listed instance
  std::set<instance_id> owners; // the owner of every live listed instance
  for (auto& ci : listed) {
    if (is_final(ci.state))
      continue;
    seen.insert(ci.cloud_id);
    owners.insert(ci.owner_instance());
    live[ci.owner_request()].push_back(ci);
  }
  for (auto& [rid, xs] : live) {
    auto i = by_id.find(rid);
    if (rid.empty() || i == by_id.end() || is_dead(i->second->state)) {
      plan.terminate_orphans.insert(plan.terminate_orphans.end(), xs.begin(), xs.end());
      continue;
    }
    auto count = static_cast<size_t>(std::max(0, i->second->count));
    // Keep the ones the store knows, oldest first; the surplus is the rest.
    std::stable_sort(xs.begin(), xs.end(), [&](const cloud_instance& a, const cloud_instance& b) {
      bool ka = known.count(a.owner_instance()) > 0;
      bool kb = known.count(b.owner_instance()) > 0;
      if (ka != kb)
        return ka;
      return a.launched_at < b.launched_at;
    });
    for (size_t k = 0; k < xs.size(); ++k)
      (k < count ? plan.adopt : plan.terminate_surplus).push_back(xs[k]);
  }
  for (auto& r : requests)
    if (r.state == request_state::submitted)
      plan.unfinished.push_back(r.id);
  if (listing_complete) {
    for (auto& r : records)
      if (is_live(r.state) && !r.cloud_id.empty() && seen.count(r.cloud_id) == 0)
        plan.vanished.push_back(r);
    // Open intents: what they created is adopted or ended above; slots that never reached
    // the cloud are failed, and the intent is closed.
    std::map<instance_id, const instance_record*> by_id;
    for (auto& r : records)
      by_id.emplace(r.id, &r);
    std::set<instance_id> failed;
    for (auto& intent : open_intents) {
      plan.resolved_intents.push_back(intent.client_token);
      for (auto& slot : intent.slots) {
        auto i = by_id.find(slot);
        if (i == by_id.end() || i->second->state != instance_state::requested
            || owners.count(slot) > 0 || !failed.insert(slot).second)
          continue;
        plan.never_created.push_back(*i->second);
      }
    }
    // An unfinished request's slots still "requested" never will be: its process is gone
    // (they were cut off before their intent; styx up --resume makes new ones).
    std::set<request_id> cut_off(plan.unfinished.begin(), plan.unfinished.end());
    for (auto& r : records)
      if (r.state == instance_state::requested && cut_off.count(r.request) > 0
          && owners.count(r.id) == 0 && failed.insert(r.id).second)
        plan.never_created.push_back(r);
  }
  return plan;
}

std::string reconcile_report::to_json() const {
  std::string out = "{\"listed\":" + std::to_string(listed);
  out += ",\"adopted\":" + std::to_string(adopted);
  out += ",\"identified\":" + std::to_string(identified);
  out += ",\"terminated_surplus\":" + std::to_string(terminated_surplus);
  out += ",\"terminated_orphans\":" + std::to_string(terminated_orphans);
  out += ",\"vanished\":" + std::to_string(vanished);
  out += ",\"unfinished\":" + std::to_string(unfinished);
  out += ",\"intents_resolved\":" + std::to_string(intents_resolved);
  out += ",\"errors\":[";
  for (size_t i = 0; i < errors.size(); ++i)
    out += (i ? "," : "") + json_quote(errors[i]);
  return out + "]}";
}

} // namespace styx
