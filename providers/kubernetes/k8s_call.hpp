#pragma once
// Internal to the Kubernetes provider (k8s_api.cpp, k8s_watch.cpp): the shared core of a
// k8s_api, and the requests every call builds from it. Not a public header.
//
// Thread rules: the core is immutable after construction except its atomic counter. Lifetimes:
// held by shared_ptr by the api and every call in flight.

#include <atomic>
#include <string>

#include "providers/kubernetes/k8s_api.hpp"

namespace styx {

struct k8s_api::core {
  provider_id id;
  k8s_target target;
  http_transport& transport;
  const clock& clk;
  k8s_options opts;
  std::atomic<uint64_t> requests{0};

  core(provider_id i, k8s_target t, http_transport& tr, const clock& k, k8s_options o)
    : id(std::move(i)), target(std::move(t)), transport(tr), clk(k), opts(std::move(o)) {}

  /// ".../api/v1/namespaces/NS/pods"
  std::string pods_url() const {
    return target.server + "/api/v1/namespaces/" + target.namespace_ + "/pods";
  }

  /// A request to `url` with the credentials and TLS settings; counted.
  http_request request(const char* method, std::string url, std::string body = {}) {
    http_request req;
    req.method = method;
    req.url = std::move(url);
    req.headers.emplace_back("Accept", "application/json");
    if (!target.token.empty())
      req.headers.emplace_back("Authorization", "Bearer " + target.token);
    if (!body.empty())
      req.headers.emplace_back("Content-Type", "application/json");
    req.body = std::move(body);
    req.timeout = opts.request_timeout;
    req.tls = target.tls;
    ++requests;
    return req;
  }
};

/// A 2xx answer of `what` whose body is not its response: transient "InvalidResponse".
cloud_error k8s_unreadable(const std::string& what);

} // namespace styx
