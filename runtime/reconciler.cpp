#include "runtime/reconciler.hpp"

#include <chrono>

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
  for (auto& x : plan.adopt)
    db_.record_instance(styx::record_of(x.instance, x.provider));
  report.terminated_surplus = end_all(plan.terminate_surplus);
  report.terminated_orphans = end_all(plan.terminate_orphans);
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

int reconciler::end_all(const std::vector<listed_instance>& xs) {
  selector sel;
  for (auto& x : xs)
    if (!x.instance.owner_instance().empty())
      sel.ids.push_back(x.instance.owner_instance());
  if (sel.ids.empty())
    return 0;
  int n = eng_.terminate(sel);
  // A reconcile that returns has ended what it reports as ended.
  eng_.wait_for_state(sel, instance_state::terminated, std::chrono::minutes(2));
  return n;
}

void reconciler::record_outcome(const reconcile_plan& plan, reconcile_report& report) {
  for (auto rec : plan.vanished) {
    rec.state = instance_state::terminated;
    rec.since = wall_.wall_ms();
    rec.last_error = "vanished from the cloud";
    db_.record_instance(rec);
  }
  report.vanished = static_cast<int>(plan.vanished.size());
  for (auto& rid : plan.unfinished) {
    if (db_.recorded_here(rid)) // running in this process, not interrupted
      continue;
    db_.set_request_state(rid, request_state::interrupted);
    ++report.unfinished;
  }
  for (auto rec : plan.never_created) {
    if (db_.recorded_here(rec.request)) // its request runs in this process
      continue;
    rec.state = instance_state::failed;
    rec.since = wall_.wall_ms();
    rec.last_error = "create interrupted; the cloud never had it";
    db_.record_instance(rec);
  }
  report.not_reached = static_cast<int>(plan.not_reached.size());
  for (auto& token : plan.resolved_intents)
    db_.close_intent(token, "reconcile");
  report.intents_resolved = static_cast<int>(plan.resolved_intents.size());
}

} // namespace styx
