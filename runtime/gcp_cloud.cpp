#include "runtime/gcp_cloud.hpp"

#include <variant>

#include "providers/gcp/gcp_api.hpp"
#include "runtime/gcp_settings.hpp"

namespace styx {

gcp_cloud make_gcp_cloud(const std::string& region, const gcp_options& opts,
                         http_transport& transport, const clock& clk,
                         gcp_token_source_ptr& tokens) {
  gcp_cloud out;
  auto resolved = resolve_gcp_settings(opts.project, region);
  if (auto* err = std::get_if<std::string>(&resolved)) {
    out.error = *err;
    return out;
  }
  auto& s = std::get<gcp_settings>(resolved);
  if (!tokens) {
    if (!s.access_token.empty())
      tokens = gcp_fixed_token(s.access_token, s.creds_source);
    else
      tokens = gcp_exchanged_token(s.creds, s.creds_source, transport, clk,
                                   opts.request_timeout);
  }
  out.description = s.describe();
  auto with_ca = opts;
  with_ca.ca_bundle = s.ca_bundle;
  out.api = std::make_shared<gcp_api>(provider_id{"gcp", region}, s.project, s.endpoint, tokens,
                                      transport, clk, std::move(with_ca));
  return out;
}

void apply_gcp_quotas(provider_config& cfg, const gcp_options& opts, size_t regions) {
  cfg.limits = gcp_rate_limits(opts.quotas, regions);
  cfg.one_mutation_bucket = true;
}

} // namespace styx
