// Fuzzes the reading of a GCP credentials file (a service-account key or authorized_user
// credentials, providers/gcp/gcp_auth.hpp): credentials or an error, never a crash; and
// whatever key was read, signing a JWT with it fails cleanly or succeeds.

#include <cstdint>
#include <string_view>

#include "providers/gcp/gcp_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  auto r = gcp_parse_credentials(json, "key.json");
  if (r.error.empty())
    (void)gcp_make_token_request(r.creds, 1'700'000'000'000, seconds(10));
  return 0;
}
