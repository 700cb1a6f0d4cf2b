// Fuzzes the YAML request spec (runtime/request_spec.hpp): a request or a spec_error of one
// line, never a crash nor another exception.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "runtime/request_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  try {
    (void)styx::parse_request_spec(text, "spec.yaml", 1'700'000'000'000);
  } catch (const styx::spec_error& e) {
    if (std::string{e.what()}.find('\n') != std::string::npos)
      std::abort(); // errors are one line
  }
  return 0;
}
