#pragma once
// How the CLI's commands make their engine, and the small parsers they share
// (cli/commands.cpp, cli/change_command.cpp). Runs on the main thread, before and after the
// engine; nothing here is kept between calls.

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "runtime/engine.hpp"

namespace styx::cli {

/// The engine for `clouds` (none: the simulated cloud). With `remembered` (every command but a
/// plain `up`) it also has every provider an earlier process used: the aws regions in
/// <state_dir>/providers and the nodes in <state_dir>/nodes (or those of `--nodes FILE`), so
/// status, stop, start, down and reconcile reach their instances; a provider that cannot be
/// made (aws without credentials) is left out and reported as not reached. The aws cloud runs
/// in `regions`, else in the AWS CLI's default region. STYX_AWS_DEFAULT_IMAGE and
/// STYX_AWS_SUBNET set the EC2 launch options; STYX_LOCAL_CPUS, STYX_LOCAL_MEMORY (GiB) and
/// STYX_LOCAL_GRACE (seconds) the local cloud's capacity and terminate grace period. Throws
/// usage_error on bad input.
engine_config config_for(const common_options& common, std::vector<std::string> clouds,
                         const std::vector<std::string>& regions = {}, bool remembered = true);

/// --call-timeout as a duration, if given (engines and nodes alike); throws usage_error
/// outside 1..3600 seconds.
std::optional<duration> call_timeout_of(const common_options& common);

/// "k=v" as a pair; throws usage_error.
std::pair<std::string, std::string> parse_tag(const std::string& text);

/// A request id given to `flag`; throws usage_error.
request_id parse_request_id(const std::string& text, const char* flag);

/// Prints "styx: N instance(s) on node HOST:PORT not reached; nothing changed for them" to
/// `err` for every node or local provider of `records` the engine does not reach
/// (engine::unreached_of). Returns the instances not reached.
std::set<instance_id> report_unreached(engine& eng, const std::vector<instance_record>& records,
                                       std::ostream& err);

} // namespace styx::cli
