#include "providers/kubernetes/k8s_names.hpp"

#include <cctype>

#include "providers/http.hpp"

namespace styx {

namespace {

constexpr std::string_view prefix = "styx-";

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

/// At most 63 of [A-Za-z0-9-_.], alphanumeric at both ends; empty only when `allow_empty`.
bool valid_name(std::string_view s, bool allow_empty) {
  if (s.empty())
    return allow_empty;
  if (s.size() > 63 || !alnum(s.front()) || !alnum(s.back()))
    return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

/// A DNS subdomain: lowercase labels of [a-z0-9-] joined by '.', at most 253.
bool valid_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253)
    return false;
  size_t start = 0;
  while (start <= s.size()) {
    auto dot = s.find('.', start);
    auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                               : dot - start);
    if (part.empty() || part.size() > 63 || part.front() == '-' || part.back() == '-')
      return false;
    for (char c : part)
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c))
            || c == '-'))
        return false;
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return true;
}

/// The label of an ownership tag, or nullptr.
const char* ownership_label(const std::string& tag) {
  if (tag == ownership_tag::engine)
    return k8s_label::engine;
  if (tag == ownership_tag::request)
    return k8s_label::request;
  if (tag == ownership_tag::instance)
    return k8s_label::instance;
  return nullptr;
}

} // namespace

std::string k8s_pod_name(const instance_id& id) {
  return std::string{prefix} + id.to_string();
}

instance_id k8s_instance_of(std::string_view name) {
  instance_id id;
  if (name.substr(0, prefix.size()) != prefix)
    return id;
  if (auto u = uuid::parse(std::string{name.substr(prefix.size())}))
    static_cast<uuid&>(id) = *u;
  return id;
}

bool k8s_valid_label_key(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos)
    return valid_name(key, false);
  return valid_subdomain(key.substr(0, slash)) && valid_name(key.substr(slash + 1), false);
}

bool k8s_valid_label_value(std::string_view value) {
  return valid_name(value, true);
}

k8s_metadata k8s_metadata_of(const tag_map& tags, const std::string& cls) {
  k8s_metadata out;
  for (auto& [key, value] : tags) {
    if (key == ownership_tag::name) {
      out.annotations[k8s_label::name] = value;
      continue;
    }
    auto* label = ownership_label(key);
    std::string k = label != nullptr ? label : key;
    if (!k8s_valid_label_key(k) || !k8s_valid_label_value(value)) {
      out.error = "tag '" + key + "=" + value + "' is not a valid Kubernetes label";
      return out;
    }
    out.labels[k] = value;
  }
  if (!cls.empty())
    out.labels[k8s_label::resource_class] = cls;
  return out;
}

tag_map k8s_tags_of(const tag_map& labels, const tag_map& annotations) {
  tag_map tags;
  for (auto& [key, value] : labels) {
    if (key == k8s_label::engine)
      tags[ownership_tag::engine] = value;
    else if (key == k8s_label::request)
      tags[ownership_tag::request] = value;
    else if (key == k8s_label::instance)
      tags[ownership_tag::instance] = value;
    else if (key != k8s_label::resource_class)
      tags[key] = value;
  }
  if (auto i = annotations.find(k8s_label::name); i != annotations.end())
    tags[ownership_tag::name] = i->second;
  return tags;
}

std::optional<std::string> k8s_label_selector(const tag_map& filter) {
  std::string out;
  bool engine = false;
  for (auto& [key, value] : filter) {
    if (key == ownership_tag::name)
      continue;
    auto* label = ownership_label(key);
    std::string k = label != nullptr ? label : key;
    if (!k8s_valid_label_key(k) || !k8s_valid_label_value(value))
      return std::nullopt;
    engine = engine || k == k8s_label::engine;
    out += (out.empty() ? "" : ",") + k + "=" + value;
  }
  if (!engine)
    out = std::string{k8s_label::engine} + (out.empty() ? "" : "," + out);
  return out;
}

std::string k8s_names_selector(const std::vector<std::string>& names) {
  std::string out = std::string{k8s_label::instance} + " in (";
  bool first = true;
  for (auto& n : names) {
    auto id = k8s_instance_of(n);
    if (id == instance_id{})
      continue;
    out += (first ? "" : ",") + id.to_string();
    first = false;
  }
  return out + ")";
}

std::string k8s_query_encode(std::string_view text) {
  return percent_encode(text);
}

} // namespace styx
