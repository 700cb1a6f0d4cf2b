#pragma once
// Kubernetes pods behind the cloud_api contract: one k8s_api per (cluster, namespace). Each
// api_call becomes the core/v1 pod requests below, sent through the injected http_transport
// with the cluster's credentials (a bearer token and/or a client certificate, the cluster's
// CA). Nothing blocks, waits or is retried here, and nothing is logged.
//
//   create      one POST of one pod (max_batch 1: every pod is a request of its own), named
//               after its engine id (slot_identity::name) with requests and limits of its
//               resource class (the launch spec's instance_type) and the ownership labels.
//               409 AlreadyExists: an earlier attempt of this very call made it (the name is
//               the engine id): the pod is read (GET) and adopted.
//   describe    one id: GET of the pod (404: not answered, so the provider sees it vanished);
//               several: a list by the label selector "styx.dev/instance in (...)".
//   terminate   DELETE with gracePeriodSeconds; 404: already gone, reported terminated.
//   stop, start invalid_request NotSupported: pods cannot be stopped or started.
//   list        the pods of the namespace by label selector (k8s_label_selector), paged
//               through `continue`; api_reply::cursor is the list's resourceVersion.
//   catalog     a one-pod list (the namespace is readable), then the resource classes as
//               offerings in zone = the namespace.
//   watch       GET ?watch=true&resourceVersion=CURSOR&allowWatchBookmarks=true of every pod of
//               any engine, streamed: events are pushed as they arrive (k8s_instance_of_pod);
//               bookmarks move the cursor; an ERROR 410 ends it with code "Expired"; the end
//               of timeoutSeconds with code "WatchEnded" (resume from the cursor); anything
//               else (a broken connection, a non-200) with its error.
// Errors: k8s_error_from(); a 2xx body that does not parse is transient "InvalidResponse".
// Every HTTP request is counted in api_reply::requests.
//
// Thread rules: start() and watch() may be called from any thread; calls in flight are
// independent; `done` and `push` run on the transport's thread. Lifetimes: each call in flight
// holds the shared core, so the api may go before its calls' answers; the transport and the
// clock must outlive them all.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/cloud_api.hpp"
#include "providers/http.hpp"
#include "providers/kubernetes/k8s_options.hpp"

namespace styx {

/// Where one provider's pods live and how to reach them: from a kubeconfig context or the
/// in-cluster service account (runtime/k8s_config.hpp). Holds secrets: never logged.
struct k8s_target {
  std::string server;       // "https://10.0.0.1:6443" (no trailing '/')
  std::string namespace_;   // "default"
  std::string token;        // bearer token; empty: none (a client certificate, or anonymous)
  std::shared_ptr<const http_tls> tls; // CA, client certificate, insecure-skip-tls-verify
};

class k8s_api final : public cloud_api {
public:
  /// `id.region` names the (context, namespace) pair (runtime/k8s_config.hpp).
  k8s_api(provider_id id, k8s_target target, http_transport& transport, const clock& clk,
          k8s_options opts = {});
  ~k8s_api() override;

  const provider_id& id() const override;
  void start(api_call call, reply_handler done) override;
  size_t max_batch(api_op op) const override;
  slot_identity identity() const override { return slot_identity::name; }
  bool pushes() const override { return true; }
  std::function<void()> watch(api_call call, push_handler push, reply_handler done) override;

  /// HTTP requests sent so far, every kind (watches included).
  uint64_t requests() const;

  struct core; // shared with the calls in flight

private:
  std::shared_ptr<core> core_;
};

} // namespace styx
