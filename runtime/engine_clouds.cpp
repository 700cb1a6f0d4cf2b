// engine::impl::make_cloud(): the cloud API of one provider (sim, aws, gcp, azure,
// kubernetes, local), or why it is left out.

#include <spdlog/spdlog.h>

#include "runtime/aws_cloud.hpp"
#include "runtime/azure_cloud.hpp"
#include "runtime/durable_sim_api.hpp"
#include "runtime/engine_impl.hpp"
#include "runtime/k8s_cloud.hpp"
#include "runtime/provider_memory.hpp"

namespace styx {

cloud_api_ptr engine::impl::make_cloud(const std::string& cloud, const std::string& region) {
  provider_id id{cloud, region};
  // The supervisor runs already: stop it before throwing, or the actor system never ends.
  auto fail = [this](const std::string& message) {
    stop();
    throw engine_error(message);
  };
  if (cloud == "sim" && db && sim_loaded && !cfg.sim.state_file.empty())
    return std::make_shared<durable_sim_api>(sim, id, *tmr, sim_save_mtx);
  if (cloud == "sim")
    return std::make_shared<sim_api>(sim, id, *tmr);
  auto transport = [this]() -> http_transport& {
    if (!http && !cfg.transport)
      http = std::make_unique<http_engine>();
    return cfg.transport ? *cfg.transport : *http;
  };
  auto remember = [&] {
    if (cfg.state_dir.empty())
      return;
    try {
      remember_provider(cfg.state_dir, id);
    } catch (const engine_error& e) {
      fail(e.what());
    }
  };
  if (cloud == "local") {
    try {
      auto api = make_local_cloud(region, cfg.local,
                                  local_cloud_dir(cfg.state_dir, cfg.engine_id), local_host);
      remember();
      return api;
    } catch (const std::runtime_error& e) {
      fail(e.what());
    }
  }
  auto made_or_left_out = [&](auto made) -> cloud_api_ptr { // every cloud but sim and local
    if (!made.api) {
      if (!cfg.skip_unavailable)
        fail(cloud + "/" + region + ": " + made.error);
      spdlog::warn("{}/{}: left out: {}", cloud, region, made.error);
      unavailable.push_back(unavailable_provider{id, made.error});
      return nullptr;
    }
    remember();
    spdlog::info("{}/{}: {}", cloud, region, made.description);
    return made.api;
  };
  if (cloud == "gcp")
    return made_or_left_out(make_gcp_cloud(region, cfg.gcp, transport(), *clk, gcp_tokens));
  if (cloud == "azure")
    return made_or_left_out(
      make_azure_cloud(region, cfg.azure, transport(), *clk, azure_tokens));
  if (cloud == "kubernetes") {
    auto made = make_k8s_cloud(region, cfg.kubernetes, transport(), *clk);
    if (made.api && made.insecure)
      spdlog::warn("kubernetes/{}: insecure-skip-tls-verify: the server's certificate is "
                   "not checked", region);
    return made_or_left_out(std::move(made));
  }
  if (cloud == "aws")
    return made_or_left_out(make_aws_cloud(region, cfg.aws, transport(), *clk));
  auto unknown = "unknown provider '" + cloud + "' (known: " + known_clouds() + ")";
  if (!cfg.skip_unavailable)
    fail(unknown);
  unavailable.push_back(unavailable_provider{id, unknown}); // remembered by another build
  return nullptr;
}

} // namespace styx
