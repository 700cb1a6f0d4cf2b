#pragma once
// Reading a cloud's JSON answers with simdjson (the DOM API): the few accessors every provider
// uses, each forgiving a missing or mistyped field (empty string, 0). Pure functions; the
// parser is thread-local, so an element is valid only until the next json_doc() on its thread.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace styx {

/// The document `body` when it is a JSON object; nullopt otherwise.
std::optional<simdjson::dom::element> json_doc(std::string_view body);

/// `e[key]` as a string; empty when missing or not a string.
std::string json_str(simdjson::dom::element e, const char* key);

/// The string fields of the object `e[key]` (labels, tags); empty when it is not an object.
std::map<std::string, std::string> json_strings(simdjson::dom::element e, const char* key);

/// The same of a lookup that may have failed (`doc["a"]["b"]`): empty when it did.
inline std::string json_str(simdjson::simdjson_result<simdjson::dom::element> e, const char* key) {
  simdjson::dom::element x;
  return e.get(x) == simdjson::SUCCESS ? json_str(x, key) : std::string{};
}
inline std::map<std::string, std::string> json_strings(
    simdjson::simdjson_result<simdjson::dom::element> e, const char* key) {
  simdjson::dom::element x;
  return e.get(x) == simdjson::SUCCESS ? json_strings(x, key) : std::map<std::string, std::string>{};
}

/// `e[key]` as a number (a double or an integer); 0 when missing or not a number.
double json_number(simdjson::dom::element e, const char* key);

} // namespace styx
