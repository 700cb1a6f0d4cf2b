#pragma once
// Compute Engine's JSON answers, read with simdjson into plain values: Operations, instance
// lists (instances.list and aggregatedList alike), operation lists, zones, machine types and
// Google's error bodies. A body that is not the expected document gives nullopt. Pure
// functions; the parser is thread-local.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"

namespace styx {

/// One zone operation (compute#operation).
struct gcp_operation {
  std::string name;
  std::string zone;           // its last URL segment
  std::string type;           // operationType: insert, bulkInsert, stop, compute.instances.preempted
  std::string status;         // PENDING, RUNNING, DONE
  std::string target_name;    // the last segment of targetLink (an instance's name)
  std::string client_operation_id; // the requestId it was made with
  std::string error_code;     // error.errors[0].code; empty: no error
  std::string error_message;
  int http_error_status = 0;  // httpErrorStatusCode

  bool done() const { return status == "DONE"; }
  bool failed() const { return !error_code.empty(); }
};

struct gcp_instance_page {
  std::vector<cloud_instance> instances;
  std::string next_page_token;
};

struct gcp_operation_page {
  std::vector<gcp_operation> operations;
  std::string next_page_token;
};

struct gcp_zone_info {
  std::string name;
  std::string region; // its last URL segment
  std::string status; // UP, DOWN
};

struct gcp_zone_page {
  std::vector<gcp_zone_info> zones;
  std::string next_page_token;
};

struct gcp_machine_type {
  std::string name;
  std::string zone;
  double cpus = 0;
  double memory_gib = 0;
};

struct gcp_machine_type_page {
  std::vector<gcp_machine_type> types;
  std::string next_page_token;
};

/// {"error": {"code", "message", "errors": [{"reason", ...}], "status"}}.
struct gcp_error_body {
  int code = 0;
  std::string message;
  std::string reason; // errors[0].reason
  std::string status; // PERMISSION_DENIED, ...
};

std::optional<gcp_operation> gcp_parse_operation(std::string_view body);
std::optional<gcp_operation_page> gcp_parse_operations(std::string_view body);
/// instances.list ("items": [...]) or aggregatedList ("items": {"zones/Z": {"instances": [...]}}).
std::optional<gcp_instance_page> gcp_parse_instances(std::string_view body);
std::optional<gcp_zone_page> gcp_parse_zones(std::string_view body);
/// machineTypes.list or aggregatedList.
std::optional<gcp_machine_type_page> gcp_parse_machine_types(std::string_view body);
std::optional<gcp_error_body> gcp_parse_error(std::string_view body);

/// The engine's state for an instance status: PROVISIONING, STAGING -> pending; RUNNING,
/// REPAIRING -> running; STOPPING, SUSPENDING, DEPROVISIONING -> stopping; TERMINATED (a
/// stopped VM: its disks stay), SUSPENDED -> stopped.
instance_state gcp_state_of(std::string_view status);

/// Milliseconds since the epoch of an RFC 3339 time ("2024-05-01T10:00:00.123-07:00"); 0 when
/// it is not one.
unix_ms gcp_parse_time(std::string_view text);

} // namespace styx
