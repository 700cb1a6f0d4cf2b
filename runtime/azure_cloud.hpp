#pragma once
// The "azure" cloud as the engine makes it (runtime/engine.cpp): settings resolved with
// resolve_azure_settings() (azure-identity's variables), one token source for every location,
// and an azure_api per location, paced by Resource Manager's buckets shared among them.
// Thread rules: called by the thread that starts the engine. Lifetimes: the transport and the
// clock must outlive the returned api and the token source.

#include "runtime/gcp_cloud.hpp" // made_cloud
#include "providers/azure/azure_options.hpp"
#include "providers/token_source.hpp"

namespace styx {

/// The azure_api of `location`; `tokens` is shared by the engine's locations (made on first
/// use).
made_cloud make_azure_cloud(const std::string& location, const azure_options& opts,
                            http_transport& transport, const clock& clk, token_source_ptr& tokens);

/// Paces `cfg` by Resource Manager's buckets (opts.limits) shared by `regions` locations.
void apply_azure_limits(provider_config& cfg, const azure_options& opts, size_t regions);

} // namespace styx
