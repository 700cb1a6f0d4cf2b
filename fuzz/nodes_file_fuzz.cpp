// Fuzzes the nodes file (runtime/node_client.hpp parse_nodes_text): nodes or a
// std::runtime_error naming the file, never a crash nor another exception.

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "runtime/node_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  std::vector<styx::remote_node> nodes;
  styx::node_transport transport;
  try {
    styx::parse_nodes_text(text, "nodes file n.yaml", nodes, transport);
  } catch (const std::runtime_error& e) {
    if (std::string{e.what()}.rfind("nodes file n.yaml: ", 0) != 0)
      std::abort(); // every error names the file
  }
  return 0;
}
