#pragma once
// A small metrics registry: counters, gauges and histograms with fixed buckets, rendered in the
// Prometheus text exposition format 0.0.4 (HELP and TYPE lines, escaped label values,
// cumulative _bucket{le=...} series with _sum and _count).
//
//   metrics_registry m;
//   m.describe("styx_throttles_total", metric_type::counter, "Calls throttled.", {"provider"});
//   m.add("styx_throttles_total", {"sim/us-east-1"});          // += 1
//   m.describe("styx_batch_size", metric_type::histogram, "Instances per call.", {}, {1, 10});
//   m.observe("styx_batch_size", {}, 7);
//   std::string text = m.text();                                // GET /metrics's body
//
// A family is declared once with its label names (and a histogram with its bucket bounds);
// samples name their label values in the same order. Values that come from a source that
// keeps its own totals (provider_stats) are set() rather than added, and a histogram kept
// elsewhere is set whole with set_histogram(). Misuse (an undeclared name, a wrong number of
// label values, an invalid name) throws std::invalid_argument.
//
// Thread rules: every method is thread-safe (one mutex); text() renders a consistent snapshot.
// Lifetimes: a plain value; it keeps no reference to its callers.

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace styx {

enum class metric_type { counter, gauge, histogram };

const char* to_string(metric_type t);

class metrics_registry {
public:
  using label_values = std::vector<std::string>;

  /// Declares a family. Declaring it again with the same type, labels and bounds is a no-op.
  /// A histogram's bounds must be strictly increasing; +Inf is implicit.
  void describe(const std::string& name, metric_type type, const std::string& help,
                std::vector<std::string> label_names = {}, std::vector<double> bounds = {});

  /// Counter or gauge: adds `delta` (a counter refuses a negative one).
  void add(const std::string& name, const label_values& labels, double delta = 1);
  /// Counter or gauge: sets the value (a counter from a source's own running total).
  void set(const std::string& name, const label_values& labels, double value);
  /// Histogram: one observation.
  void observe(const std::string& name, const label_values& labels, double value);
  /// Histogram: the whole state from elsewhere; `counts` per bucket, not cumulative, one per
  /// bound and a last one for the rest (+Inf).
  void set_histogram(const std::string& name, const label_values& labels,
                     const std::vector<uint64_t>& counts, double sum);
  /// Forgets every sample of a family (a gauge whose label sets come and go).
  void clear(const std::string& name);

  /// A value now (counter or gauge), or the count of a histogram; 0 when never set.
  double value(const std::string& name, const label_values& labels) const;

  /// The exposition: families by name, samples by label values.
  std::string text() const;

  /// "text/plain; version=0.0.4; charset=utf-8"
  static const char* content_type();

private:
  struct sample {
    double value = 0;              // counter, gauge
    std::vector<uint64_t> counts;  // histogram: per bucket, the last for +Inf
    double sum = 0;
  };
  struct family {
    metric_type type = metric_type::counter;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::map<label_values, sample> samples;
  };

  family& find(const std::string& name, const label_values& labels, metric_type a,
               metric_type b);

  mutable std::mutex mtx_;
  std::map<std::string, family> families_;
};

/// Label value escaping of the text format: backslash, double quote and line feed.
std::string escape_label_value(const std::string& v);
/// HELP escaping: backslash and line feed.
std::string escape_help(const std::string& v);
/// A sample value: integers without a fraction, others shortest round-trip, +Inf, -Inf, NaN.
std::string format_metric_value(double v);

} // namespace styx
