#include "providers/azure/azure_requests.hpp"

#include <sstream>
#include <vector>

#include "common/json.hpp"
#include "providers/azure/azure_options.hpp"

namespace styx {

namespace {

/// The imageReference object of `image`, null when it is neither an id nor
/// publisher:offer:sku:version.
json image_reference(const std::string& image) {
  if (!image.empty() && image.front() == '/')
    return {{"id", image}};
  std::vector<std::string> parts;
  std::stringstream in(image);
  for (std::string part; std::getline(in, part, ':');)
    parts.push_back(part);
  if (parts.size() != 4)
    return nullptr;
  for (auto& p : parts)
    if (p.empty())
      return nullptr;
  return {{"publisher", parts[0]}, {"offer", parts[1]}, {"sku", parts[2]}, {"version", parts[3]}};
}

} // namespace

std::string azure_image_reference(const std::string& image) {
  auto ref = image_reference(image);
  return ref.is_null() ? std::string{} : json_text(ref);
}

std::string azure_vm_body(const azure_launch& l, const std::string& name) {
  json tags = json_object(l.tags);
  json linux_config = {{"disablePasswordAuthentication", true}};
  if (!l.ssh_public_key.empty())
    linux_config["ssh"] = {
      {"publicKeys",
       json::array({{{"path", "/home/" + l.admin_user + "/.ssh/authorized_keys"},
                     {"keyData", l.ssh_public_key}}})}};
  json os = {{"computerName", name},
             {"adminUsername", l.admin_user},
             {"linuxConfiguration", std::move(linux_config)}};
  json ip = {{"name", "ipconfig1"}, {"properties", {{"subnet", {{"id", l.subnet}}}}}};
  json nic = {{"name", name + "-nic"},
              {"properties",
               {{"primary", true},
                {"deleteOption", "Delete"},
                {"ipConfigurations", json::array({std::move(ip)})}}}};
  json props = {
    {"hardwareProfile", {{"vmSize", l.size}}},
    {"storageProfile",
     {{"imageReference", image_reference(l.image)},
      {"osDisk", {{"createOption", "FromImage"}, {"deleteOption", "Delete"}}}}},
    {"osProfile", std::move(os)},
    {"networkProfile",
     {{"networkApiVersion", azure_network_api_version},
      {"networkInterfaceConfigurations", json::array({std::move(nic)})}}}};
  if (l.market == market_kind::spot) {
    props["priority"] = "Spot";
    props["evictionPolicy"] = "Delete";
    props["billingProfile"] = {{"maxPrice", l.max_price > 0 ? l.max_price : -1.0}};
  }
  return json_text(json{{"location", l.location},
                        {"zones", json::array({l.zone})},
                        {"tags", std::move(tags)},
                        {"properties", std::move(props)}});
}

} // namespace styx
