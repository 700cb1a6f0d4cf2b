// Fuzzes the bench scenario file and the checks of the bench's options
// (cli/bench_scenario.hpp): options or a usage_error of one line, never a crash nor another
// exception. What passes the checks is planned (when small enough to plan here).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/bench_scenario.hpp"
#include "cli/commands.hpp"
#include "runtime/bench_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text{reinterpret_cast<const char*>(data), size};
  styx::bench_options opts;
  std::vector<std::string> policy{"fastest"};
  try {
    styx::cli::apply_bench_scenario(text, "scenario s.yaml", [](const char*) { return false; },
                                    opts, policy);
    styx::cli::check_bench_options(opts, policy);
    if (opts.count <= 100'000)
      (void)styx::plan_requests(opts);
  } catch (const styx::cli::usage_error& e) {
    if (std::string{e.what()}.find('\n') != std::string::npos)
      std::abort(); // errors are one line
  }
  return 0;
}
