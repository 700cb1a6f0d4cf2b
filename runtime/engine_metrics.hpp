#pragma once
// Internal to the engine (runtime/engine.cpp): what the engine counts for its metrics besides
// the providers' own stats (runtime/metrics_collect.hpp). It follows the engine's events (a
// subscription on the event hub), the requests submitted through the facade and the reports
// of reconcile, and renders everything as engine::metrics_text(). Not a public header.
//
// Families: styx_instances{state}, styx_time_to_created_seconds,
// styx_time_to_running_seconds, styx_request_duration_seconds, styx_requests_total{outcome},
// styx_preemptions_total{provider}, styx_reconcile_actions_total{action}, and the provider
// families (README "Metrics").
//
// styx_instances is not counted here: it is the supervisor's books by state (state_counts),
// which text() is given. Following every transition here cost a table of every live instance
// and a lookup per event.
//
// Thread rules: thread-safe (one mutex of its own, and the registry's); on_event() runs on the
// event bridge's thread, the rest on callers' threads. Lifetimes: owned by the engine; the
// hub's subscription holds it through a shared_ptr.

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "messages/state_counts.hpp"
#include "runtime/engine.hpp"
#include "runtime/metrics.hpp"

namespace styx {

struct reconcile_report;

class engine_metrics {
public:
  /// `wall`: the engine's clock (the end of a request); it must outlive this.
  explicit engine_metrics(const clock& wall);

  /// A request was submitted at `at` (the engine's wall clock): the start of its times.
  void on_submit(const request_id& id, unix_ms at);
  void on_event(const engine_event& ev);
  void on_reconcile(const reconcile_report& r);

  /// The exposition, with the provider families set from `stats` and styx_instances from
  /// `books` (the supervisor's) first.
  std::string text(const std::vector<provider_stats>& stats, const state_counts& books);

  metrics_registry& registry() { return reg_; }

private:
  void on_change(const instance_state_changed& ev);

  const clock& wall_;
  metrics_registry reg_;
  std::mutex mtx_;
  std::unordered_map<request_id, unix_ms, uuid_hash> submitted_; // until request_done
  std::map<std::string, uint64_t> no_capacity_;                      // failovers seen in events
};

} // namespace styx
