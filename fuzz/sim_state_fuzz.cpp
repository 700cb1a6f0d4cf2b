// Fuzzes the simulated cloud's state file (providers/sim/sim_state_file.hpp): a snapshot or
// an error, never a crash; what decodes encodes and decodes again to the same text.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "providers/sim/sim_state_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  sim_snapshot snap;
  std::string error;
  if (!decode_sim_snapshot(text, &snap, &error))
    return 0;
  auto once = encode_sim_snapshot(snap);
  sim_snapshot again;
  if (!decode_sim_snapshot(once, &again, &error) || encode_sim_snapshot(again) != once)
    std::abort(); // the file Styx writes must read back as it was
  return 0;
}
