// Fuzzes the kubeconfig reader (runtime/k8s_config.hpp): the input is written to a file that
// KUBECONFIG names, and resolving it gives settings or a one-line error, never a crash. A
// multi-line error is a finding (std::abort).

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "runtime/k8s_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace styx;
  static const std::string path = "/tmp/styx-fuzz-kubeconfig-" + std::to_string(::getpid());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  env_lookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "KUBECONFIG")
      return path;
    if (name == "HOME")
      return std::string{"/nonexistent"};
    return std::nullopt;
  };
  for (auto* context : {"", "kind"}) {
    auto got = resolve_k8s_settings(context, "", env, "/nonexistent");
    if (auto* err = std::get_if<std::string>(&got)) {
      if (err->empty() || err->find('\n') != std::string::npos)
        std::abort(); // the contract: one line
    } else {
      (void)std::get<k8s_settings>(got).describe();
    }
    auto region = resolve_k8s_region(context, "", env);
    if (region.error.find('\n') != std::string::npos)
      std::abort();
  }
  return 0;
}
