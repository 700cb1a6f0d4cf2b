#include "runtime/reconciler.hpp"

#include "messages/transition.hpp"

#include <chrono>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "runtime/engine.hpp"
#include "runtime/store.hpp"

namespace styx {

reconciler::reconciler(engine& eng, store& db, std::vector<provider_ref> providers,
                       std::function<instance_id()> fresh_id, const clock& wall)
  : eng_(eng),
    db_(db),
    providers_(std::move(providers)),
    fresh_id_(std::move(fresh_id)),
    wall_(wall) {
  // nop
}

reconcile_report reconciler::run() {
  reconcile_report report;
  listings_.clear();
  list_providers(report);
  bool listing_complete = report.errors.empty();
  // Every live listed instance gets its engine id first, from its tag, its record or its
  // create call, so that the plan and the supervisor's adoption below see owners.
  auto records = db_.instances();
  auto open_intents = db_.open_intents();
  report.identified = assign_owners(listings_, records, db_.intents(), fresh_id_);
  auto plan = plan_reconcile(db_.requests(), records, listings_, listing_complete, open_intents);
  // What the listing found, as records: the supervisor adopts them without listing again,
  // and the store learns of what it missed (a crash between the create and its record).
  std::vector<instance_record> found;
  for (auto& l : listings_) {
    report.listed += static_cast<int>(l.instances.size());
    for (auto& ci : l.instances)
      if (!is_final(ci.state) && !ci.owner_instance().empty())
        found.push_back(styx::record_of(ci, l.provider));
  }
  eng_.adopt(std::move(found)); // every live tagged instance gets an actor; surplus and
                                // orphans end below
  report.adopted = static_cast<int>(plan.adopt.size());
  std::map<instance_id, const instance_record*> by_id;
  for (auto& r : records)
    by_id.emplace(r.id, &r);
  for (auto& x : plan.adopt) {
    // A sighting: the stored record (if any) follows the cloud through the table.
    auto seen = styx::record_of(x.instance, x.provider);
    auto stored = by_id.find(seen.id);
    if (stored == by_id.end()) {
      seen.reason = state_reason::found;
      db_.record_instance(seen);
      continue;
    }
    auto rec = *stored->second;
    rec.cloud_id = seen.cloud_id;
    rec.zone = seen.zone;
    auto next = advance(std::move(rec), observation{x.instance.state, state_reason::found,
                                                    wall_.wall_ms(), {}});
    if (!next.refused)
      db_.record_instance(next.record);
  }
  report.terminated_surplus = end_all(plan.terminate_surplus, state_reason::surplus,
                                      "reconcile: its request had its count without it");
  report.terminated_orphans = end_all(plan.terminate_orphans, state_reason::orphan,
                                      "reconcile: its request is over or unknown");
  record_outcome(plan, report);
  db_.flush();
  return report;
}

void reconciler::list_providers(reconcile_report& report) {
  caf::scoped_actor self{eng_.system()};
  for (auto& p : providers_) {
    // Bounded: a remote provider cut off while the request is on the wire never answers.
    self->request(p.handle, std::chrono::minutes(5),
                  list_instances{{{ownership_tag::engine, eng_.engine_id()}}})
      .receive(
        [&](std::vector<cloud_instance>& xs) {
          listings_.push_back(provider_listing{p.id, std::move(xs)});
        },
        [&](caf::error& e) {
          report.errors.push_back(p.id.to_string() + ": " + eng_.system().render(e));
        });
  }
}

int reconciler::end_all(const std::vector<listed_instance>& xs, state_reason why,
                        const std::string& detail) {
  selector sel;
  for (auto& x : xs)
    if (!x.instance.owner_instance().empty())
      sel.ids.push_back(x.instance.owner_instance());
  if (sel.ids.empty())
    return 0;
  int n = eng_.terminate(sel, why, detail);
  // A reconcile that returns has ended what it reports as ended.
  eng_.wait_for_state(sel, instance_state::terminated, std::chrono::minutes(2));
  return n;
}

void reconciler::record_outcome(const reconcile_plan& plan, reconcile_report& report) {
  auto write = [&](const instance_record& rec, instance_state to, state_reason why,
                   const char* detail) {
    auto next = advance(rec, observation{to, why, wall_.wall_ms(), detail});
    if (next.changed)
      db_.record_instance(next.record);
  };
  for (auto& rec : plan.vanished)
    write(rec, instance_state::terminated, state_reason::vanished, "vanished from the cloud");
  report.vanished = static_cast<int>(plan.vanished.size());
  for (auto& rid : plan.unfinished) {
    if (db_.recorded_here(rid)) // running in this process, not interrupted
      continue;
    db_.set_request_state(rid, request_state::interrupted);
    ++report.unfinished;
  }
  for (auto& rec : plan.never_created) {
    if (db_.recorded_here(rec.request)) // its request runs in this process
      continue;
    write(rec, instance_state::failed, state_reason::never_created,
          "create interrupted; the cloud never had it");
  }
  report.not_reached = static_cast<int>(plan.not_reached.size());
  for (auto& token : plan.resolved_intents)
    db_.close_intent(token, "reconcile");
  report.intents_resolved = static_cast<int>(plan.resolved_intents.size());
}

} // namespace styx
