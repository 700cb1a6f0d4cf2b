#include "providers/azure/azure_requests.hpp"

#include <sstream>
#include <vector>

#include "common/json.hpp"
#include "providers/azure/azure_options.hpp"

namespace styx {

std::string azure_image_reference(const std::string& image) {
  if (!image.empty() && image.front() == '/')
    return "{\"id\":" + json_quote(image) + "}";
  std::vector<std::string> parts;
  std::stringstream in(image);
  for (std::string part; std::getline(in, part, ':');)
    parts.push_back(part);
  if (parts.size() != 4)
    return {};
  for (auto& p : parts)
    if (p.empty())
      return {};
  return "{\"publisher\":" + json_quote(parts[0]) + ",\"offer\":" + json_quote(parts[1])
         + ",\"sku\":" + json_quote(parts[2]) + ",\"version\":" + json_quote(parts[3]) + "}";
}

std::string azure_vm_body(const azure_launch& l, const std::string& name) {
  std::string tags = "{";
  for (auto& [k, v] : l.tags)
    tags += (tags.size() > 1 ? "," : "") + json_quote(k) + ":" + json_quote(v);
  tags += "}";
  std::string os = "{\"computerName\":" + json_quote(name)
                   + ",\"adminUsername\":" + json_quote(l.admin_user)
                   + ",\"linuxConfiguration\":{\"disablePasswordAuthentication\":true";
  if (!l.ssh_public_key.empty())
    os += ",\"ssh\":{\"publicKeys\":[{\"path\":" + json_quote("/home/" + l.admin_user
                                                               + "/.ssh/authorized_keys")
          + ",\"keyData\":" + json_quote(l.ssh_public_key) + "}]}";
  os += "}}";
  std::string nic = "{\"name\":" + json_quote(name + "-nic")
                    + ",\"properties\":{\"primary\":true,\"deleteOption\":\"Delete\","
                      "\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":"
                      "{\"subnet\":{\"id\":" + json_quote(l.subnet) + "}}}]}}";
  std::string props = "{\"hardwareProfile\":{\"vmSize\":" + json_quote(l.size) + "}"
                      + ",\"storageProfile\":{\"imageReference\":" + azure_image_reference(l.image)
                      + ",\"osDisk\":{\"createOption\":\"FromImage\",\"deleteOption\":\"Delete\"}}"
                      + ",\"osProfile\":" + os
                      + ",\"networkProfile\":{\"networkApiVersion\":"
                      + json_quote(azure_network_api_version)
                      + ",\"networkInterfaceConfigurations\":[" + nic + "]}";
  if (l.market == market_kind::spot) {
    std::ostringstream price;
    price << (l.max_price > 0 ? l.max_price : -1.0);
    props += ",\"priority\":\"Spot\",\"evictionPolicy\":\"Delete\",\"billingProfile\":"
             "{\"maxPrice\":" + price.str() + "}";
  }
  props += "}";
  return "{\"location\":" + json_quote(l.location) + ",\"zones\":[" + json_quote(l.zone) + "]"
         + ",\"tags\":" + tags + ",\"properties\":" + props + "}";
}

} // namespace styx
