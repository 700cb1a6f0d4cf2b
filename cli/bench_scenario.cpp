#include "cli/bench_scenario.hpp"

#include <sstream>

#include <yaml-cpp/yaml.h>

#include "cli/commands.hpp"
#include "common/one_line.hpp"
#include "cli/policy_option.hpp"
#include "runtime/bench_plan.hpp"

namespace styx::cli {

namespace {

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in{text};
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

} // namespace

void apply_bench_scenario(const std::string& text, const std::string& where,
                          const std::function<bool(const char*)>& given, bench_options& opts,
                          std::vector<std::string>& policy_words) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw usage_error(where + ": " + one_line(e.what()));
  }
  if (!y.IsMap())
    throw usage_error(where + ": expected a map of the bench flags' fields");
  try {
    for (auto it : y) {
      auto key = it.first.as<std::string>();
      auto& v = it.second;
      if (key == "count") {
        if (!given("--count")) opts.count = v.as<int>();
      } else if (key == "shape") {
        if (!given("--shape")) opts.shape = v.as<std::string>();
      } else if (key == "requests") {
        if (!given("--requests")) opts.requests = v.as<int>();
      } else if (key == "arrival") {
        if (!given("--arrival")) opts.arrival = v.as<std::string>();
      } else if (key == "arrival_rate") {
        if (!given("--arrival-rate")) opts.arrival_rate = v.as<double>();
      } else if (key == "provider") {
        if (!given("--provider")) opts.cloud = v.as<std::string>();
      } else if (key == "regions") {
        if (!given("--region")) opts.regions = v.as<std::vector<std::string>>();
      } else if (key == "providers") {
        if (!given("--providers")) opts.providers = v.as<int>();
      } else if (key == "profile") {
        if (!given("--profile")) opts.profile = v.as<std::string>();
      } else if (key == "rate_scale") {
        if (!given("--rate-scale")) opts.rate_scale = v.as<double>();
      } else if (key == "pending") {
        if (!given("--pending")) opts.pending_seconds = v.as<double>();
      } else if (key == "seed") {
        if (!given("--seed")) opts.seed = v.as<uint64_t>();
      } else if (key == "policy") { // "fastest", "cheapest-within 90s" or a list of the words
        if (!given("--policy"))
          policy_words = v.IsSequence() ? v.as<std::vector<std::string>>()
                                        : words_of(v.as<std::string>());
      } else if (key == "price_step") {
        if (!given("--price-step")) opts.price_step = v.as<double>();
      } else {
        throw usage_error(where + ": unknown field '" + one_line(key) + "'");
      }
    }
  } catch (const YAML::Exception& e) {
    throw usage_error(where + ": " + one_line(e.what()));
  }
}


void check_bench_options(bench_options& opts, const std::vector<std::string>& policy_words) {
  if (opts.count <= 0)
    throw usage_error("count must be positive, got " + std::to_string(opts.count));
  if (auto why = check_plan_options(opts); !why.empty())
    throw usage_error(one_line(why));
  if (opts.cloud != "sim" && opts.cloud != "aws" && opts.cloud != "gcp" && opts.cloud != "azure")
    throw usage_error("unknown provider '" + one_line(opts.cloud)
                      + "' (known: sim, aws, gcp, azure)");
  if (opts.providers <= 0 || opts.providers > 8)
    throw usage_error("providers must be between 1 and 8");
  if (opts.profile != "ec2" && opts.profile != "unlimited")
    throw usage_error("unknown profile '" + one_line(opts.profile)
                      + "' (known: ec2, unlimited)");
  if (!(opts.rate_scale > 0))
    throw usage_error("rate-scale must be positive");
  parse_policy_words(policy_words, opts.policy, opts.within);
  if (!(opts.price_step >= 0))
    throw usage_error("price-step must not be negative");
}

} // namespace styx::cli
