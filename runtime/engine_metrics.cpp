#include "runtime/engine_metrics.hpp"

#include "runtime/metrics_collect.hpp"
#include "runtime/reconcile.hpp"

namespace styx {

namespace {

// Seconds, from a request's submission: a fan-out's instances are created within minutes
// and running within some more.
const std::vector<double> time_bounds{0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600};

double seconds_between(unix_ms from, unix_ms to) {
  return to > from ? static_cast<double>(to - from) / 1000.0 : 0.0;
}

} // namespace

engine_metrics::engine_metrics(const clock& wall) : wall_(wall) {
  using t = metric_type;
  describe_provider_metrics(reg_);
  reg_.describe("styx_instances", t::gauge,
                "Instances in the engine's books by state: every one it created or adopted; "
                "terminated and failed count every one that ended since the engine started.",
                {"state"});
  reg_.describe("styx_time_to_created_seconds", t::histogram,
                "Per instance: from its request's submission to the cloud's acceptance "
                "(pending).",
                {}, time_bounds);
  reg_.describe("styx_time_to_running_seconds", t::histogram,
                "Per instance: from its request's submission to running.", {}, time_bounds);
  reg_.describe("styx_request_duration_seconds", t::histogram,
                "Per request: from its submission to its end (all running, or failed).", {},
                time_bounds);
  reg_.describe("styx_requests_total", t::counter,
                "Requests ended, by outcome (ok, failed, rolled_back).", {"outcome"});
  reg_.describe("styx_preemptions_total", t::counter,
                "Spot instances the market took back.", {"provider"});
  reg_.describe("styx_reconcile_actions_total", t::counter,
                "What reconcile (engine::reconcile, styx reconcile) and the re-match of a "
                "returning provider did, by action.",
                {"action"});
  for (int s = 0; s < instance_state_count; ++s)
    reg_.set("styx_instances", {to_string(static_cast<instance_state>(s))}, 0);
}

void engine_metrics::on_submit(const request_id& id, unix_ms at) {
  std::lock_guard<std::mutex> guard{mtx_};
  submitted_[id] = at;
}

void engine_metrics::on_change(const instance_state_changed& ev) {
  auto& rec = ev.record;
  auto to = rec.state;
  if (ev.from == to)
    return; // an annotation or an instance found, not a move
  std::lock_guard<std::mutex> guard{mtx_};
  auto sub = submitted_.find(rec.request);
  if (sub != submitted_.end() && rec.since > 0) {
    if (to == instance_state::pending && ev.from == instance_state::requested)
      reg_.observe("styx_time_to_created_seconds", {}, seconds_between(sub->second, rec.since));
    if (to == instance_state::running && ev.from == instance_state::pending)
      reg_.observe("styx_time_to_running_seconds", {}, seconds_between(sub->second, rec.since));
  }
  bool ended = is_final(to) || to == instance_state::stopped;
  if (ended && rec.reason == state_reason::preempted)
    reg_.add("styx_preemptions_total", {rec.provider.to_string()});
  if (is_final(to) && rec.reason == state_reason::no_capacity)
    ++no_capacity_[rec.provider.to_string()];
}

void engine_metrics::on_event(const engine_event& ev) {
  if (auto* c = std::get_if<instance_state_changed>(&ev)) {
    on_change(*c);
  } else if (auto* d = std::get_if<request_done>(&ev)) {
    reg_.add("styx_requests_total", {d->ok ? "ok" : d->rolled_back ? "rolled_back" : "failed"});
    std::lock_guard<std::mutex> guard{mtx_};
    auto sub = submitted_.find(d->request);
    if (sub != submitted_.end()) {
      // The end is now: request_done carries no time of its own.
      reg_.observe("styx_request_duration_seconds", {},
                   seconds_between(sub->second, wall_.wall_ms()));
      submitted_.erase(sub);
    }
  } else if (auto* r = std::get_if<provider_returned>(&ev)) {
    auto act = [&](const char* action, int n) {
      if (n > 0)
        reg_.add("styx_reconcile_actions_total", {action}, n);
    };
    act("rewatched", r->rewatched);
    act("adopted", r->adopted);
    act("terminated_surplus", r->terminated);
    act("vanished", r->vanished);
    act("unknown", r->unknown);
  }
}

void engine_metrics::on_reconcile(const reconcile_report& r) {
  auto act = [&](const char* action, int n) {
    if (n > 0)
      reg_.add("styx_reconcile_actions_total", {action}, n);
  };
  act("adopted", r.adopted);
  act("identified", r.identified);
  act("terminated_surplus", r.terminated_surplus);
  act("terminated_orphans", r.terminated_orphans);
  act("vanished", r.vanished);
  act("unfinished", r.unfinished);
  act("intents_resolved", r.intents_resolved);
  act("not_reached", r.not_reached);
}

std::string engine_metrics::text(const std::vector<provider_stats>& stats,
                                 const state_counts& books) {
  for (int s = 0; s < instance_state_count; ++s) {
    auto state = static_cast<instance_state>(s);
    reg_.set("styx_instances", {to_string(state)}, static_cast<double>(books.of(state)));
  }
  std::map<std::string, uint64_t> no_capacity;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    no_capacity = no_capacity_;
  }
  collect_provider_stats(reg_, stats, no_capacity);
  return reg_.text();
}

} // namespace styx
