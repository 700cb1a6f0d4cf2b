// Fuzzes every parser of Compute Engine's JSON answers, errors and token answers
// (providers/gcp/gcp_json.hpp, gcp_errors.hpp, gcp_auth.hpp): a value or nullopt, never a
// crash.

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/gcp/gcp_auth.hpp"
#include "providers/gcp/gcp_errors.hpp"
#include "providers/gcp/gcp_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  if (auto op = gcp_parse_operation(body)) {
    (void)gcp_operation_error(*op, true);
    (void)gcp_operation_error(*op, false);
  }
  (void)gcp_parse_operations(body);
  (void)gcp_parse_instances(body);
  (void)gcp_parse_zones(body);
  (void)gcp_parse_machine_types(body);
  (void)gcp_parse_error(body);
  (void)gcp_state_of(body);
  (void)gcp_parse_time(body);
  for (int status : {200, 403, 404, 429, 503}) {
    http_response r;
    r.status = status;
    r.body = std::string{body};
    if (status != 200)
      (void)gcp_error_from(r);
    (void)gcp_read_token_answer(r, 1'700'000'000'000);
  }
  return 0;
}
