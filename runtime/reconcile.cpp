#include "runtime/reconcile.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/store_sql.hpp"

namespace styx {

namespace {

/// A cloud id is unique only within its provider's cloud.
using located_id = std::pair<provider_id, std::string>;

} // namespace

int assign_owners(std::vector<provider_listing>& listings,
                  const std::vector<instance_record>& records,
                  const std::vector<stored_intent>& intents,
                  const std::function<instance_id()>& fresh) {
  std::map<located_id, const instance_record*> by_cloud_id;
  std::map<instance_id, const instance_record*> by_id;
  for (auto& r : records) {
    by_id.emplace(r.id, &r);
    if (!r.cloud_id.empty())
      by_cloud_id.emplace(located_id{r.provider, r.cloud_id}, &r);
  }
  std::map<std::pair<provider_id, std::string>, const stored_intent*> by_token;
  std::set<instance_id> slot_ids;
  for (auto& intent : intents) {
    by_token.emplace(std::make_pair(intent.provider, intent.client_token), &intent);
    slot_ids.insert(intent.slots.begin(), intent.slots.end());
  }
  std::set<instance_id> taken; // ids a live listed instance carries already
  for (auto& l : listings)
    for (auto& ci : l.instances)
      if (!is_final(ci.state) && !ci.owner_instance().empty())
        taken.insert(ci.owner_instance());
  // The id the create call gave slot `launch_index` of the call with `client_token` on
  // `provider`, unless a record of another cloud instance holds it: then this is the extra copy
  // of a create retried on a cloud that ignores client tokens, and no slot of ours.
  auto from_create_call = [&](const provider_id& provider,
                              const cloud_instance& ci) -> instance_id {
    auto i = by_token.find(std::make_pair(provider, ci.client_token));
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
  for (auto& l : listings) {
    for (auto& ci : l.instances) {
      if (is_final(ci.state) || !ci.owner_instance().empty())
        continue;
      instance_id id;
      if (auto i = by_cloud_id.find(located_id{l.provider, ci.cloud_id}); i != by_cloud_id.end())
        id = i->second->id;
      else
        id = from_create_call(l.provider, ci);
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
  }
  return assigned;
}

reconcile_plan plan_reconcile(const std::vector<stored_request>& requests,
                              const std::vector<instance_record>& records,
                              const std::vector<provider_listing>& listings,
                              bool listing_complete,
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

  std::set<provider_id> answered; // the providers whose listing is here
  std::map<request_id, std::vector<listed_instance>> live;
  std::set<located_id> seen;    // every live listed instance, where it was listed
  std::set<instance_id> owners; // the owner of every live listed instance
  for (auto& l : listings) {
    answered.insert(l.provider);
    for (auto& ci : l.instances) {
      if (is_final(ci.state))
        continue;
      seen.insert(located_id{l.provider, ci.cloud_id});
      owners.insert(ci.owner_instance());
      live[ci.owner_request()].push_back(listed_instance{l.provider, ci});
    }
  }
  for (auto& [rid, xs] : live) {
    auto i = by_id.find(rid);
    if (rid.empty() || i == by_id.end() || is_dead(i->second->state)) {
      plan.terminate_orphans.insert(plan.terminate_orphans.end(), xs.begin(), xs.end());
      continue;
    }
    auto count = static_cast<size_t>(std::max(0, i->second->count));
    // Keep the ones the store knows, oldest first; the surplus is the rest.
    std::stable_sort(xs.begin(), xs.end(), [&](const listed_instance& a,
                                               const listed_instance& b) {
      bool ka = known.count(a.instance.owner_instance()) > 0;
      bool kb = known.count(b.instance.owner_instance()) > 0;
      if (ka != kb)
        return ka;
      return a.instance.launched_at < b.instance.launched_at;
    });
    for (size_t k = 0; k < xs.size(); ++k)
      (k < count ? plan.adopt : plan.terminate_surplus).push_back(xs[k]);
  }
  for (auto& r : requests)
    if (r.state == request_state::submitted)
      plan.unfinished.push_back(r.id);
  // Only the provider that holds a record's instance may say it is gone.
  for (auto& r : records)
    if (is_live(r.state) && !r.cloud_id.empty() && answered.count(r.provider) > 0
        && seen.count(located_id{r.provider, r.cloud_id}) == 0)
      plan.vanished.push_back(r);
  // Open intents whose provider answered: what they created is adopted or ended above; slots
  // that never reached the cloud are failed, and the intent is closed. The others stay open,
  // and their slots undecided.
  std::map<instance_id, const instance_record*> records_by_id;
  for (auto& r : records)
    records_by_id.emplace(r.id, &r);
  std::set<instance_id> failed;
  std::set<instance_id> undecided;
  bool all_answered = listing_complete;
  for (auto& intent : open_intents) {
    if (answered.count(intent.provider) == 0) {
      undecided.insert(intent.slots.begin(), intent.slots.end());
      all_answered = false;
      continue;
    }
    plan.resolved_intents.push_back(intent.client_token);
    for (auto& slot : intent.slots) {
      auto i = records_by_id.find(slot);
      if (i == records_by_id.end() || i->second->state != instance_state::requested
          || owners.count(slot) > 0 || !failed.insert(slot).second)
        continue;
      plan.never_created.push_back(*i->second);
    }
  }
  for (auto& r : records) {
    if (is_live(r.state) && !r.cloud_id.empty() && answered.count(r.provider) == 0) {
      plan.not_reached.push_back(r);
      all_answered = false;
    }
  }
  if (all_answered) {
    // An unfinished request's slots still "requested" never will be: its process is gone
    // (they were cut off before their intent; styx up --resume makes new ones).
    std::set<request_id> cut_off(plan.unfinished.begin(), plan.unfinished.end());
    for (auto& r : records)
      if (r.state == instance_state::requested && cut_off.count(r.request) > 0
          && owners.count(r.id) == 0 && undecided.count(r.id) == 0
          && failed.insert(r.id).second)
        plan.never_created.push_back(r);
  }
  return plan;
}

std::string reconcile_report::to_json() const {
  json j = {{"listed", listed},
            {"adopted", adopted},
            {"identified", identified},
            {"terminated_surplus", terminated_surplus},
            {"terminated_orphans", terminated_orphans},
            {"vanished", vanished},
            {"unfinished", unfinished},
            {"intents_resolved", intents_resolved},
            {"not_reached", not_reached},
            {"errors", errors}};
  return json_text(j);
}

} // namespace styx
