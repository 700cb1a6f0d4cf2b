// Fuzzes every parser of EC2's XML answers and errors (providers/aws/ec2_parse.hpp,
// ec2_errors.hpp): whatever the bytes, each returns a value or nullopt, never crashes.

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/aws/ec2_errors.hpp"
#include "providers/aws/ec2_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  (void)ec2_parse_run_instances(xml);
  (void)ec2_parse_describe_instances(xml);
  (void)ec2_parse_instance_status(xml);
  (void)ec2_parse_state_changes(xml);
  (void)ec2_parse_instance_types(xml);
  (void)ec2_parse_availability_zones(xml);
  (void)ec2_parse_spot_price_history(xml);
  (void)ec2_parse_time(xml);
  (void)ec2_state(xml);
  (void)ec2_state_reason(xml);
  for (int status : {400, 500, 503}) {
    http_response r;
    r.status = status;
    r.body = std::string{xml};
    (void)ec2_error_from(r);
  }
  return 0;
}
