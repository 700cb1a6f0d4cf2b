#pragma once
// The Kubernetes API's JSON as Styx reads and writes it: a Pod, a PodList page, a watch event,
// a Status; and the body of a pod to create. Parsing is simdjson's DOM; nothing here does I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_error.hpp"
#include "messages/cloud_types.hpp"
#include "providers/kubernetes/k8s_options.hpp"

namespace styx {

/// What Styx reads of a Pod.
struct k8s_pod {
  std::string name;
  std::string namespace_;
  std::string resource_version;
  std::string phase;              // Pending, Running, Succeeded, Failed, Unknown
  std::string reason;             // status.reason
  std::string message;            // status.message
  bool deleting = false;          // metadata.deletionTimestamp is set
  bool unschedulable = false;     // condition PodScheduled False with reason Unschedulable
  std::string unschedulable_message;
  std::string created;            // metadata.creationTimestamp (RFC 3339)
  tag_map labels;
  tag_map annotations;
};

std::optional<k8s_pod> k8s_parse_pod(std::string_view body);

struct k8s_pod_page {
  std::vector<k8s_pod> pods;
  std::string next;             // metadata.continue: empty on the last page
  std::string resource_version; // metadata.resourceVersion: where a watch of it starts
};

std::optional<k8s_pod_page> k8s_parse_pod_list(std::string_view body);

/// A Status (kind Status): its code, reason and message; nullopt for any other body.
struct k8s_status {
  int code = 0;
  std::string reason;  // AlreadyExists, NotFound, TooManyRequests, Expired, Gone, ...
  std::string message;
};

std::optional<k8s_status> k8s_parse_status(std::string_view body);

/// One line of a watch: {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": ...}.
struct k8s_watch_event {
  std::string type;
  std::optional<k8s_pod> pod;       // ADDED, MODIFIED, DELETED; BOOKMARK (its version only)
  std::optional<k8s_status> status; // ERROR
};

std::optional<k8s_watch_event> k8s_parse_watch_event(std::string_view line);

/// The body of a pod named `name` of resource class `cls` with `labels` and `annotations`:
/// one container running `image` with requests = limits of the class (nvidia.com/gpu as a
/// limit), restartPolicy Never.
std::string k8s_pod_body(const std::string& name, const k8s_resource_class& cls,
                         const std::string& image, const tag_map& labels,
                         const tag_map& annotations);

/// The body of a delete with a grace period: a DeleteOptions.
std::string k8s_delete_body(int grace_period_seconds);

/// Milliseconds since the epoch of an RFC 3339 time ("2024-01-02T03:04:05Z"); 0 if malformed.
unix_ms k8s_parse_time(std::string_view text);

/// A pod as the engine sees it (zone: the namespace, instance type: its resource class):
/// Pending pending, Running running, Succeeded and Failed terminated (reason cloud_ended,
/// reason_code the phase), a deleting pod terminating, a `deleted` one terminated (reason
/// user_initiated, "PodDeleted"). `problem` gets what the phase cannot say: an Unschedulable
/// pod (capacity, "Unschedulable"), a pod in phase Unknown (transient, "PodPhaseUnknown": its
/// state is not known now; such a pod's `instance` is not meant to be used).
cloud_instance k8s_instance_of_pod(const k8s_pod& pod, bool deleted, cloud_error* problem);

} // namespace styx
