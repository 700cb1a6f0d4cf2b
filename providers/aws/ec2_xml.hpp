#pragma once
// Namespace-blind XML lookups for EC2 answers: EC2 and moto disagree on the namespace URI (with
// or without a trailing slash) and some documents use a prefix, so elements are matched by
// their local name only.

#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace styx::ec2_xml {

/// "ec2:item" -> "item".
inline std::string_view local_name(const char* name) {
  std::string_view s{name};
  auto colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

/// The first child element of `node` whose local name is `name`; null if none.
inline pugi::xml_node child(pugi::xml_node node, std::string_view name) {
  for (auto c : node.children())
    if (c.type() == pugi::node_element && local_name(c.name()) == name)
      return c;
  return {};
}

/// The child elements of `node` named `name`.
inline std::vector<pugi::xml_node> children(pugi::xml_node node, std::string_view name) {
  std::vector<pugi::xml_node> result;
  for (auto c : node.children())
    if (c.type() == pugi::node_element && local_name(c.name()) == name)
      result.push_back(c);
  return result;
}

} // namespace styx::ec2_xml
