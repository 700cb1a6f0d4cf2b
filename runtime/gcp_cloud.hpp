#pragma once
// The "gcp" cloud as the engine makes it (runtime/engine.cpp): settings resolved with
// resolve_gcp_settings() (gcloud's chain), one token source for every region of the engine,
// and a gcp_api per region, paced by the project's quotas shared among those regions.
//
// Thread rules: called by the thread that starts the engine. Lifetimes: the transport and
// the clock must outlive the returned api and the token source.

#include <string>

#include "actors/provider_config.hpp"
#include "providers/cloud_api.hpp"
#include "runtime/made_cloud.hpp"
#include "providers/gcp/gcp_options.hpp"
#include "providers/gcp/gcp_token_source.hpp"
#include "providers/http.hpp"

namespace styx {

using gcp_cloud = made_cloud;

/// The gcp_api of `region`. `tokens` is shared by the engine's regions: made on first use.
gcp_cloud make_gcp_cloud(const std::string& region, const gcp_options& opts,
                         http_transport& transport, const clock& clk,
                         gcp_token_source_ptr& tokens);

/// Paces `cfg` by the project's quotas (opts.quotas) shared by `regions` regions: the buckets
/// of gcp_rate_limits() and one request bucket for every mutation.
void apply_gcp_quotas(provider_config& cfg, const gcp_options& opts, size_t regions);

} // namespace styx
