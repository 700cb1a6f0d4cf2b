#include "cli/output.hpp"

#include "common/json.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <iomanip>

#include <unistd.h>

namespace styx::cli {


void write_json(std::ostream& out, const instance_record& r) {
  out << "{\"id\":" << json_quote(r.id.to_string())
      << ",\"request\":" << json_quote(r.request.to_string())
      << ",\"name\":" << json_quote(r.name)
      << ",\"provider\":" << json_quote(r.provider.to_string())
      << ",\"zone\":" << json_quote(r.zone)
      << ",\"instance_type\":" << json_quote(r.instance_type)
      << ",\"market\":" << json_quote(to_string(r.market))
      << ",\"cloud_id\":" << json_quote(r.cloud_id)
      << ",\"state\":" << json_quote(to_string(r.state)) << ",\"since\":" << r.since
      << ",\"reason\":" << json_quote(to_string(r.reason))
      << ",\"tags\":{";
  bool first = true;
  for (auto& [k, v] : r.tags) {
    out << (first ? "" : ",") << json_quote(k) << ':' << json_quote(v);
    first = false;
  }
  out << "},\"last_error\":" << json_quote(r.last_error) << '}';
}

void write_json(std::ostream& out, const std::vector<instance_record>& rs) {
  out << "{\"instances\":[";
  for (size_t i = 0; i < rs.size(); ++i) {
    out << (i == 0 ? "\n" : ",\n");
    write_json(out, rs[i]);
  }
  out << "\n],\"count\":" << rs.size() << "}\n";
}

void write_json(std::ostream& out, const request_done& d, double seconds,
                const placement_quote* plan) {
  out << "{\"request\":" << json_quote(d.request.to_string())
      << ",\"ok\":" << (d.ok ? "true" : "false")
      << ",\"rolled_back\":" << (d.rolled_back ? "true" : "false") << ",\"count\":" << d.count
      << ",\"running\":" << d.running << ",\"failed\":" << d.failed
      << ",\"seconds\":" << std::fixed << std::setprecision(3) << seconds
      << ",\"error\":" << json_quote(d.error) << ",\"failures\":[";
  for (size_t i = 0; i < d.failures.size(); ++i) {
    auto& f = d.failures[i];
    out << (i == 0 ? "" : ",") << "{\"instance\":" << json_quote(f.instance.to_string())
        << ",\"where\":" << json_quote(f.provider) << ",\"reason\":" << json_quote(f.reason)
        << '}';
  }
  out << "],\"plan\":" << (plan ? plan->to_json() : "null") << "}\n";
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
