// The Azure provider's pure translation: the PUT body, names and tags, the answers' JSON, the
// error table of the issue, the token exchange and the settings chain. No I/O.

#include <catch2/catch.hpp>

#include <map>

#include "providers/azure/azure_auth.hpp"
#include "providers/azure/azure_errors.hpp"
#include "providers/azure/azure_json.hpp"
#include "providers/azure/azure_names.hpp"
#include "providers/azure/azure_options.hpp"
#include "providers/azure/azure_prices.hpp"
#include "providers/azure/azure_requests.hpp"
#include "providers/json_read.hpp"
#include "runtime/azure_settings.hpp"

using namespace styx;

namespace {

http_response answer(int status, std::string body, http_headers headers = {}) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string arm_error(const std::string& code, const std::string& message = "m") {
  return R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})";
}

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto i = vars.find(k);
    if (i == vars.end())
      return std::nullopt;
    return i->second;
  };
}

std::map<std::string, std::string> principal() {
  return {{"AZURE_TENANT_ID", "t"}, {"AZURE_CLIENT_ID", "c"}, {"AZURE_CLIENT_SECRET", "s3cr3t"},
          {"AZURE_SUBSCRIPTION_ID", "sub"}, {"AZURE_RESOURCE_GROUP", "rg"}};
}

} // namespace

TEST_CASE("azure translate: the PUT body carries size image zone tags spot and the inline NIC") {
  azure_launch l{"eastus", "2", "Standard_D2s_v5", "Canonical:ubuntu:22_04:latest",
                 "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/"
                 "v/subnets/default", "styx", "ssh-ed25519 AAAA", market_kind::spot, 0.05,
                 {{"styx:engine", "e"}, {"team", "ml"}}};
  auto body = azure_vm_body(l, "styx-spot-x");
  auto doc = json_doc(body);
  REQUIRE(doc);
  auto e = *doc;
  CHECK(json_str(e, "location") == "eastus");
  CHECK(std::string_view(e["zones"].at(0)) == "2");
  CHECK(std::string_view(e["tags"]["styx:engine"]) == "e");
  simdjson::dom::element p = e["properties"];
  CHECK(json_str(p["hardwareProfile"], "vmSize") == "Standard_D2s_v5");
  CHECK(json_str(p["storageProfile"]["imageReference"], "offer") == "ubuntu");
  CHECK(json_str(p["networkProfile"], "networkApiVersion") == azure_network_api_version);
  simdjson::dom::element nic = p["networkProfile"]["networkInterfaceConfigurations"].at(0);
  CHECK(json_str(nic, "name") == "styx-spot-x-nic");
  CHECK(json_str(nic["properties"]["ipConfigurations"].at(0)["properties"]["subnet"], "id")
          .find("/subnets/default") != std::string::npos);
  CHECK(json_str(p, "priority") == "Spot");
  CHECK(json_str(p, "evictionPolicy") == "Delete");
  CHECK(json_number(p["billingProfile"], "maxPrice") == Approx(0.05));
  CHECK(json_str(p["osProfile"], "adminUsername") == "styx");
  l.market = market_kind::on_demand;
  simdjson::dom::element regular = (*json_doc(azure_vm_body(l, "n")))["properties"];
  CHECK(json_str(regular, "priority").empty());
  CHECK(azure_image_reference("/subscriptions/s/images/i") == R"({"id":"/subscriptions/s/images/i"})");
  CHECK(azure_image_reference("a:b:c").empty());
}

TEST_CASE("azure translate: names are the engine ids and tags are refused as Azure refuses them") {
  auto id = instance_id{};
  static_cast<uuid&>(id) = *uuid::parse("0a2416ff-3d97-423d-b4ac-1d450ea64c3e");
  CHECK(azure_vm_name(id, market_kind::on_demand) == "styx-0a2416ff-3d97-423d-b4ac-1d450ea64c3e");
  auto spot = azure_vm_name(id, market_kind::spot);
  CHECK(spot.size() <= 64);
  CHECK(azure_instance_of(spot) == id);
  CHECK(azure_spot_name(spot));
  CHECK_FALSE(azure_spot_name(azure_vm_name(id, market_kind::on_demand)));
  CHECK(azure_instance_of("by-hand").empty());
  CHECK(azure_tags_error({{"styx:engine", "e"}}).empty());
  CHECK_FALSE(azure_tags_error({{"a/b", "e"}}).empty());
  CHECK_FALSE(azure_tags_error({{"a?b", "e"}}).empty());
  CHECK(azure_tags_of({}, spot).at("styx:instance") == id.to_string());
  CHECK(azure_same_location("East US", "eastus"));
}

