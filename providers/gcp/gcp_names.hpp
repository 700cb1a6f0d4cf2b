#pragma once
// How the engine's words become Compute Engine's and back: instance names, cloud ids, labels
// and label filters. Pure functions; nothing here does I/O.
//
//   name       an instance is named after its engine id: "styx-" + the id (41 characters, a
//              valid name: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63). That name is its identity
//              (slot_identity::name): reading it back gives the styx:instance tag.
//   cloud id   "ZONE/NAME" (an instance is known by its zone and name in its project).
//   labels     the ownership tags styx:engine and styx:request become the labels styx-engine
//              and styx-request; styx:instance and Name are not labels (the name carries the
//              one, the store the other); every other tag must already be a valid label
//              (key: a lowercase letter, then lowercase letters, digits, '_' or '-', at most 63;
//              value: those characters, at most 63; at most 64 labels): Styx does not rewrite a
//              tag it could not read back, it refuses it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "messages/cloud_types.hpp"

namespace styx {

/// "styx-" + id.
std::string gcp_instance_name(const instance_id& id);

/// The engine id of a name made by gcp_instance_name; empty for any other name.
instance_id gcp_instance_of(std::string_view name);

std::string gcp_cloud_id(std::string_view zone, std::string_view name);

/// (zone, name) of a cloud id; nullopt when it is not "ZONE/NAME".
std::optional<std::pair<std::string, std::string>> gcp_split_cloud_id(std::string_view cloud_id);

/// True for a valid Compute Engine label key / value.
bool gcp_valid_label_key(std::string_view key);
bool gcp_valid_label_value(std::string_view value);

/// The labels for `tags`, or the error (one line) of the first tag that cannot be a label.
struct gcp_labels {
  tag_map labels;
  std::string error;
};
gcp_labels gcp_labels_of(const tag_map& tags);

/// The tags an instance named `name` with `labels` carries in the engine's words.
tag_map gcp_tags_of(const tag_map& labels, std::string_view name);

/// A list filter that matches every instance whose tags include all of `filter`:
/// `(labels.styx-engine = "E") (labels.team = "ml")`; empty for an empty filter; nullopt when a
/// tag cannot be a label (no instance can carry it). styx:instance filters on the name.
std::optional<std::string> gcp_label_filter(const tag_map& filter);

/// `FIELD eq "PREFIX(a|b|c)"`: names are [-a-z0-9] only, so they need no escaping in the RE2
/// pattern (a prefix such as ".*/instances/" matches a targetLink).
std::string gcp_name_filter(const std::string* names, size_t n, std::string_view field = "name",
                            std::string_view prefix = {});

/// The last path segment of a resource URL ("https://.../zones/us-central1-a" -> the zone).
std::string_view gcp_last_segment(std::string_view url);

/// `zone`'s region: "us-central1-a" -> "us-central1".
std::string gcp_region_of_zone(std::string_view zone);

} // namespace styx
