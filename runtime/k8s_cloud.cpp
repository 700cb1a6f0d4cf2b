#include "runtime/k8s_cloud.hpp"

#include <variant>

#include "providers/kubernetes/k8s_api.hpp"
#include "runtime/k8s_config.hpp"

namespace styx {

k8s_cloud make_k8s_cloud(const std::string& region, const k8s_options& opts,
                         http_transport& transport, const clock& clk) {
  k8s_cloud out;
  auto [context, ns] = k8s_split_region(region);
  if (ns.empty()) {
    out.error = "'" + region + "' is not <context>/<namespace>";
    return out;
  }
  auto resolved = resolve_k8s_settings(context, ns);
  if (auto* err = std::get_if<std::string>(&resolved)) {
    out.error = *err;
    return out;
  }
  auto& s = std::get<k8s_settings>(resolved);
  out.description = s.describe();
  out.insecure = s.insecure;
  out.api = std::make_shared<k8s_api>(provider_id{"kubernetes", region}, s.target, transport,
                                      clk, opts);
  return out;
}

void apply_k8s_limits(provider_config& cfg, const k8s_options& opts) {
  cfg.limits = k8s_rate_limits(opts);
  cfg.one_request_bucket = true;
}

} // namespace styx
