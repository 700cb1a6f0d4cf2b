#include "cli/config.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "cli/node_command.hpp"
#include "runtime/aws_credentials.hpp"
#include "runtime/azure_settings.hpp"
#include "runtime/gcp_settings.hpp"
#include "runtime/k8s_config.hpp"
#include "runtime/node_memory.hpp"
#include "runtime/provider_memory.hpp"
#include "runtime/state_dir.hpp"

namespace styx::cli {

namespace {

void check_clouds(const std::vector<std::string>& clouds) {
  for (auto& c : clouds)
    if (c != "sim" && c != "aws" && c != "gcp" && c != "azure" && c != "local"
        && c != "kubernetes")
      throw usage_error("unknown provider '" + c + "' (known: " + known_clouds() + ")");
}

/// A positive number of the environment variable `name`, if set; throws usage_error.
std::optional<double> positive_env(const char* name) {
  auto* text = std::getenv(name);
  if (text == nullptr || *text == '\0')
    return std::nullopt;
  char* end = nullptr;
  double x = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(x > 0))
    throw usage_error(std::string(name) + " expects a positive number, got '" + text + "'");
  return x;
}

/// The local cloud's settings from STYX_LOCAL_CPUS, STYX_LOCAL_MEMORY (GiB) and
/// STYX_LOCAL_GRACE (seconds).
void local_from_env(local_options& local) {
  if (auto x = positive_env("STYX_LOCAL_CPUS"))
    local.cpus = *x;
  if (auto x = positive_env("STYX_LOCAL_MEMORY"))
    local.memory_gib = *x;
  if (auto x = positive_env("STYX_LOCAL_GRACE"))
    local.grace = from_seconds(*x);
}

/// The nodes of a later command: `--nodes FILE` if given, else those the state dir used. A
/// node that does not answer within a few seconds is reported, not waited for.
void remembered_nodes(const common_options& common, engine_config& cfg) {
  cfg.node_wait = seconds(5);
  if (!common.nodes_file.empty()) {
    apply_nodes_file(common.nodes_file, true, cfg);
    return;
  }
  auto memory = load_node_memory(cfg.state_dir);
  cfg.nodes = memory.nodes;
  cfg.node_net.insecure = memory.transport.insecure;
  cfg.node_net.tls = memory.transport.tls;
  for (auto& n : cfg.nodes)
    if (auto why = check_transport(n.host, cfg.node_net); !why.empty())
      throw usage_error("node " + n.to_string() + " (remembered in " + cfg.state_dir
                        + "/nodes): " + why);
}

/// The regions of `regions` that `cloud` runs in: all of them when it is the only cloud given,
/// else those named as it names them (aws: us-east-1, gcp: us-central1, azure: eastus).
std::vector<std::string> regions_of(const std::string& cloud,
                                    const std::vector<std::string>& clouds,
                                    const std::vector<std::string>& regions) {
  if (std::count_if(clouds.begin(), clouds.end(), [](auto& c) { return c != "sim"; }) <= 1)
    return regions;
  std::vector<std::string> out;
  for (auto& r : regions) {
    bool digit_after_dash = r.size() > 2 && r[r.size() - 2] == '-';
    auto kind = digit_after_dash ? "aws" : r.find('-') == std::string::npos ? "azure" : "gcp";
    if (cloud == kind)
      out.push_back(r);
  }
  return out;
}

/// The regions ("<context>/<namespace>") of --context (each) and --namespace.
std::vector<std::string> k8s_regions(const common_options& common) {
  std::vector<std::string> out;
  auto contexts = common.k8s_contexts;
  if (contexts.empty())
    contexts.emplace_back();
  for (auto& ctx : contexts) {
    auto r = resolve_k8s_region(ctx, common.k8s_namespace);
    if (!r.error.empty())
      throw usage_error("kubernetes: " + r.error);
    out.push_back(r.region);
  }
  return out;
}

} // namespace

std::optional<duration> call_timeout_of(const common_options& common) {
  if (common.call_timeout == 0)
    return std::nullopt;
  if (!(common.call_timeout >= 1 && common.call_timeout <= 3600))
    throw usage_error("--call-timeout must be between 1 and 3600 seconds");
  return std::chrono::duration_cast<duration>(std::chrono::duration<double>(common.call_timeout));
}

