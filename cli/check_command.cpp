#include "cli/check_command.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/config.hpp"
#include "common/json.hpp"
#include "common/one_line.hpp"
#include "runtime/cloud_check.hpp"

namespace styx::cli {

namespace {

const std::vector<std::string> all_clouds{"sim", "aws", "gcp", "azure", "kubernetes", "local"};

/// The check of `cloud`: its engine_config as `styx up --provider cloud` would make it (a
/// cloud whose region or cluster cannot even be resolved is not usable, with why).
cloud_check check_one(const common_options& common, const std::string& cloud,
                      const std::vector<std::string>& regions) {
  engine_config cfg;
  try {
    cfg = config_for(common, {cloud}, regions, false);
  } catch (const usage_error& e) {
    cloud_check c;
    c.cloud = cloud;
    std::string why = one_line(e.what());
    if (why.rfind(cloud + ": ", 0) == 0)
      why = why.substr(cloud.size() + 2);
    c.reason = why;
    return c;
  }
  auto checks = check_clouds(std::move(cfg));
  return checks.empty() ? cloud_check{cloud, {}, false, {}, false, 0, "not checked"}
                        : checks.front();
}

json check_json(const cloud_check& c) {
  return {{"cloud", c.cloud},
          {"usable", c.usable()},
          {"credentials", c.credentials},
          {"credentials_from", c.credentials_from},
          {"answered", c.answered},
          {"regions", c.regions},
          {"offerings", c.offerings},
          {"reason", c.reason}};
}

} // namespace

CLI::App* add_check_command(CLI::App& app, check_options& opts) {
  auto* cmd = app.add_subcommand(
    "check", "which clouds have credentials, answer an authenticated read and are usable");
  cmd->add_option("--provider", opts.providers,
                  std::string("cloud(s) to check (default: all of ") + known_clouds() + ")");
  cmd->add_option("--region", opts.regions, "region(s) to check them in");
  cmd->add_flag("--json", opts.json, "print JSON");
  return cmd;
}

int run_check(const common_options& common, const check_options& opts) {
  auto clouds = opts.providers.empty() ? all_clouds : opts.providers;
  for (auto& c : clouds) // unknown names are bad input before anything is checked
    if (std::find(all_clouds.begin(), all_clouds.end(), c) == all_clouds.end())
      throw usage_error("unknown provider '" + c + "' (known: " + known_clouds() + ")");
  std::vector<cloud_check> checks;
  for (auto& c : clouds)
    checks.push_back(check_one(common, c, opts.regions));
  size_t usable = 0;
  for (auto& c : checks)
    usable += c.usable() ? 1 : 0;
  if (opts.json) {
    json arr = json::array();
    for (auto& c : checks)
      arr.push_back(check_json(c));
    std::cout << json_text(json{{"clouds", std::move(arr)}, {"usable", usable}}) << '\n';
  } else {
    for (auto& c : checks)
      std::cout << c.to_line() << '\n';
    std::cout << usable << " of " << checks.size() << " cloud(s) usable for styx up\n";
  }
  bool requested_ok = opts.providers.empty() ? usable > 0 : usable == checks.size();
  return requested_ok ? exit_ok : exit_failed;
}

void print_provider_help(const common_options& common, std::ostream& out) {
  out << "--provider CLOUD (repeatable): the clouds this build knows, and whether their "
         "credentials are found\n(settings only; styx check also asks each endpoint):\n";
  auto cfg = config_for(common, {}, {}, false);
  for (auto& cloud : all_clouds) {
    bool ok = false;
    auto from = cloud_credentials(cfg, cloud, "", &ok);
    out << "  " << cloud << std::string(12 - cloud.size(), ' ')
        << (ok ? "credentials: " : "not available: ") << from << '\n';
  }
}

} // namespace styx::cli
