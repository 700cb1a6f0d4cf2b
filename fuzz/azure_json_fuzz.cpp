// Fuzzes every parser of Azure Resource Manager's JSON answers, errors, long-running
// operations and token answers (providers/azure/azure_json.hpp, azure_errors.hpp,
// azure_auth.hpp): a value or nullopt, never a crash.

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/azure/azure_auth.hpp"
#include "providers/azure/azure_errors.hpp"
#include "providers/azure/azure_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  (void)azure_parse_vm(body);
  (void)azure_parse_vms(body);
  (void)azure_parse_instance_view(body);
  if (auto op = azure_parse_operation(body)) {
    (void)azure_operation_error(*op, true);
    (void)azure_operation_error(*op, false);
  }
  (void)azure_parse_skus(body, "eastus");
  (void)azure_parse_error(body);
  (void)azure_parse_token(body);
  for (int status : {200, 400, 404, 409, 429, 503}) {
    http_response r;
    r.status = status;
    r.body = std::string{body};
    if (status != 200)
      (void)azure_error_from(r);
    (void)azure_read_token_answer(r, 1'700'000'000'000);
  }
  return 0;
}
