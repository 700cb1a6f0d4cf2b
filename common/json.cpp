#include "common/json.hpp"

namespace styx {

std::string json_text(const json& j) {
  return j.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

json json_object(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (auto& [k, v] : m)
    out[k] = v;
  return out;
}

std::string json_quote(const std::string& s) {
  return json_text(json(s));
}

} // namespace styx
