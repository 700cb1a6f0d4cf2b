#pragma once
// The "azure" cloud as the engine makes it (runtime/engine.cpp): settings resolved with
// resolve_azure_settings() (azure-identity's variables), one token source for every location
// of the engine, and an azure_api per location, paced by Resource Manager's buckets shared
// among those locations.
//
// Thread rules: called by the thread that starts the engine. Lifetimes: the transport and the
// clock must outlive the returned api and the token source.

#include <string>

#include "actors/provider_config.hpp"
#include "providers/azure/azure_options.hpp"
#include "providers/cloud_api.hpp"
#include "providers/http.hpp"
#include "providers/token_source.hpp"

namespace styx {

struct azure_cloud {
  cloud_api_ptr api;        // null when `error` is set
  std::string error;        // one line, no secret
  std::string description;  // where the settings came from, no secret (for the log)
};

/// The azure_api of `location`. `tokens` is shared by the engine's locations: made on first use.
azure_cloud make_azure_cloud(const std::string& location, const azure_options& opts,
                             http_transport& transport, const clock& clk,
                             token_source_ptr& tokens);

/// Paces `cfg` by Resource Manager's buckets (opts.limits) shared by `regions` locations.
void apply_azure_limits(provider_config& cfg, const azure_options& opts, size_t regions);

} // namespace styx
