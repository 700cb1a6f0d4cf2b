#pragma once
// The CLI's commands, each a function from parsed options to an exit code.

#include <stdexcept>
#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "messages/protocol.hpp"

namespace styx::cli {

/// Bad input: printed as one line, exit code 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct common_options {
  std::string state_dir;
  int verbosity = 0;
  std::string nodes_file; // status, reconcile, stop, start, down: --nodes FILE instead of the
                          // nodes the state dir remembers (runtime/node_memory.hpp)
  std::string gcp_project; // --project; empty: gcloud's chain (runtime/gcp_settings.hpp)
  std::vector<std::string> k8s_contexts; // --context; empty: the kubeconfig's current one
  std::string k8s_namespace; // --namespace; empty: the context's (runtime/k8s_config.hpp)
  std::string azure_subscription; // --subscription; empty: AZURE_SUBSCRIPTION_ID
  std::string azure_group; // --resource-group; empty: AZURE_RESOURCE_GROUP
                           // (runtime/azure_settings.hpp)
  double call_timeout = 0; // --call-timeout: seconds one HTTP exchange with a cloud may take;
                           // 0: each cloud's default (cli/config.cpp)
};

struct up_options {
  std::string file;
  std::string name = "styx";
  int count = 1;
  int min_count = 0;
  double cpus = 1;
  double memory = 1;
  int gpus = 0;
  std::string gpu_kind;
  std::vector<std::string> providers;
  std::vector<std::string> regions;
  std::vector<std::string> zones;
  std::vector<std::string> instance_types;
  bool spot = false;
  double max_price = 0;
  std::vector<std::string> tags;
  std::string image;
  double timeout = 0;
  std::vector<std::string> policy{"cheapest"}; // a name, and cheapest-within's deadline
  bool detach = false;
  bool json = false;
  std::string nodes_file; // distributed nodes (cli/node_command.hpp)
  std::string resume;     // a request id: reconcile, then provision what it still lacks
};

struct status_options {
  bool json = false;
  bool refresh = false; // ask the clouds (adopt) instead of answering from the store
};

struct reconcile_options {
  bool json = false;
};

struct change_options {
  change_op op = change_op::terminate;
  std::vector<std::string> instances;
  std::vector<std::string> tags;
  std::vector<std::string> requests;
  bool all = false;
  bool json = false;
  int wait_seconds = 600;
};

int run_up(const common_options& common, const up_options& opts);
int run_status(const common_options& common, const status_options& opts);
/// stop / start / down (cli/change_command.cpp).
int run_change(const common_options& common, const change_options& opts);
/// Matches the clouds to the store (runtime/reconcile.hpp) and prints the counts.
int run_reconcile(const common_options& common, const reconcile_options& opts);

} // namespace styx::cli
