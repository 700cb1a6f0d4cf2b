#pragma once
// simdjson's DOM as the clouds' JSON parsers use it (providers/gcp/gcp_json.cpp,
// providers/kubernetes/k8s_json.cpp): one parser per thread, a document that must be an
// object, and a string field read as a std::string. Header-only.
//
// Thread rules: the parser is thread_local, so each thread parses on its own; an element
// lives until its thread's next parse.

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace styx::json_dom {

using simdjson::dom::element;

inline simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

/// `body` parsed, if it is a JSON object.
inline std::optional<element> parse(std::string_view body) {
  element doc;
  if (parser().parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return std::nullopt;
  return doc;
}

/// The string field `key` of `e`; empty when absent or not a string.
inline std::string str(element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) == simdjson::SUCCESS)
    return std::string{v};
  return {};
}

} // namespace styx::json_dom
