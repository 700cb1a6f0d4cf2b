#pragma once
// Helpers of the EC2 tests: recorded responses from tests/fixtures, and form bodies as maps.

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "providers/aws/ec2_query.hpp"

namespace styx::test {

/// The text of tests/fixtures/`name`; throws if it cannot be read.
inline std::string read_fixture(const std::string& name) {
  std::string path = std::string{STYX_SOURCE_DIR} + "/tests/fixtures/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read fixture " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A form body decoded into key -> value; a repeated key would be lost, so it fails loudly.
inline std::map<std::string, std::string> form_map(const std::string& body) {
  std::map<std::string, std::string> result;
  for (auto& [key, value] : ec2_form_decode(body))
    if (!result.emplace(key, value).second)
      throw std::runtime_error("repeated form key " + key);
  return result;
}

} // namespace styx::test
