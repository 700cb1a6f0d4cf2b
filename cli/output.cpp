#include "cli/output.hpp"

#include "common/json.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <map>

#include <unistd.h>

namespace styx::cli {


namespace {

json record_json(const instance_record& r) {
  json tags = json_object(r.tags);
  return {{"id", r.id.to_string()},
          {"request", r.request.to_string()},
          {"name", r.name},
          {"provider", r.provider.to_string()},
          {"zone", r.zone},
          {"instance_type", r.instance_type},
          {"market", to_string(r.market)},
          {"cloud_id", r.cloud_id},
          {"state", to_string(r.state)},
          {"since", r.since},
          {"reason", to_string(r.reason)},
          {"tags", std::move(tags)},
          {"last_error", r.last_error}};
}

} // namespace

void write_json(std::ostream& out, const instance_record& r) {
  out << json_text(record_json(r));
}

void write_json(std::ostream& out, const std::vector<instance_record>& rs) {
  // One instance a line, so that the output greps and diffs by instance.
  out << "{\"instances\":[";
  for (size_t i = 0; i < rs.size(); ++i) {
    out << (i == 0 ? "\n" : ",\n");
    write_json(out, rs[i]);
  }
  out << "\n],\"count\":" << rs.size() << "}\n";
}

void write_json(std::ostream& out, const request_done& d, double seconds,
                const placement_quote* plan) {
  json failures = json::array();
  for (auto& f : d.failures)
    failures.push_back(
      {{"instance", f.instance.to_string()}, {"where", f.provider}, {"reason", f.reason}});
  json j = {{"request", d.request.to_string()},
            {"ok", d.ok},
            {"rolled_back", d.rolled_back},
            {"count", d.count},
            {"running", d.running},
            {"failed", d.failed},
            {"seconds", std::round(seconds * 1000) / 1000}, // milliseconds, as before
            {"error", d.error},
            {"failures", std::move(failures)}};
  // The plan's own JSON text (actors/placement_quote.hpp) goes in as it is written.
  auto text = json_text(j);
  text.pop_back();
  out << text << ",\"plan\":" << (plan ? plan->to_json() : "null") << "}\n";
}

void write_detached_json(std::ostream& out, const request_id& id, const request_progress& p,
                         const placement_quote* plan) {
  auto text = json_text(json{{"request", id.to_string()},
                             {"detached", true},
                             {"pending", p.pending},
                             {"running", p.running}});
  text.pop_back();
  out << text << ",\"plan\":" << (plan ? plan->to_json() : "null") << "}\n";
}

namespace {

/// cloud/region, and the first 8 characters of its node's id when it lives on a node.
std::string short_provider(const provider_id& p) {
  return p.is_local() ? p.name() : p.name() + "@" + p.node.substr(0, 8);
}

} // namespace

void write_table(std::ostream& out, const std::vector<instance_record>& rs) {
  std::array<size_t, instance_state_count> counts{};
  out << std::left << std::setw(10) << "ID" << std::setw(16) << "NAME" << std::setw(24)
      << "PROVIDER" << std::setw(16) << "ZONE" << std::setw(15) << "TYPE" << std::setw(10)
      << "MARKET" << std::setw(12) << "STATE" << "CLOUD ID\n";
  for (auto& r : rs) {
    ++counts[static_cast<size_t>(r.state)];
    out << std::setw(10) << r.id.to_string().substr(0, 8) << std::setw(16) << r.name
        << std::setw(24) << short_provider(r.provider) << std::setw(16) << r.zone << std::setw(15)
        << r.instance_type << std::setw(10) << to_string(r.market) << std::setw(12)
        << to_string(r.state) << r.cloud_id << '\n';
  }
  out << rs.size() << " instance(s)";
  for (int i = 0; i < instance_state_count; ++i)
    if (counts[static_cast<size_t>(i)] > 0)
      out << ", " << counts[static_cast<size_t>(i)] << ' '
          << to_string(static_cast<instance_state>(i));
  out << '\n';
  // One summary line per provider: its count in each state, in the states' order.
  std::map<std::string, std::array<size_t, instance_state_count>> by_provider;
  for (auto& r : rs) {
    auto& c = by_provider.try_emplace(short_provider(r.provider)).first->second;
    ++c[static_cast<size_t>(r.state)];
  }
  for (auto& [provider, c] : by_provider) {
    size_t total = 0;
    for (auto n : c)
      total += n;
    out << "  " << provider << ": " << total;
    const char* sep = " (";
    for (int i = 0; i < instance_state_count; ++i)
      if (c[static_cast<size_t>(i)] > 0) {
        out << sep << c[static_cast<size_t>(i)] << ' '
            << to_string(static_cast<instance_state>(i));
        sep = ", ";
      }
    out << ")\n";
  }
}

progress_printer::progress_printer(std::ostream& out)
  : out_(out),
    tty_(::isatty(STDERR_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr),
    start_(std::chrono::steady_clock::now()),
    last_(start_) {
  // nop
}

void progress_printer::update(const request_progress& p) {
  auto now = std::chrono::steady_clock::now();
  auto secs = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    constexpr int width = 30;
    int filled = p.count > 0 ? width * p.running / p.count : 0;
    out_ << "\r  [" << std::string(static_cast<size_t>(filled), '#')
         << std::string(static_cast<size_t>(width - filled), '.') << "] " << p.running << '/'
         << p.count << " running, " << p.pending << " pending, " << p.requested
         << " requested, " << p.failed << " failed  " << std::fixed << std::setprecision(1)
         << secs << "s   " << std::flush;
    drawn_ = true;
  } else if (now - last_ >= std::chrono::seconds(1)) {
    last_ = now;
    out_ << "progress: " << p.running << '/' << p.count << " running, " << p.pending
         << " pending, " << p.requested << " requested, " << p.failed << " failed ("
         << std::fixed << std::setprecision(1) << secs << "s)\n";
  }
}

void progress_printer::finish() {
  if (drawn_)
    out_ << '\n';
  drawn_ = false;
}

} // namespace styx::cli
