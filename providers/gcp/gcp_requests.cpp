#include "providers/gcp/gcp_requests.hpp"

#include "providers/http.hpp"

#include <cstdio>

#include <openssl/sha.h>

#include "common/json.hpp"

namespace styx {

namespace {

/// The instance properties every instance of a create shares, after the fields in `out`.
/// `machine_type` as the call wants it: a partial URL for insert, a name for bulkInsert.
json properties(json out, const gcp_launch& l, const std::string& machine_type) {
  out["machineType"] = machine_type;
  out["disks"] = json::array(
    {{{"boot", true}, {"autoDelete", true}, {"initializeParams", {{"sourceImage", l.image}}}}});
  json nic = {{"network", l.network}};
  if (!l.subnetwork.empty())
    nic["subnetwork"] = l.subnetwork;
  out["networkInterfaces"] = json::array({std::move(nic)});
  json labels = json_object(l.labels);
  out["labels"] = std::move(labels);
  if (l.market == market_kind::spot)
    out["scheduling"] = {{"provisioningModel", "SPOT"},
                         {"instanceTerminationAction", "DELETE"},
                         {"automaticRestart", false},
                         {"onHostMaintenance", "TERMINATE"}};
  return out;
}

} // namespace

std::string gcp_zone_url(std::string_view base, std::string_view project, std::string_view zone) {
  std::string out{base};
  out += "projects/";
  out += project;
  out += "/zones/";
  out += zone;
  return out;
}

std::string gcp_percent_encode(std::string_view text) {
  return percent_encode(text);
}

std::string gcp_request_id(std::string_view token, std::string_view part) {
  std::string input{token};
  input += '\n';
  input += part;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x40); // version 4 form
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80); // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof(text),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0],
                digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14],
                digest[15]);
  return text;
}

std::string gcp_insert_body(const gcp_launch& launch, std::string_view zone,
                            const std::string& name) {
  std::string type = "zones/" + std::string{zone} + "/machineTypes/" + launch.machine_type;
  return json_text(properties(json{{"name", name}}, launch, type));
}

std::string gcp_bulk_insert_body(const gcp_launch& launch, const std::vector<std::string>& names) {
  json per_instance = json::object();
  for (auto& name : names)
    per_instance[name] = json::object();
  json body = {{"count", names.size()},
               {"minCount", names.size()},
               {"perInstanceProperties", std::move(per_instance)},
               {"instanceProperties", properties(json::object(), launch, launch.machine_type)}};
  return json_text(body);
}

} // namespace styx
