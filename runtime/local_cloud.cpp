#include "runtime/local_cloud.hpp"

#include <filesystem>

#include "providers/local/local_api.hpp"

namespace styx {

std::string local_cloud_dir(const std::string& state_dir, const std::string& engine_id) {
  if (!state_dir.empty())
    return state_dir + "/local";
  return (std::filesystem::temp_directory_path() / ("styx-local-" + engine_id)).string();
}

cloud_api_ptr make_local_cloud(const std::string& region, const local_options& opts,
                               const std::string& dir, std::unique_ptr<process_manager>& manager) {
  if (!manager)
    manager = std::make_unique<process_manager>(dir, opts.grace);
  return std::make_shared<local_api>(provider_id{"local", region}, *manager, opts);
}

void apply_local_pacing(provider_config& cfg) {
  cfg.limits = rate_limits::unlimited();
  cfg.first_poll = milliseconds(50);
  cfg.poll_interval = milliseconds(250);
  cfg.sweep_interval = seconds(1);
}

} // namespace styx
