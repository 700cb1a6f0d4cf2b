#pragma once
// How Styx runs pods on a Kubernetes cluster, besides the cluster, credentials and namespace
// (runtime/k8s_config.hpp): the resource classes offered, the image of a request that names
// none, the calls' timeouts and the client's rate limit.

#include <string>
#include <vector>

#include "common/ec2_rate_limits.hpp"
#include "common/time.hpp"

namespace styx {

/// A named pod shape: the requests (and limits) of a pod of this class, and what placement
/// takes as its price (USD per hour; a cluster bills nothing per pod, but placement needs an
/// order).
struct k8s_resource_class {
  std::string name;       // the offering's instance_type: "small"
  double cpus = 0;        // cpu requests = limits
  double memory_gib = 0;  // memory requests = limits, in Gi
  int gpus = 0;           // nvidia.com/gpu limits (and requests)
  std::string gpu_kind;   // for placement's gpu_kind match; empty: any
  double price = 0;
};

/// small, medium, large and gpu.
std::vector<k8s_resource_class> k8s_default_classes();

struct k8s_options {
  std::vector<k8s_resource_class> classes = k8s_default_classes();
  std::string default_image = "registry.k8s.io/pause:3.9";
  duration request_timeout = seconds(30);  // one HTTP exchange (not a watch)
  int list_page_size = 500;                // limit= of a list page; pages follow `continue`
  int watch_timeout_seconds = 300;         // timeoutSeconds= of one watch; then it resumes
  int grace_period_seconds = 30;           // of a delete
  // The client's own rate limit, client-go's defaults: one token bucket for every request
  // (burst 10, refilled at 5 a second). <= 0: none.
  double qps = 5;
  double burst = 10;
};

/// The provider buckets for `opts`: one request bucket (create's, with
/// provider_config::one_request_bucket) of `burst` refilled at `qps`, and no resource buckets.
ec2_rate_limits k8s_rate_limits(const k8s_options& opts);

} // namespace styx
