#include "runtime/azure_cloud.hpp"

#include <variant>

#include "providers/azure/azure_api.hpp"
#include "providers/azure/azure_auth.hpp"
#include "runtime/azure_settings.hpp"

namespace styx {

made_cloud make_azure_cloud(const std::string& location, const azure_options& opts,
                            http_transport& transport, const clock& clk, token_source_ptr& tokens) {
  made_cloud out;
  auto resolved = resolve_azure_settings(opts, location);
  if (auto* err = std::get_if<std::string>(&resolved)) {
    out.error = *err;
    return out;
  }
  auto& s = std::get<azure_settings>(resolved);
  if (!tokens)
    tokens = azure_token_source(s.creds, transport, clk, opts.request_timeout);
  out.description = s.describe();
  out.api = std::make_shared<azure_api>(provider_id{"azure", s.location}, s.opts, tokens,
                                        transport, clk);
  return out;
}

void apply_azure_limits(provider_config& cfg, const azure_options& opts, size_t regions) {
  cfg.limits = azure_rate_limits(opts.limits, regions);
}

} // namespace styx
