#pragma once
// Everything an engine starts from. The defaults give the simulated cloud in all its regions,
// with EC2's rate limits, in memory only (set state_dir to persist).

#include <string>
#include <vector>

#include "actors/placement.hpp"
#include "actors/provider_config.hpp"
#include "providers/aws/ec2_options.hpp"
#include "providers/azure/azure_options.hpp"
#include "providers/gcp/gcp_options.hpp"
#include "providers/kubernetes/k8s_options.hpp"
#include "providers/local/local_options.hpp"
#include "providers/http.hpp"
#include "providers/sim/sim_config.hpp"
#include "runtime/node.hpp"

namespace styx {

/// One cloud in some regions, each region one provider actor.
struct provider_spec {
  std::string cloud = "sim";          // sim, aws, gcp, azure, kubernetes, local
  std::vector<std::string> regions;   // empty: every region the cloud offers (sim) or the default
  provider_config limits;
};

struct engine_config {
  std::string state_dir;              // empty: nothing persists (tests, embedding)
  bool reconcile_on_start = true;     // with a state dir: engine::start() reconciles (adopts,
                                      // ends surplus and orphans) before it returns
  std::string engine_id;              // empty: from <state_dir>/engine-id, created once
  std::vector<provider_spec> providers{provider_spec{}};
  bool skip_unavailable = false;      // a provider that cannot be made (aws without region or
                                      // credentials, a cloud this build does not know) is left
                                      // out instead of failing start(); engine::unavailable()
                                      // says which and why

  sim_config sim;                     // state_file defaults to <state_dir>/sim-cloud.json
  ec2_options aws;                    // the "aws" cloud: default image, subnet (credentials,
                                      // region and endpoint: the AWS CLI's chain)
  gcp_options gcp;                    // the "gcp" cloud: project, image, network, quotas
                                      // (credentials, project and endpoint: gcloud's chain,
                                      // runtime/gcp_settings.hpp). Its providers' buckets
                                      // come from gcp.quotas, not provider_spec::limits.
  local_options local;                // the "local" cloud: processes on this machine (command,
                                      // capacity, grace period; region "localhost")
  k8s_options kubernetes;             // the "kubernetes" cloud: resource classes, image, QPS
                                      // (clusters and credentials: kubectl's kubeconfig,
                                      // runtime/k8s_config.hpp; a region is
                                      // "<context>/<namespace>"). Its providers' buckets
                                      // come from kubernetes.qps/burst.
  azure_options azure;                // the "azure" cloud: subscription, resource group,
                                      // endpoint, CA bundle, image, subnet, buckets
                                      // (credentials: azure-identity's variables,
                                      // runtime/azure_settings.hpp). Its providers' buckets
                                      // come from azure.limits, not provider_spec::limits.
  http_transport* transport = nullptr; // the clouds' HTTP; null: the engine's own libcurl
                                      // engine. Must outlive the engine (tests wrap it).
  bool places_instances = true;       // false: the providers fetch no catalog (zones, types,
                                      // prices) and submit() refuses; for commands that only
                                      // act on existing instances (styx down, status)
  placement_policy policy = placement_policy::cheapest;
  duration within{};                  // policy cheapest_within: each request's deadline
  duration blocklist_ttl = std::chrono::minutes(3);
  duration pending_timeout = std::chrono::minutes(10);
  size_t threads = 0;                 // CAF scheduler threads; 0: the machine's cores
  std::string scheduler = "sharing";  // sharing or stealing
  uint64_t seed = 0;                  // ids and jitter; 0: from the OS

  // Distributed nodes (runtime/node_client.hpp): their providers join the supervisor like local
  // ones. Non-empty nodes load the middleman; node_wait bounds the first connect at start. With
  // a state dir they are remembered in <state_dir>/nodes (runtime/node_memory.hpp).
  std::vector<remote_node> nodes;
  node_transport node_net;
  duration node_wait = std::chrono::seconds(30);
};

/// The known clouds, for error messages: "sim, aws, gcp, azure, kubernetes, local".
const char* known_clouds();

} // namespace styx
