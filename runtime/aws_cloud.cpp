#include "runtime/aws_cloud.hpp"

#include <memory>
#include <variant>

#include "providers/aws/ec2_api.hpp"
#include "runtime/aws_credentials.hpp"

namespace styx {

made_cloud make_aws_cloud(const std::string& region, const ec2_options& opts,
                          http_transport& transport, const clock& clk) {
  made_cloud out;
  auto resolved = resolve_aws_settings(region);
  if (auto* err = std::get_if<std::string>(&resolved)) {
    out.error = *err;
    return out;
  }
  auto& s = std::get<aws_settings>(resolved);
  auto with_ca = opts;
  with_ca.ca_bundle = s.ca_bundle;
  out.description = s.describe();
  out.api = std::make_shared<ec2_api>(provider_id{"aws", region}, s.creds, s.endpoint, transport,
                                      clk, std::move(with_ca));
  return out;
}

} // namespace styx
