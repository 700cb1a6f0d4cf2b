#pragma once
// Parsers of EC2 Query API responses (XML) into the engine's vocabulary. Elements are matched
// by local name, whatever their namespace or prefix: EC2 answers with
// xmlns="http://ec2.amazonaws.com/doc/2016-11-15/", moto without the trailing slash.
// Every parser returns nullopt when the body is not XML or its root is not the expected
// <ActionResponse>; check ec2_error_from() (ec2_errors.hpp) first for error answers.
//
// States: pending, running, stopping, stopped map onto themselves, shutting-down onto
// terminating, terminated onto terminated; an unknown name reads as pending (the next describe
// tells). stateReason/code becomes cloud_instance::reason via ec2_state_reason().

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_types.hpp"

namespace styx {

/// EC2's instance-state name onto instance_state; nullopt for an unknown name.
std::optional<instance_state> ec2_state(std::string_view name);

/// A stateReason code onto the engine's reason: Server.SpotInstanceTermination -> preempted,
/// Client.UserInitiatedShutdown -> user_initiated, any other code -> cloud_ended.
state_reason ec2_state_reason(std::string_view code);

/// ISO-8601 ("2024-05-01T12:00:00.000Z", "+02:00" offsets) to unix ms; nullopt if malformed.
std::optional<unix_ms> ec2_parse_time(std::string_view text);

/// Instances of one response and the token of the next page (empty: last page).
struct ec2_instances_page {
  std::vector<cloud_instance> instances;
  std::string next_token;
};

/// RunInstancesResponse: the reservation's instances, sorted by amiLaunchIndex (an answer
/// without it gets its document order as the index).
std::optional<std::vector<cloud_instance>> ec2_parse_run_instances(std::string_view xml);

/// DescribeInstancesResponse: every reservation's instances, in document order, with their
/// clientToken and amiLaunchIndex.
std::optional<ec2_instances_page> ec2_parse_describe_instances(std::string_view xml);

/// DescribeInstanceStatusResponse: cloud_id, zone and state of each instance, nothing else.
std::optional<ec2_instances_page> ec2_parse_instance_status(std::string_view xml);

/// Stop/Start/TerminateInstancesResponse: cloud_id and the current state only.
std::optional<std::vector<cloud_instance>> ec2_parse_state_changes(std::string_view xml);

struct ec2_instance_type_info {
  std::string instance_type;
  double vcpus = 0;
  double memory_gib = 0;
  int gpus = 0;
  std::string gpu_kind; // "V100", "A10G"; the first GPU's name
};

struct ec2_instance_types_page {
  std::vector<ec2_instance_type_info> types;
  std::string next_token;
};

std::optional<ec2_instance_types_page> ec2_parse_instance_types(std::string_view xml);

struct ec2_zone {
  std::string name;  // "us-east-1a"
  std::string state; // "available", "impaired", "unavailable"
};

std::optional<std::vector<ec2_zone>> ec2_parse_availability_zones(std::string_view xml);

/// Spot prices, USD/hour, keyed by (instance type, zone).
using ec2_spot_prices = std::map<std::pair<std::string, std::string>, double>;

struct ec2_spot_price_page {
  ec2_spot_prices prices;
  std::map<std::pair<std::string, std::string>, unix_ms> stamps; // when each price was set
  std::string next_token;

  /// Adds `other` (a later page): per key, the latest timestamp wins.
  void merge(const ec2_spot_price_page& other);
};

/// DescribeSpotPriceHistoryResponse; of several prices for one key, the latest wins.
std::optional<ec2_spot_price_page> ec2_parse_spot_price_history(std::string_view xml);

} // namespace styx
