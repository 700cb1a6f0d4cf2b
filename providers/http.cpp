#include "providers/http.hpp"

#include <strings.h>

namespace styx {

std::string http_response::header(const std::string& name) const {
  for (auto& [key, value] : headers)
    if (strcasecmp(key.c_str(), name.c_str()) == 0)
      return value;
  return {};
}

} // namespace styx
