#include "providers/kubernetes/k8s_options.hpp"

namespace styx {

std::vector<k8s_resource_class> k8s_default_classes() {
  return {
    {"small", 1, 2, 0, "", 0.02},
    {"medium", 2, 8, 0, "", 0.08},
    {"large", 8, 32, 0, "", 0.32},
    {"gpu", 8, 64, 1, "", 1.50},
  };
}

ec2_rate_limits k8s_rate_limits(const k8s_options& opts) {
  auto r = ec2_rate_limits::unlimited();
  if (opts.qps > 0)
    r.create = bucket_config{opts.burst > 0 ? opts.burst : 1, opts.qps};
  return r;
}

} // namespace styx
