#include "runtime/reconcile.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/store_sql.hpp"

namespace styx {

namespace {

bool is_dead_request(const std::string& state) {
  return state == "cancelled" || state == "rolled_back";
}

} // namespace

reconcile_plan plan_reconcile(const std::vector<stored_request>& requests,
                              const std::vector<instance_record>& records,
                              const std::vector<cloud_instance>& listed, bool listing_complete) {
  reconcile_plan plan;
  std::map<request_id, const stored_request*> by_id;
  for (auto& r : requests)
    by_id.emplace(r.id, &r);
  std::set<instance_id> known;
  for (auto& r : records)
    if (!r.cloud_id.empty())
      known.insert(r.id);

  std::map<request_id, std::vector<cloud_instance>> live;
  std::set<std::string> seen; // the cloud id of every live listed instance
  for (auto& ci : listed) {
    if (is_final(ci.state))
      continue;
    seen.insert(ci.cloud_id);
    live[ci.owner_request()].push_back(ci);
  }
  for (auto& [rid, xs] : live) {
    auto i = by_id.find(rid);
    if (rid.empty() || i == by_id.end() || is_dead_request(i->second->state)) {
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
    if (r.state == "submitted")
      plan.unfinished.push_back(r.id);
  if (listing_complete) {
    for (auto& r : records)
      if (is_live(r.state) && !r.cloud_id.empty() && seen.count(r.cloud_id) == 0)
        plan.vanished.push_back(r);
  }
  return plan;
}

std::string reconcile_report::to_json() const {
  std::string out = "{\"listed\":" + std::to_string(listed);
  out += ",\"adopted\":" + std::to_string(adopted);
  out += ",\"terminated_surplus\":" + std::to_string(terminated_surplus);
  out += ",\"terminated_orphans\":" + std::to_string(terminated_orphans);
  out += ",\"vanished\":" + std::to_string(vanished);
  out += ",\"unfinished\":" + std::to_string(unfinished);
  out += ",\"errors\":[";
  for (size_t i = 0; i < errors.size(); ++i)
    out += (i ? "," : "") + json_quote(errors[i]);
  return out + "]}";
}

} // namespace styx
