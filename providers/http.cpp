#include "providers/http.hpp"

#include <strings.h>

#include <cmath>
#include <cstdlib>

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

cloud_error no_answer_error(const http_response& resp, std::string_view trust_hint) {
  if (resp.timed_out)
    return make_cloud_error(error_kind::timeout, "RequestTimeout", resp.error);
  if (resp.untrusted) {
    std::string words = "the server's TLS certificate is not trusted (" + resp.error + ")";
    if (!trust_hint.empty())
      words.append("; ").append(trust_hint);
    return make_cloud_error(error_kind::fatal, "UntrustedCertificate", std::move(words));
  }
  return make_cloud_error(error_kind::transient, "TransportError", resp.error);
}

int64_t http_response::retry_after_ms() const {
  auto value = header("Retry-After");
  if (value.empty())
    return 0;
  char* end = nullptr;
  double secs = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || !std::isfinite(secs) || secs <= 0)
    return 0; // an HTTP-date or garbage: ignored
  return static_cast<int64_t>(std::llround(secs * 1000));
}

} // namespace styx
