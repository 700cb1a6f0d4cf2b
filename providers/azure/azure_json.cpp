#include "providers/azure/azure_json.hpp"

#include <cstdlib>

#include "providers/azure/azure_names.hpp"
#include "providers/gcp/gcp_json.hpp" // gcp_parse_time: RFC 3339, as ARM writes it too
#include "providers/json_read.hpp"

namespace styx {

namespace {

using simdjson::dom::element;

/// "PowerState/running" among `statuses` -> "running" (for `prefix` "PowerState/").
std::string status_of(simdjson::simdjson_result<element> statuses, std::string_view prefix) {
  simdjson::dom::array xs;
  if (statuses.get(xs) != simdjson::SUCCESS)
    return {};
  for (auto s : xs) {
    auto code = json_str(s, "code");
    if (code.compare(0, prefix.size(), prefix) == 0)
      return code.substr(prefix.size());
  }
  return {};
}

/// The first string of the array `e[key]`.
std::string first_of(element e, const char* key) {
  simdjson::dom::array xs;
  if (e[key].get(xs) == simdjson::SUCCESS)
    for (auto x : xs) {
      std::string_view v;
      if (x.get(v) == simdjson::SUCCESS)
        return std::string{v};
    }
  return {};
}

/// The strings of an array, or none: `e` may be an error (a missing or mistyped field).
std::vector<std::string> strings_of(simdjson::simdjson_result<element> e) {
  std::vector<std::string> out;
  simdjson::dom::array xs; // an error result gives no array
  if (e.get(xs) == simdjson::SUCCESS)
    for (auto x : xs) {
      std::string_view v;
      if (x.get(v) == simdjson::SUCCESS)
        out.emplace_back(v);
    }
  return out;
}

azure_vm vm_of(element e) {
  azure_vm vm;
  vm.name = json_str(e, "name");
  vm.location = json_str(e, "location");
  vm.zone = first_of(e, "zones");
  element props;
  if (e["properties"].get(props) == simdjson::SUCCESS) {
    vm.size = json_str(props["hardwareProfile"], "vmSize");
    vm.provisioning_state = json_str(props, "provisioningState");
    vm.spot = json_str(props, "priority") == "Spot";
    vm.created = gcp_parse_time(json_str(props, "timeCreated"));
    element view;
    if (props["instanceView"].get(view) == simdjson::SUCCESS)
      vm.power = status_of(view["statuses"], "PowerState/");
  }
  vm.tags = json_strings(e, "tags");
  return vm;
}

/// A page: `add(page, e)` for every element of "value", and its nextLink; nullopt when the
/// document has no "value" array.
template <class Page, class F>
std::optional<Page> page_of(std::string_view body, F&& add) {
  auto doc = json_doc(body);
  simdjson::dom::array xs;
  if (!doc || (*doc)["value"].get(xs) != simdjson::SUCCESS)
    return std::nullopt;
  Page page;
  for (auto x : xs)
    add(page, x);
  page.next_link = json_str(*doc, "nextLink");
  return page;
}

} // namespace

std::optional<azure_vm> azure_parse_vm(std::string_view body) {
  auto doc = json_doc(body);
  if (!doc || json_str(*doc, "name").empty())
    return std::nullopt;
  return vm_of(*doc);
}

std::optional<azure_vm_page> azure_parse_vms(std::string_view body) {
  return page_of<azure_vm_page>(body, [](azure_vm_page& page, element e) {
    if (!json_str(e, "name").empty())
      page.vms.push_back(vm_of(e));
  });
}

std::optional<azure_instance_view> azure_parse_instance_view(std::string_view body) {
  auto doc = json_doc(body);
  element statuses;
  if (!doc || (*doc)["statuses"].get(statuses) != simdjson::SUCCESS)
    return std::nullopt;
  return azure_instance_view{status_of((*doc)["statuses"], "ProvisioningState/"),
                             status_of((*doc)["statuses"], "PowerState/")};
}

std::optional<azure_operation> azure_parse_operation(std::string_view body) {
  auto doc = json_doc(body);
  if (!doc)
    return std::nullopt;
  azure_operation op;
  op.status = json_str(*doc, "status");
  if (op.status.empty())
    return std::nullopt;
  element err;
  if ((*doc)["error"].get(err) == simdjson::SUCCESS && err.is_object()) {
    op.error_code = json_str(err, "code");
    op.error_message = json_str(err, "message");
    simdjson::dom::array details;
    if (err["details"].get(details) == simdjson::SUCCESS)
      for (auto d : details) {
        auto code = json_str(d, "code");
        if (!code.empty() && (op.error_code.empty() || azure_generic_code(op.error_code))) {
          op.error_code = code;
          op.error_message = json_str(d, "message");
        }
        break;
      }
  }
  if (op.failed() && op.error_code.empty())
    op.error_code = "OperationFailed";
  return op;
}

std::optional<azure_sku_page> azure_parse_skus(std::string_view body, std::string_view location) {
  return page_of<azure_sku_page>(body, [location](azure_sku_page& page, element e) {
    if (json_str(e, "resourceType") != "virtualMachines")
      return;
    azure_sku sku;
    sku.name = json_str(e, "name");
    simdjson::dom::array xs;
    if (e["capabilities"].get(xs) == simdjson::SUCCESS)
      for (auto c : xs) {
        auto name = json_str(c, "name");
        auto value = std::atof(json_str(c, "value").c_str());
        if (name == "vCPUs")
          sku.cpus = value;
        else if (name == "MemoryGB")
          sku.memory_gib = value;
        else if (name == "GPUs")
          sku.gpus = static_cast<int>(value);
      }
    if (e["locationInfo"].get(xs) == simdjson::SUCCESS)
      for (auto info : xs)
        if (azure_same_location(json_str(info, "location"), location))
          sku.zones = strings_of(info["zones"]);
    if (e["restrictions"].get(xs) == simdjson::SUCCESS)
      for (auto r : xs) {
        auto type = json_str(r, "type");
        if (type == "Location")
          sku.restricted = true;
        else if (type == "Zone")
          for (auto& z : strings_of(r["restrictionInfo"]["zones"]))
            sku.restricted_zones.push_back(z);
      }
    page.skus.push_back(std::move(sku));
  });
}

std::optional<azure_error_body> azure_parse_error(std::string_view body) {
  auto doc = json_doc(body);
  element err;
  if (!doc || (*doc)["error"].get(err) != simdjson::SUCCESS || !err.is_object())
    return std::nullopt;
  azure_error_body out;
  out.code = json_str(err, "code");
  out.message = json_str(err, "message");
  simdjson::dom::array details;
  if (err["details"].get(details) == simdjson::SUCCESS)
    for (auto d : details) {
      out.detail_code = json_str(d, "code");
      break;
    }
  return out;
}

std::optional<azure_token_body> azure_parse_token(std::string_view body) {
  auto doc = json_doc(body);
  if (!doc)
    return std::nullopt;
  azure_token_body out;
  out.access_token = json_str(*doc, "access_token");
  out.expires_in = json_number(*doc, "expires_in");
  if (out.expires_in == 0) // some endpoints send it as a string
    out.expires_in = std::atof(json_str(*doc, "expires_in").c_str());
  out.error = json_str(*doc, "error");
  out.error_description = json_str(*doc, "error_description");
  return out;
}

instance_state azure_state_of(std::string_view provisioning, std::string_view power) {
  if (provisioning == "Deleting")
    return instance_state::terminating;
  if (provisioning == "Failed")
    return instance_state::stopped;
  if (power == "running")
    return instance_state::running;
  if (power == "starting")
    return provisioning == "Creating" ? instance_state::pending : instance_state::starting;
  if (power == "stopping" || power == "deallocating")
    return instance_state::stopping;
  if (power == "stopped" || power == "deallocated")
    return instance_state::stopped;
  return instance_state::pending;
}

} // namespace styx
