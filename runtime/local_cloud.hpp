#pragma once
// The "local" cloud as the engine makes it (runtime/engine.cpp): one process manager for the
// engine (made on first use, in <state_dir>/local, or a temporary directory named after the
// engine without a state dir) and a local_api per region (the host: "localhost" by default),
// paced as a machine, not an API: no buckets, and polls and sweeps every second or faster,
// since reading /proc costs nothing.
//
// Thread rules: called by the thread that starts the engine. Lifetimes: the manager must
// outlive the provider actors (the engine resets it after they are done).

#include <memory>
#include <string>

#include "actors/provider_config.hpp"
#include "providers/cloud_api.hpp"
#include "providers/local/local_options.hpp"
#include "runtime/process_manager.hpp"

namespace styx {

/// Where the local cloud of an engine keeps its registry and logs.
std::string local_cloud_dir(const std::string& state_dir, const std::string& engine_id);

/// The local_api of `region`, on `manager` (made here on first use; throws
/// std::runtime_error when its directory or registry cannot be read).
cloud_api_ptr make_local_cloud(const std::string& region, const local_options& opts,
                               const std::string& dir, std::unique_ptr<process_manager>& manager);

/// Paces `cfg` as a machine: unlimited buckets, fast polls and sweeps.
void apply_local_pacing(provider_config& cfg);

} // namespace styx
