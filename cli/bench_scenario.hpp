#pragma once
// `styx bench -f FILE`: a scenario file (YAML, the bench flags' fields) read into the bench's
// options, and the checks every bench run's options pass, from flags or file alike. Pure
// functions of their arguments; fuzzed by fuzz/bench_scenario_fuzz.cpp.

#include <functional>
#include <string>
#include <vector>

#include "runtime/bench.hpp"

namespace styx::cli {

/// Applies the scenario `text` to `opts` and `policy_words`, leaving every field whose flag
/// `given` says was on the command line (flags win). Unknown fields are errors. Throws
/// usage_error with one line that starts with `where` ("scenario PATH").
void apply_bench_scenario(const std::string& text, const std::string& where,
                          const std::function<bool(const char*)>& given, bench_options& opts,
                          std::vector<std::string>& policy_words);

/// Throws usage_error with one line for options no bench can run (a count that is not
/// positive, an unknown provider or profile, a bad policy, ...); sets opts.policy and
/// opts.within from `policy_words`.
void check_bench_options(bench_options& opts, const std::vector<std::string>& policy_words);

} // namespace styx::cli
