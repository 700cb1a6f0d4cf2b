#include "providers/gcp/gcp_names.hpp"

namespace styx {

namespace {

constexpr std::string_view name_prefix = "styx-";
constexpr std::string_view engine_label = "styx-engine";
constexpr std::string_view request_label = "styx-request";

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/// The label an ownership tag becomes; empty when the tag is no ownership tag.
std::string_view label_of_ownership(const std::string& key) {
  if (key == ownership_tag::engine)
    return engine_label;
  if (key == ownership_tag::request)
    return request_label;
  return {};
}

} // namespace

std::string gcp_instance_name(const instance_id& id) {
  return std::string{name_prefix} + id.to_string();
}

instance_id gcp_instance_of(std::string_view name) {
  instance_id id;
  if (name.substr(0, name_prefix.size()) != name_prefix)
    return id;
  if (auto parsed = uuid::parse(name.substr(name_prefix.size())))
    static_cast<uuid&>(id) = *parsed;
  return id;
}

std::string gcp_cloud_id(std::string_view zone, std::string_view name) {
  std::string out{zone};
  out += '/';
  out += name;
  return out;
}

std::optional<std::pair<std::string, std::string>> gcp_split_cloud_id(std::string_view cloud_id) {
  auto slash = cloud_id.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == cloud_id.size()
      || cloud_id.find('/', slash + 1) != std::string_view::npos)
    return std::nullopt;
  return std::make_pair(std::string{cloud_id.substr(0, slash)},
                        std::string{cloud_id.substr(slash + 1)});
}

bool gcp_valid_label_key(std::string_view key) {
  if (key.empty() || key.size() > 63 || key[0] < 'a' || key[0] > 'z')
    return false;
  for (char c : key)
    if (!label_char(c))
      return false;
  return true;
}

bool gcp_valid_label_value(std::string_view value) {
  if (value.size() > 63)
    return false;
  for (char c : value)
    if (!label_char(c))
      return false;
  return true;
}

gcp_labels gcp_labels_of(const tag_map& tags) {
  gcp_labels out;
  for (auto& [key, value] : tags) {
    if (key == ownership_tag::instance || key == ownership_tag::name)
      continue;
    std::string label{label_of_ownership(key)};
    if (label.empty()) {
      if (!gcp_valid_label_key(key) || key == engine_label || key == request_label) {
        out.error = "tag '" + key + "' cannot be a GCP label key (a lowercase letter, then "
                    "lowercase letters, digits, '_' or '-', at most 63; styx-engine and "
                    "styx-request are the engine's)";
        return out;
      }
      label = key;
    }
    if (!gcp_valid_label_value(value)) {
      out.error = "tag '" + key + "' has a value that cannot be a GCP label value (lowercase "
                  "letters, digits, '_' or '-', at most 63)";
      return out;
    }
    out.labels[label] = value;
  }
  if (out.labels.size() > 64)
    out.error = "more than 64 tags: GCP takes at most 64 labels";
  return out;
}

tag_map gcp_tags_of(const tag_map& labels, std::string_view name) {
  tag_map tags;
  for (auto& [key, value] : labels) {
    if (key == engine_label)
      tags[ownership_tag::engine] = value;
    else if (key == request_label)
      tags[ownership_tag::request] = value;
    else
      tags[key] = value;
  }
  if (auto id = gcp_instance_of(name); !id.empty())
    tags[ownership_tag::instance] = id.to_string();
  return tags;
}

std::optional<std::string> gcp_label_filter(const tag_map& filter) {
  std::string out;
  for (auto& [key, value] : filter) {
    std::string clause;
    if (key == ownership_tag::instance) {
      auto id = uuid::parse(value);
      if (!id)
        return std::nullopt;
      instance_id iid;
      static_cast<uuid&>(iid) = *id;
      clause = "(name = \"" + gcp_instance_name(iid) + "\")";
    } else {
      std::string label{label_of_ownership(key)};
      if (label.empty())
        label = key;
      if (!gcp_valid_label_key(label) || !gcp_valid_label_value(value))
        return std::nullopt;
      clause = "(labels." + label + " = \"" + value + "\")";
    }
    if (!out.empty())
      out += ' ';
    out += clause;
  }
  return out;
}

std::string gcp_name_filter(const std::string* names, size_t n, std::string_view field,
                            std::string_view prefix) {
  std::string out{field};
  out += " eq \"";
  out += prefix;
  out += '(';
  for (size_t i = 0; i < n; ++i) {
    if (i > 0)
      out += '|';
    out += names[i];
  }
  out += ")\"";
  return out;
}

std::string_view gcp_last_segment(std::string_view url) {
  auto slash = url.rfind('/');
  return slash == std::string_view::npos ? url : url.substr(slash + 1);
}

std::string gcp_region_of_zone(std::string_view zone) {
  auto dash = zone.rfind('-');
  return std::string{dash == std::string_view::npos ? zone : zone.substr(0, dash)};
}

} // namespace styx
