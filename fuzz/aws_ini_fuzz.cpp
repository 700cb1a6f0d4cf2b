// Fuzzes the AWS credentials and config INI parser (providers/aws/credentials.hpp): a file or
// a "path:line: error" message, never a crash; profiles are then looked up in what it read.

#include <cstdint>
#include <string>

#include "providers/aws/credentials.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  for (auto kind : {aws_file_kind::credentials, aws_file_kind::config}) {
    auto parsed = parse_aws_ini(text, "/home/u/.aws/file", kind);
    if (auto* file = std::get_if<aws_ini_file>(&parsed))
      for (auto name : {"default", "dev", ""})
        (void)find_aws_profile(*file, name);
  }
  return 0;
}
