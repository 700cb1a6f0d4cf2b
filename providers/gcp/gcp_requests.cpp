#include "providers/gcp/gcp_requests.hpp"

#include "providers/http.hpp"

#include <cstdio>

#include <openssl/sha.h>

#include "common/json.hpp"

namespace styx {

namespace {

/// The instance properties every instance of a create shares, without the enclosing braces.
/// `machine_type` as the call wants it: a partial URL for insert, a name for bulkInsert.
std::string properties(const gcp_launch& l, const std::string& machine_type) {
  std::string out = "\"machineType\":" + json_quote(machine_type);
  out += ",\"disks\":[{\"boot\":true,\"autoDelete\":true,\"initializeParams\":{\"sourceImage\":"
         + json_quote(l.image) + "}}]";
  out += ",\"networkInterfaces\":[{\"network\":" + json_quote(l.network);
  if (!l.subnetwork.empty())
    out += ",\"subnetwork\":" + json_quote(l.subnetwork);
  out += "}]";
  out += ",\"labels\":{";
  bool first = true;
  for (auto& [k, v] : l.labels) {
    out += (first ? "" : ",") + json_quote(k) + ":" + json_quote(v);
    first = false;
  }
  out += "}";
  if (l.market == market_kind::spot)
    out += ",\"scheduling\":{\"provisioningModel\":\"SPOT\",\"instanceTerminationAction\":"
           "\"DELETE\",\"automaticRestart\":false,\"onHostMaintenance\":\"TERMINATE\"}";
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
  return "{\"name\":" + json_quote(name) + "," + properties(launch, type) + "}";
}

std::string gcp_bulk_insert_body(const gcp_launch& launch, const std::vector<std::string>& names) {
  auto n = std::to_string(names.size());
  std::string out = "{\"count\":" + n + ",\"minCount\":" + n + ",\"perInstanceProperties\":{";
  for (size_t i = 0; i < names.size(); ++i)
    out += (i > 0 ? "," : "") + json_quote(names[i]) + ":{}";
  out += "},\"instanceProperties\":{" + properties(launch, launch.machine_type) + "}}";
  return out;
}

} // namespace styx
