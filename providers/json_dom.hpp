#pragma once
// simdjson's DOM as the clouds' JSON parsers use it (providers/gcp/gcp_json.cpp,
// providers/kubernetes/k8s_json.cpp), by short names: a document that must be an object and a
// string field read as a std::string, through providers/json_read.hpp. Header-only.
//
// Thread rules: json_read's parser is thread_local, so each thread parses on its own; an
// element lives until its thread's next parse.

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "providers/json_read.hpp"

namespace styx::json_dom {

using simdjson::dom::element;

/// `body` parsed, if it is a JSON object.
inline std::optional<element> parse(std::string_view body) {
  return json_doc(body);
}

/// The string field `key` of `e`; empty when absent or not a string.
inline std::string str(element e, const char* key) {
  return json_str(e, key);
}

} // namespace styx::json_dom
