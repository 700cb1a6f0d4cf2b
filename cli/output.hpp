#pragma once
// What the CLI prints: tables for people, JSON for programs, progress for terminals.

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "actors/placement_quote.hpp"
#include "messages/events.hpp"

namespace styx::cli {

void write_json(std::ostream& out, const instance_record& r);
void write_json(std::ostream& out, const std::vector<instance_record>& rs);
/// A request's end; with `plan`, the plan it was quoted before it started as "plan".
void write_json(std::ostream& out, const request_done& d, double seconds,
                const placement_quote* plan = nullptr);
/// `styx up --detach --json`: the request, what is pending and running, and its plan.
void write_detached_json(std::ostream& out, const request_id& id, const request_progress& p,
                         const placement_quote* plan);

/// The `styx status` table and a count per state.
void write_table(std::ostream& out, const std::vector<instance_record>& rs);

/// A one-line progress bar on a terminal; plain lines, at most one a second, otherwise.
class progress_printer {
public:
  explicit progress_printer(std::ostream& out);
  void update(const request_progress& p);
  void finish();

private:
  std::ostream& out_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

} // namespace styx::cli