engine_config config_for(const common_options& common, std::vector<std::string> clouds,
                         const std::vector<std::string>& regions, bool remembered) {
  engine_config cfg;
  cfg.state_dir = resolve_state_dir(common.state_dir);
  cfg.reconcile_on_start = false; // status answers from the store; up and reconcile ask for it
  if (auto* image = std::getenv("STYX_AWS_DEFAULT_IMAGE"); image != nullptr && *image != '\0')
    cfg.aws.default_image = image;
  if (auto* subnet = std::getenv("STYX_AWS_SUBNET"); subnet != nullptr && *subnet != '\0')
    cfg.aws.subnet_id = subnet;
  local_from_env(cfg.local);
  if (auto t = call_timeout_of(common)) {
    cfg.aws.request_timeout = cfg.gcp.request_timeout = *t;
    cfg.azure.request_timeout = cfg.kubernetes.request_timeout = *t;
  }
  if (clouds.empty())
    clouds.push_back("sim");
  check_clouds(clouds);
  cfg.providers.clear();
  auto spec_of = [&](const std::string& cloud) -> provider_spec& {
    for (auto& p : cfg.providers)
      if (p.cloud == cloud)
        return p;
    return cfg.providers.emplace_back(provider_spec{cloud, {}, {}});
  };
  cfg.gcp.project = common.gcp_project;
  // The Kubernetes client's rate limit (client-go's QPS 5, burst 10 by default).
  if (auto* qps = std::getenv("STYX_KUBE_QPS"); qps != nullptr && *qps != '\0')
    cfg.kubernetes.qps = std::atof(qps);
  if (auto* burst = std::getenv("STYX_KUBE_BURST"); burst != nullptr && *burst != '\0')
    cfg.kubernetes.burst = std::atof(burst);
  cfg.azure.subscription = common.azure_subscription;
  cfg.azure.resource_group = common.azure_group;
  for (auto& c : clouds) {
    auto& spec = spec_of(c);
    if (c == "azure") {
      spec.regions = regions_of(c, clouds, regions);
      if (spec.regions.empty()) {
        auto location = resolve_azure_location("");
        if (!location.error.empty())
          throw usage_error("azure: " + location.error);
        spec.regions.push_back(location.location);
      }
    }
    if (c == "gcp") {
      spec.regions = regions_of(c, clouds, regions);
      if (spec.regions.empty()) {
        auto region = resolve_gcp_region("");
        if (!region.error.empty())
          throw usage_error("gcp: " + region.error);
        spec.regions.push_back(region.region);
      }
    }
    if (c == "kubernetes") // one provider per (context, namespace)
      spec.regions = k8s_regions(common);
    if (c != "aws")
      continue;
    spec.regions = regions_of(c, clouds, regions);
    if (spec.regions.empty()) {
      auto settings = resolve_aws_settings("");
      if (auto* err = std::get_if<std::string>(&settings))
        throw usage_error("aws: " + *err);
      spec.regions.push_back(std::get<aws_settings>(settings).region);
    }
  }
  // Hidden, for tests: STYX_SIM_PROFILE=fast shortens the simulated cloud's delays and lifts
  // the rate limits, so that crash tests of thousands of instances take seconds. =chaos is
  // fast with faults (tests/e2e/crash_test.cpp, "chaos sim"): 5 % transient errors, 2 % of
  // mutations done but their answer lost, latency spikes, small batches, and server buckets
  // below the client's, so that the cloud throttles.
  const std::string sim_profile = std::getenv("STYX_SIM_PROFILE") ? std::getenv("STYX_SIM_PROFILE")
                                                                  : "";
  if (sim_profile == "fast" || sim_profile == "chaos") {
    cfg.sim.latency_median = milliseconds(2);
    cfg.sim.latency_p99 = milliseconds(10);
    cfg.sim.throttle = false;
    cfg.sim.pending_min = milliseconds(50);
    cfg.sim.pending_max = milliseconds(200);
    cfg.sim.transition_min = milliseconds(20);
    cfg.sim.transition_max = milliseconds(100);
    for (auto& p : cfg.providers) {
      p.limits.limits = rate_limits::unlimited();
      p.limits.poll_interval = milliseconds(100);
    }
    cfg.gcp.quotas = gcp_quotas{0, 0};
  }
  if (sim_profile == "chaos") {
    cfg.sim.latency_p99 = milliseconds(400); // spikes: a heavy lognormal tail
    cfg.sim.transient_error_rate = 0.05;
    cfg.sim.lost_answer_rate = 0.02;
    cfg.sim.throttle = true;
    cfg.sim.buckets.create = {5, 5};
    cfg.sim.buckets.create_instances = {2000, 1000};
    cfg.sim.buckets.describe = {40, 20};
    cfg.sim.buckets.terminate = {20, 10};
    cfg.sim.buckets.terminate_instances = {2000, 1000};
    for (auto& p : cfg.providers) {
      // Batches of 25 and client buckets above the cloud's: many calls, some throttled.
      p.limits.create_window.max_items = 25;
      p.limits.change_window.max_items = 100;
      p.limits.limits.create = {40, 20};
      p.limits.limits.describe = {80, 40};
      p.limits.limits.terminate = {40, 20};
    }
  }
  if (remembered) {
    for (auto& id : load_provider_memory(cfg.state_dir)) {
      auto& spec = spec_of(id.cloud);
      if (id.cloud != "sim"
          && std::find(spec.regions.begin(), spec.regions.end(), id.region) == spec.regions.end())
        spec.regions.push_back(id.region);
    }
    cfg.skip_unavailable = true; // reach what can be reached; report_unreached says the rest
    remembered_nodes(common, cfg);
  }
  return cfg;
}

std::pair<std::string, std::string> parse_tag(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw usage_error("--tag expects key=value, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

request_id parse_request_id(const std::string& text, const char* flag) {
  auto id = uuid::parse(text);
  if (!id)
    throw usage_error(std::string(flag) + " expects a request id, got '" + text + "'");
  request_id rid;
  static_cast<uuid&>(rid) = *id;
  return rid;
}

std::set<instance_id> report_unreached(engine& eng, const std::vector<instance_record>& records,
                                       std::ostream& err) {
  std::set<instance_id> missed;
  for (auto& u : eng.unreached_of(records)) {
    err << "styx: " << u.to_line() << '\n';
    missed.insert(u.instances.begin(), u.instances.end());
  }
  return missed;
}

} // namespace styx::cli
