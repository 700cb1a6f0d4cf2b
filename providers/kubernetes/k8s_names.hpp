#pragma once
// How the engine's words become Kubernetes' and back: pod names, labels, annotations and label
// selectors. Pure functions; nothing here does I/O.
//
//   name        a pod is named after its engine id: "styx-" + the id (a DNS subdomain). That
//               name is its identity (slot_identity::name) and its cloud id (the namespace is
//               the provider's).
//   labels      the ownership tags styx:engine, styx:request and styx:instance become the
//               labels styx.dev/engine, styx.dev/request and styx.dev/instance; the resource
//               class is styx.dev/class; Name is the annotation styx.dev/name (any text).
//               Every other tag must already be a valid label (key: an optional DNS-subdomain
//               prefix and '/', then at most 63 of [A-Za-z0-9-_.], starting and ending
//               alphanumeric; value: at most 63 of the same, or empty): a tag Styx could not
//               read back is refused, not rewritten.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"

namespace styx {

namespace k8s_label {
constexpr const char* engine = "styx.dev/engine";
constexpr const char* request = "styx.dev/request";
constexpr const char* instance = "styx.dev/instance";
constexpr const char* resource_class = "styx.dev/class";
constexpr const char* name = "styx.dev/name"; // an annotation
} // namespace k8s_label

/// "styx-" + id.
std::string k8s_pod_name(const instance_id& id);

/// The engine id of a name made by k8s_pod_name; empty for any other name.
instance_id k8s_instance_of(std::string_view name);

bool k8s_valid_label_key(std::string_view key);
bool k8s_valid_label_value(std::string_view value);

/// The labels and annotations of a pod for `tags` and resource class `cls`, or the error
/// (one line) of the first tag that cannot be a label.
struct k8s_metadata {
  tag_map labels;
  tag_map annotations;
  std::string error;
};
k8s_metadata k8s_metadata_of(const tag_map& tags, const std::string& cls);

/// The tags a pod with `labels` and `annotations` carries in the engine's words.
tag_map k8s_tags_of(const tag_map& labels, const tag_map& annotations);

/// The label selector of the pods whose tags include all of `filter` (Name is matched by the
/// caller, it is no label): "styx.dev/engine=E,team=ml"; for an empty filter every pod of any
/// engine: "styx.dev/engine". nullopt when a tag cannot be a label (no pod carries it).
std::optional<std::string> k8s_label_selector(const tag_map& filter);

/// "styx.dev/instance in (a,b,c)": the pods named by `names` (made by k8s_pod_name).
std::string k8s_names_selector(const std::vector<std::string>& names);

/// `text` percent-encoded for a URL query value.
std::string k8s_query_encode(std::string_view text);

} // namespace styx
