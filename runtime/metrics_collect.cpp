#include "runtime/metrics_collect.hpp"

#include <array>

namespace styx {

namespace {

// providers/cloud_api.hpp's api_op, in its order (messages stay below providers).
constexpr std::array<const char*, api_op_count> op_names{
  "create", "describe", "stop", "start", "terminate", "list", "catalog", "watch"};
// actors/call_queue.hpp's call_class, in its order.
constexpr std::array<const char*, 5> class_names{"create", "start", "stop", "terminate",
                                                 "describe"};

const std::vector<std::string> by_provider{"provider"};

const char* const gauges[] = {"styx_retry_budget",   "styx_bucket_tokens",
                              "styx_bucket_capacity", "styx_in_flight",
                              "styx_queued_instances", "styx_watched_instances",
                              "styx_blocklist_entries"};

} // namespace

void describe_provider_metrics(metrics_registry& m) {
  using t = metric_type;
  m.describe("styx_api_calls_total", t::counter,
             "API call attempts answered by the cloud, by operation and outcome (ok, throttled, "
             "error).",
             {"provider", "op", "outcome"});
  m.describe("styx_throttles_total", t::counter,
             "Calls the cloud answered with a throttling error.", by_provider);
  m.describe("styx_retries_total", t::counter, "Calls sent again after a retryable error.",
             by_provider);
  m.describe("styx_retry_budget_exhausted_total", t::counter,
             "Retries refused because the retry budget was spent.", by_provider);
  m.describe("styx_failed_calls_total", t::counter, "Calls that ended in an error after retries.",
             by_provider);
  m.describe("styx_instances_created_total", t::counter,
             "Instances the cloud accepted in a create call.", by_provider);
  m.describe("styx_failovers_total", t::counter,
             "Instances sent back to the supervisor to be placed elsewhere: a create's capacity "
             "or quota error, a create withdrawn before it went out, or a cloud that took one "
             "but found no capacity for it.",
             by_provider);
  m.describe("styx_creates_withdrawn_total", t::counter,
             "Creates failed before they went out: the supervisor had just blocklisted their "
             "offering, so they were placed elsewhere without a call.",
             by_provider);
  m.describe("styx_slowed_by_cloud_total", t::counter,
             "Answers whose rate-limit headers lowered a request bucket.", by_provider);
  m.describe("styx_retry_budget", t::gauge, "Tokens left in the retry budget.", by_provider);
  m.describe("styx_bucket_tokens", t::gauge,
             "Tokens in a limited bucket now: <class>_requests (one per call) or "
             "<class>_instances (one per instance).",
             {"provider", "bucket"});
  m.describe("styx_bucket_capacity", t::gauge, "A limited bucket's capacity.",
             {"provider", "bucket"});
  m.describe("styx_in_flight", t::gauge, "API calls on the wire now.", by_provider);
  m.describe("styx_queued_instances", t::gauge,
             "Instances waiting in the provider: coalescing, buckets, retries.", by_provider);
  m.describe("styx_watched_instances", t::gauge, "Instances the provider polls or follows.",
             by_provider);
  m.describe("styx_blocklist_entries", t::gauge,
             "Live blocklist entries of the provider (offerings, or its whole region after a "
             "quota error).",
             by_provider);
  m.describe("styx_batch_size", t::histogram,
             "Instances per coalesced call (create, start, stop, terminate), first attempts.",
             by_provider, {batch_size_bounds.begin(), batch_size_bounds.end()});
}

void collect_provider_stats(metrics_registry& m, const std::vector<provider_stats>& stats,
                            const std::map<std::string, uint64_t>& extra_failovers) {
  describe_provider_metrics(m);
  for (auto* g : gauges)
    m.clear(g);
  for (auto& s : stats) {
    if (s.provider.cloud.empty()) // a provider that did not answer
      continue;
    auto p = s.provider.to_string();
    for (size_t i = 0; i < s.answers.size() && i < api_op_count * call_outcome_count; ++i)
      if (s.answers[i] > 0)
        m.set("styx_api_calls_total",
              {p, op_names[i / call_outcome_count],
               to_string(static_cast<call_outcome>(i % call_outcome_count))},
              static_cast<double>(s.answers[i]));
    auto extra = extra_failovers.find(p);
    auto failovers = s.placement_errors + s.creates_withdrawn
                     + (extra != extra_failovers.end() ? extra->second : 0);
    m.set("styx_throttles_total", {p}, static_cast<double>(s.throttled));
    m.set("styx_retries_total", {p}, static_cast<double>(s.retries));
    m.set("styx_retry_budget_exhausted_total", {p}, static_cast<double>(s.budget_exhausted));
    m.set("styx_failed_calls_total", {p}, static_cast<double>(s.failed_calls));
    m.set("styx_instances_created_total", {p}, static_cast<double>(s.instances_created));
    m.set("styx_failovers_total", {p}, static_cast<double>(failovers));
    m.set("styx_creates_withdrawn_total", {p}, static_cast<double>(s.creates_withdrawn));
    m.set("styx_slowed_by_cloud_total", {p}, static_cast<double>(s.slowed_by_cloud));
    m.set("styx_retry_budget", {p}, static_cast<double>(s.retry_budget));
    for (size_t i = 0; i < s.bucket_capacity.size() && i < s.bucket_tokens.size(); ++i) {
      if (s.bucket_capacity[i] <= 0 || i >= 2 * class_names.size())
        continue; // unlimited
      auto bucket = std::string{class_names[i % class_names.size()]}
                    + (i < class_names.size() ? "_requests" : "_instances");
      m.set("styx_bucket_tokens", {p, bucket}, s.bucket_tokens[i]);
      m.set("styx_bucket_capacity", {p, bucket}, s.bucket_capacity[i]);
    }
    m.set("styx_in_flight", {p}, static_cast<double>(s.in_flight));
    m.set("styx_queued_instances", {p}, static_cast<double>(s.queued));
    m.set("styx_watched_instances", {p}, static_cast<double>(s.watched));
    m.set("styx_blocklist_entries", {p}, static_cast<double>(s.blocklisted));
    auto sizes = s.batch_sizes;
    sizes.resize(batch_size_bounds.size() + 1);
    m.set_histogram("styx_batch_size", {p}, sizes, static_cast<double>(s.batch_size_sum));
  }
}

} // namespace styx
