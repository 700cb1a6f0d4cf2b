#pragma once
// Provision requests from YAML spec files, with the same fields as `styx up`'s flags:
//
//   name: web            count: 100         min_count: 80
//   cpus: 4              memory: 16         gpus: 0        gpu_kind: ""
//   provider: sim        region: us-east-1  zone: us-east-1a   (each a string or a list)
//   instance_type: m5.xlarge                spot: true     max_price: 0.1
//   image: ami-123       tags: {env: prod}  timeout: 600   (seconds until the deadline)

#include <string>

#include "messages/provision_request.hpp"

namespace styx {

struct spec_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Parses YAML text; `origin` names it in errors ("spec.yaml"). Throws spec_error with one
/// line: "<origin>: line N: <what is wrong>". Unknown keys are errors, not ignored.
/// `now_ms` turns a relative timeout into the request's deadline.
provision_request parse_request_spec(const std::string& yaml_text, const std::string& origin,
                                     unix_ms now_ms);

/// Reads and parses a spec file. Throws spec_error.
provision_request load_request_spec(const std::string& path, unix_ms now_ms);

} // namespace styx
