#include "actors/placement_quote.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/json.hpp"

namespace styx {

namespace {

/// "~25 s", "~1.5 s", "~4 min", "never".
std::string about(double seconds) {
  if (seconds < 0)
    return "never";
  char buf[32];
  if (seconds < 0.05)
    return "~0 s";
  if (seconds < 10)
    std::snprintf(buf, sizeof(buf), "~%.1f s", seconds);
  else if (seconds < 600)
    std::snprintf(buf, sizeof(buf), "~%.0f s", seconds);
  else
    std::snprintf(buf, sizeof(buf), "~%.0f min", seconds / 60);
  return buf;
}

} // namespace

int placement_quote::used() const {
  int n = 0;
  for (auto& l : lanes)
    n += l.share > 0 ? 1 : 0;
  return n;
}

std::string placement_quote::summary() const {
  if (!error.empty())
    return "no plan: " + error;
  std::ostringstream out;
  int n = used();
  out << count << " on " << n << (n == 1 ? " provider" : " providers");
  if (n > 1 && n <= 4) {
    out << " (";
    bool first = true;
    for (auto& l : lanes)
      if (l.share > 0) {
        out << (first ? "" : ", ") << l.share << ' ' << l.provider.to_string();
        first = false;
      }
    out << ')';
  } else if (n == 1) {
    for (auto& l : lanes)
      if (l.share > 0)
        out << " (" << l.provider.to_string() << ')';
  }
  out << ", expected all created in " << about(seconds) << " (" << to_string(policy);
  if (policy == placement_policy::cheapest_within)
    out << ' ' << about(within_seconds).substr(1)
        << (deadline_met ? ": met" : ": cannot be met, as fast as possible instead");
  out << ')';
  if (cheapest_spend_per_hour > 0 && spend_per_hour > cheapest_spend_per_hour * 1.0005) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "; $%.2f/h, %.1f%% over all-cheapest $%.2f/h", spend_per_hour,
                  100 * (spend_per_hour / cheapest_spend_per_hour - 1), cheapest_spend_per_hour);
    out << buf;
  }
  return out.str();
}

std::string placement_quote::to_json() const {
  std::ostringstream out;
  out.precision(6);
  out << "{\"policy\":" << json_quote(to_string(policy)) << ",\"count\":" << count
      << ",\"seconds\":" << seconds << ",\"within_seconds\":" << within_seconds
      << ",\"deadline_met\":" << (deadline_met ? "true" : "false")
      << ",\"spend_per_hour\":" << spend_per_hour
      << ",\"cheapest_spend_per_hour\":" << cheapest_spend_per_hour
      << ",\"error\":" << json_quote(error) << ",\"lanes\":[";
  for (size_t i = 0; i < lanes.size(); ++i) {
    auto& l = lanes[i];
    out << (i ? "," : "") << "{\"provider\":" << json_quote(l.provider.to_string())
        << ",\"zone\":" << json_quote(l.zone) << ",\"instance_type\":"
        << json_quote(l.instance_type) << ",\"price\":" << l.price << ",\"share\":" << l.share
        << ",\"seconds\":" << l.seconds << '}';
  }
  out << "]}";
  return out.str();
}

} // namespace styx