TEST_CASE("azure translate: the error table of Resource Manager's codes") {
  auto kind = [](int status, const std::string& code, const std::string& msg = "m") {
    return azure_error_from(answer(status, arm_error(code, msg))).kind;
  };
  auto throttled = azure_error_from(answer(429, arm_error("SubscriptionRequestsThrottled"),
                                           {{"Retry-After", "7"}}));
  CHECK(throttled.kind == error_kind::throttled);
  CHECK(throttled.retry_after_ms == 7000);
  for (auto* code : {"AllocationFailed", "ZonalAllocationFailed", "SkuNotAvailable",
                     "OverconstrainedAllocationRequest"})
    CHECK(kind(409, code) == error_kind::capacity);
  CHECK(kind(409, "OperationNotAllowed", "exceeding approved standardDSv5Family Cores quota")
        == error_kind::quota);
  CHECK(kind(409, "OperationNotAllowed", "the VM is being deleted") == error_kind::invalid_request);
  for (auto* code : {"AuthorizationFailed", "InvalidAuthenticationToken",
                     "ExpiredAuthenticationToken"})
    CHECK(kind(code[0] == 'A' ? 403 : 401, code) == error_kind::auth);
  CHECK(kind(400, "InvalidParameter") == error_kind::invalid_request);
  CHECK(kind(404, "ResourceNotFound") == error_kind::not_found);
  CHECK(kind(500, "InternalServerError") == error_kind::transient);
  CHECK(kind(503, "ServiceUnavailable") == error_kind::transient);
  CHECK(azure_error_from(answer(502, "<html>")).kind == error_kind::transient);
  CHECK(azure_error_from(answer(409, R"({"error":{"code":"Conflict","details":[{"code":"SkuNotAvailable"}]}})")).kind
        == error_kind::capacity);
  azure_operation op;
  op.status = "Failed";
  op.error_code = "ZonalAllocationFailed";
  CHECK(azure_operation_error(op, true).kind == error_kind::capacity);
  op.error_code = "InternalExecutionError";
  CHECK(azure_operation_error(op, false).kind == error_kind::fatal);
}

TEST_CASE("azure translate: VMs lists instance views operations and SKUs are read") {
  auto page = azure_parse_vms(R"({"value":[{"name":"styx-a","location":"eastus","zones":["3"],
    "tags":{"team":"ml"},"properties":{"hardwareProfile":{"vmSize":"Standard_B1s"},
    "provisioningState":"Succeeded","priority":"Spot","instanceView":{"statuses":[
    {"code":"ProvisioningState/succeeded"},{"code":"PowerState/deallocated"}]}}}],
    "nextLink":"https://x/next"})");
  REQUIRE(page);
  REQUIRE(page->vms.size() == 1);
  auto& vm = page->vms.front();
  CHECK(vm.zone == "3");
  CHECK(vm.spot);
  CHECK(vm.power == "deallocated");
  CHECK(page->next_link == "https://x/next");
  CHECK(azure_state_of(vm.provisioning_state, vm.power) == instance_state::stopped);
  CHECK(azure_state_of("Creating", "starting") == instance_state::pending);
  CHECK(azure_state_of("Updating", "starting") == instance_state::starting);
  CHECK(azure_state_of("Deleting", "running") == instance_state::terminating);
  CHECK(azure_state_of("Succeeded", "running") == instance_state::running);
  CHECK_FALSE(azure_parse_vms(R"({"nothing":1})"));
  auto op = azure_parse_operation(R"({"status":"Failed","error":{"code":"Conflict",
    "details":[{"code":"AllocationFailed","message":"no room"}]}})");
  REQUIRE(op);
  CHECK(op->failed());
  CHECK(op->error_code == "AllocationFailed");
  CHECK_FALSE(azure_parse_operation(R"({"status":"InProgress"})")->done());
  auto skus = azure_parse_skus(R"({"value":[{"resourceType":"virtualMachines",
    "name":"Standard_B1s","locationInfo":[{"location":"eastus","zones":["1","2","3"]}],
    "capabilities":[{"name":"vCPUs","value":"1"},{"name":"MemoryGB","value":"1"}],
    "restrictions":[{"type":"Zone","restrictionInfo":{"zones":["2"]}}]},
    {"resourceType":"disks","name":"Premium_LRS"}]})", "eastus");
  REQUIRE(skus);
  REQUIRE(skus->skus.size() == 1);
  auto offers = azure_catalog(provider_id{"azure", "eastus"}, skus->skus);
  REQUIRE(offers.size() == 2); // zones 1 and 3
  CHECK(offers[0].zone == "1");
  CHECK(offers[1].zone == "3");
  CHECK(offers[0].on_demand_price > 0);
  CHECK(offers[0].spot_price < offers[0].on_demand_price);
}

