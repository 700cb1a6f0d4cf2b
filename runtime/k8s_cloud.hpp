#pragma once
// The "kubernetes" cloud as the engine makes it (runtime/engine.cpp): one k8s_api per
// (context, namespace), its region k8s_region_of() of them (runtime/k8s_config.hpp), paced by
// the client's one token bucket (k8s_options::qps and burst, client-go's 5 and 10).
//
// Thread rules: called by the thread that starts the engine. Lifetimes: the transport and
// the clock must outlive the returned api.

#include <string>

#include "actors/provider_config.hpp"
#include "providers/cloud_api.hpp"
#include "providers/http.hpp"
#include "providers/kubernetes/k8s_options.hpp"

namespace styx {

struct k8s_cloud {
  cloud_api_ptr api;        // null when `error` is set
  std::string error;        // one line, no secret
  std::string description;  // where the settings came from, no secret (for the log)
  bool insecure = false;    // TLS is not verified (insecure-skip-tls-verify): warn
};

/// The k8s_api of `region` ("<context>/<namespace>").
k8s_cloud make_k8s_cloud(const std::string& region, const k8s_options& opts,
                         http_transport& transport, const clock& clk);

/// Paces `cfg` as a Kubernetes client: one request bucket for every call (opts.qps, burst).
void apply_k8s_limits(provider_config& cfg, const k8s_options& opts);

} // namespace styx
