#include "providers/json_read.hpp"

namespace styx {

namespace {

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

} // namespace

std::optional<simdjson::dom::element> json_doc(std::string_view body) {
  simdjson::dom::element doc;
  if (parser().parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return std::nullopt;
  return doc;
}

std::string json_str(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) == simdjson::SUCCESS)
    return std::string{v};
  return {};
}

std::map<std::string, std::string> json_strings(simdjson::dom::element e, const char* key) {
  std::map<std::string, std::string> out;
  simdjson::dom::object obj;
  if (e[key].get(obj) == simdjson::SUCCESS)
    for (auto field : obj) {
      std::string_view v;
      if (field.value.get(v) == simdjson::SUCCESS)
        out[std::string{field.key}] = std::string{v};
    }
  return out;
}

double json_number(simdjson::dom::element e, const char* key) {
  double d = 0;
  if (e[key].get(d) == simdjson::SUCCESS)
    return d;
  int64_t i = 0;
  if (e[key].get(i) == simdjson::SUCCESS)
    return static_cast<double>(i);
  return 0;
}

} // namespace styx
