#include "providers/http.hpp"

#include <strings.h>

namespace styx {

std::string http_response::header(const std::string& name) const {
  for (auto& [key, value] : headers)
    if (strcasecmp(key.c_str(), name.c_str()) == 0)
      return value;
  return {};
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                      || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace styx
