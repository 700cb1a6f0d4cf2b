#pragma once
// The provider families of Styx's metrics (README "Metrics"), set from what the provider actors
// report (messages/protocol.hpp's provider_stats): calls by op and outcome, throttles,
// retries, the retry budget, bucket tokens, in flight, batch sizes, failovers, the blocklist.
// Used by the engine (runtime/engine_metrics.hpp) and by `styx node --metrics`.
//
// Thread rules: those of metrics_registry (thread-safe). Lifetimes: nothing is kept.

#include <map>
#include <string>
#include <vector>

#include "messages/protocol.hpp"
#include "runtime/metrics.hpp"

namespace styx {

/// Declares the provider families on `m` (idempotent).
void describe_provider_metrics(metrics_registry& m);

/// Sets the provider families from `stats` (each a provider's own running totals and its
/// levels now). Gauges of providers not in `stats` are dropped; counters keep their last
/// value. `extra_failovers`: per provider (to_string), failovers the engine saw in events
/// (a pod the cloud took but could not schedule), added to the provider's placement errors.
void collect_provider_stats(metrics_registry& m, const std::vector<provider_stats>& stats,
                            const std::map<std::string, uint64_t>& extra_failovers = {});

} // namespace styx
