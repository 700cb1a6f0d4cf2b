#pragma once
// Where Styx's Kubernetes provider finds its clusters and credentials: kubectl's own places,
// so that a machine set up for kubectl is set up for Styx.
//   kubeconfig   KUBECONFIG (several files, ':'-separated, merged as kubectl merges them:
//                the first file to name a cluster, user or context wins, and the first
//                current-context set), else ~/.kube/config; with neither and
//                KUBERNETES_SERVICE_HOST set, the in-cluster service account (below)
//   context      the override (--context), else current-context
//   namespace    the override (--namespace), else the context's, else "default"
//   cluster      server; certificate-authority (a path, relative to its kubeconfig file) or
//                certificate-authority-data (base64 PEM); insecure-skip-tls-verify (allowed,
//                warned about: k8s_settings::insecure)
//   user         token or tokenFile; client-certificate and client-key, or their -data forms.
//                exec and auth-provider plugins, and username/password, are refused with a
//                clear "not supported" error.
//   in-cluster   https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT with the service
//                account's token, ca.crt and namespace files (/var/run/secrets/
//                kubernetes.io/serviceaccount; context "in-cluster")
// Token files are read once, here. Empty variables count as unset; no message ever contains
// a token or a key.
//
// A provider is one (context, namespace): its region is region_of() of them,
// "<context>/<namespace>", the context with every byte outside [A-Za-z0-9._~-] as %XX (so that
// '@', '/' and blanks cannot break a provider id or the state dir's provider memory).
//
// Thread rules: pure functions of their arguments and the files they read; call them from any
// thread, but not inside an actor (they read files).

#include <string>
#include <utility>
#include <variant>

#include "providers/kubernetes/k8s_api.hpp"
#include "runtime/aws_credentials.hpp" // env_lookup, process_environment

namespace styx {

struct k8s_settings {
  k8s_target target;
  std::string context;       // "in-cluster" for the service account
  std::string source;        // the kubeconfig file(s), or "in-cluster service account"
  std::string auth;          // "token", "token file /p", "client certificate", "none"
  bool insecure = false;     // insecure-skip-tls-verify

  /// Where and who, without a secret: "context kind (/root/.kube/config), server https://...,
  /// namespace default, token".
  std::string describe() const;
};

constexpr const char* k8s_service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The settings of (context_override or the current context, namespace_override or the
/// context's), or an error message (one line).
std::variant<k8s_settings, std::string> resolve_k8s_settings(
    const std::string& context_override, const std::string& namespace_override,
    const env_lookup& env = process_environment(),
    const std::string& service_account_dir = k8s_service_account_dir);

/// "<escaped context>/<namespace>" and back (nullopt-like: empty pair when malformed).
std::string k8s_region_of(const std::string& context, const std::string& namespace_);
std::pair<std::string, std::string> k8s_split_region(const std::string& region);

/// The region a provider for the overrides would have (the same chain, no credentials
/// needed); `error` set when no kubeconfig can be read or the context is unknown.
struct k8s_region_result {
  std::string region;
  std::string error;
};
k8s_region_result resolve_k8s_region(const std::string& context_override,
                                     const std::string& namespace_override,
                                     const env_lookup& env = process_environment());

} // namespace styx