TEST_CASE("azure translate: the token request has the v2.0 endpoint and scope and its answer "
          "is read") {
  azure_client_credentials c{"tenant-1", "client-1", "p@ss w/rd", "https://login.example/",
                             "/ca.pem"};
  auto req = azure_token_request(c, seconds(5));
  CHECK(req.url == "https://login.example/tenant-1/oauth2/v2.0/token");
  CHECK(req.method == "POST");
  CHECK(req.ca_file == "/ca.pem");
  CHECK(req.body.find("grant_type=client_credentials") != std::string::npos);
  CHECK(req.body.find("scope=https%3A%2F%2Fmanagement.azure.com%2F.default") != std::string::npos);
  CHECK(req.body.find("client_secret=p%40ss%20w%2Frd") != std::string::npos);
  CHECK(c.who().find("p@ss") == std::string::npos);
  auto ok = azure_read_token_answer(answer(200, R"({"access_token":"tok","expires_in":3599})"),
                                    1000);
  CHECK(ok.access_token == "tok");
  CHECK(ok.expires_at == 1000 + 3'599'000);
  auto refused = azure_read_token_answer(
    answer(401, R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid"})"), 0);
  CHECK(refused.error.kind == error_kind::auth);
  CHECK(refused.error.code == "invalid_client");
  CHECK(azure_read_token_answer(answer(503, ""), 0).error.kind == error_kind::transient);
}

TEST_CASE("azure settings: the credentials chain and its one-line errors") {
  auto ok = resolve_azure_settings({}, "", env_of(principal()));
  REQUIRE(std::holds_alternative<azure_settings>(ok));
  auto& s = std::get<azure_settings>(ok);
  CHECK(s.location == "eastus");
  CHECK(s.creds.authority == azure_default_authority);
  CHECK(s.opts.arm_endpoint == azure_default_arm);
  CHECK(s.opts.subnet.find("/resourceGroups/rg/providers/Microsoft.Network/") != std::string::npos);
  CHECK(s.describe().find("s3cr3t") == std::string::npos);

  auto vars = principal();
  vars.erase("AZURE_CLIENT_SECRET");
  auto missing = resolve_azure_settings({}, "", env_of(vars));
  REQUIRE(std::holds_alternative<std::string>(missing));
  CHECK(std::get<std::string>(missing).find("AZURE_CLIENT_SECRET") != std::string::npos);

  vars = principal();
  vars["STYX_AZURE_ARM_ENDPOINT"] = "http://127.0.0.1:1/";
  auto plain = resolve_azure_settings({}, "", env_of(vars));
  REQUIRE(std::holds_alternative<std::string>(plain));
  CHECK(std::get<std::string>(plain).find("https") != std::string::npos);

  vars = principal();
  vars["AZURE_AUTHORITY_HOST"] = "login.example";
  vars["AZURE_DEFAULTS_LOCATION"] = "westeurope";
  auto custom = resolve_azure_settings({}, "", env_of(vars));
  REQUIRE(std::holds_alternative<azure_settings>(custom));
  CHECK(std::get<azure_settings>(custom).creds.authority == "https://login.example/");
  CHECK(std::get<azure_settings>(custom).location == "westeurope");
  CHECK_FALSE(resolve_azure_location("East US").error.empty());
  auto limits = azure_rate_limits(azure_limits{}, 2);
  CHECK(limits.create.capacity == 100);
  CHECK(limits.terminate.unlimited());
  CHECK(limits.terminate_instances.refill_per_sec == Approx(5));
  CHECK(limits.stop_instances.capacity == 100);
  CHECK(limits.describe.refill_per_sec == Approx(12.5));
}
