// The real check of the EC2 translation layer: bodies built by ec2_query go to a real moto
// server (signed by botocore through tests/fixtures/ec2_call.py, since the C++ signer and HTTP
// engine are tested on their own), and moto's answers go through ec2_parse and ec2_errors.

#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "providers/aws/ec2_errors.hpp"
#include "providers/aws/ec2_parse.hpp"
#include "providers/aws/ec2_prices.hpp"
#include "providers/aws/ec2_query.hpp"
#include "tests/aws/ec2_test_util.hpp"
#include "tests/aws/moto_fixture.hpp"

using namespace styx;
using styx::test::moto_fixture;

namespace {

const char* const region = "us-east-1";

/// One moto for the whole binary, started on first use.
const moto_fixture& moto() {
  static moto_fixture server;
  return server;
}

/// Sends `body` to moto, signed by botocore, and returns its answer.
http_response call(const std::string& body) {
  char path[] = "/tmp/styx-ec2-body-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw std::runtime_error("mkstemp failed");
  bool written = write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  close(fd);
  if (!written)
    throw std::runtime_error("could not write the request body");
  std::string cmd = "python3 " STYX_SOURCE_DIR "/tests/fixtures/ec2_call.py " + moto().endpoint()
                    + " " + region + " < " + path;
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  if (pipe != nullptr) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0)
      out.append(buf, n);
    pclose(pipe);
  }
  unlink(path);
  http_response response;
  auto newline = out.find('\n');
  if (newline == std::string::npos)
    throw std::runtime_error("ec2_call.py printed no status: " + out);
  response.status = std::atoi(out.substr(0, newline).c_str());
  response.body = out.substr(newline + 1);
  if (response.status == 0)
    response.error = response.body;
  return response;
}

/// Sends `body` and requires a successful answer.
std::string call_ok(const std::string& body) {
  auto response = call(body);
  auto error = ec2_error_from(response);
  INFO("request: " << body);
  INFO("answer: HTTP " << response.status << " " << response.body.substr(0, 400));
  REQUIRE(error.kind == error_kind::none);
  return response.body;
}

/// Runs a paginated DescribeInstances to its end.
std::vector<cloud_instance> describe_all(const std::string& first, int* pages = nullptr) {
  std::vector<cloud_instance> result;
  std::string body = first;
  for (int n = 1;; ++n) {
    auto page = ec2_parse_describe_instances(call_ok(body));
    REQUIRE(page);
    result.insert(result.end(), page->instances.begin(), page->instances.end());
    if (pages)
      *pages = n;
    if (page->next_token.empty())
      return result;
    REQUIRE(n < 100);
    body = ec2_with_next_token(body, page->next_token);
  }
}

create_slot make_slot(uuid_generator& gen, request_id req, int i) {
  create_slot slot;
  static_cast<uuid&>(slot.id) = gen.next();
  slot.request = req;
  slot.name = "job-" + std::to_string(i);
  return slot;
}

api_call create_call(uuid_generator& gen, int count, market_kind market = market_kind::on_demand) {
  request_id req;
  static_cast<uuid&>(req) = gen.next();
  api_call call;
  call.op = api_op::create;
  call.spec.instance_type = "m5.large";
  call.spec.zone = "us-east-1b";
  call.spec.image = "ami-12c6146b";
  call.spec.market = market;
  call.spec.max_price = market == market_kind::spot ? 0.2 : 0;
  call.spec.tags = {{ownership_tag::engine, "styx-test"},
                    {ownership_tag::request, req.to_string()},
                    {"team", "ml & data"}};
  call.client_token = "tok-" + req.to_string();
  for (int i = 0; i < count; ++i)
    call.slots.push_back(make_slot(gen, req, i));
  return call;
}

} // namespace

TEST_CASE("moto: RunInstances of 5 known by token and launch index, status, describe, list, "
          "terminate") {
  moto().reset();
  uuid_generator gen(42);
  auto call = create_call(gen, 5);

  auto reqs = ec2_requests_for(call, 0);
  REQUIRE(reqs.size() == 1);
  auto launched = ec2_parse_run_instances(call_ok(reqs[0].body));
  REQUIRE(launched);
  REQUIRE(launched->size() == 5);
  std::vector<std::string> ids;
  for (auto& inst : *launched) {
    CHECK(inst.instance_type == "m5.large");
    CHECK(inst.zone == "us-east-1b");
    CHECK(inst.state == instance_state::pending);
    CHECK(inst.market == market_kind::on_demand);
    CHECK(inst.tags == call.spec.tags);
    CHECK(inst.launched_at > 0);
    CHECK(inst.client_token == call.client_token);
    CHECK(inst.launch_index == static_cast<int32_t>(ids.size())); // sorted by launch index
    ids.push_back(inst.cloud_id);
  }
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 5);

  // The cheap poll: DescribeInstanceStatus answers states of the ids asked, nothing more.
  api_call status;
  status.op = api_op::describe;
  status.cloud_ids = ids;
  auto sreqs = ec2_requests_for(status, 0);
  REQUIRE(sreqs.size() == 1);
  CHECK(sreqs[0].action == "DescribeInstanceStatus");
  auto spage = ec2_parse_instance_status(call_ok(sreqs[0].body));
  REQUIRE(spage);
  REQUIRE(spage->instances.size() == 5);
  for (auto& inst : spage->instances) {
    CHECK(std::find(ids.begin(), ids.end(), inst.cloud_id) != ids.end());
    CHECK(inst.state == instance_state::running); // moto: running at once
    CHECK(inst.zone == "us-east-1b");
  }

  // Describe by id with detail: each instance is known by the create call that made it (the
  // batch's client token and its launch index), and carries the shared tags, no own ones.
  api_call describe;
  describe.op = api_op::describe;
  describe.detail = true;
  describe.cloud_ids = ids;
  auto dreqs = ec2_requests_for(describe, 0);
  REQUIRE(dreqs.size() == 1);
  CHECK(dreqs[0].action == "DescribeInstances");
  auto page = ec2_parse_describe_instances(call_ok(dreqs[0].body));
  REQUIRE(page);
  REQUIRE(page->instances.size() == 5);
  for (auto& inst : page->instances) {
    auto at = std::find(ids.begin(), ids.end(), inst.cloud_id);
    REQUIRE(at != ids.end());
    CHECK(inst.client_token == call.client_token);
    CHECK(inst.launch_index == static_cast<int32_t>(at - ids.begin()));
    CHECK(inst.owner_instance().empty()); // no per-instance tag was ever written
    CHECK(inst.owner_request() == call.slots[0].request);
    CHECK(inst.tags.at("team") == "ml & data");
    CHECK(inst.state == instance_state::running);
  }

  // A second request's instance must not show up in the first request's list.
  auto other = create_call(gen, 1);
  auto other_launch = ec2_parse_run_instances(call_ok(ec2_requests_for(other, 0)[0].body));
  REQUIRE(other_launch);
  REQUIRE(other_launch->size() == 1);
  CHECK(other_launch->front().owner_instance() == other.slots[0].id); // tagged in RunInstances

  api_call list;
  list.op = api_op::list;
  list.filter = {{ownership_tag::request, call.spec.tags.at(ownership_tag::request)}};
  auto lreqs = ec2_requests_for(list, 0);
  REQUIRE(lreqs.size() == 1);
  auto listed = describe_all(lreqs[0].body);
  CHECK(listed.size() == 5);
  for (auto& inst : listed)
    CHECK(std::find(ids.begin(), ids.end(), inst.cloud_id) != ids.end());

  // Terminate: shutting-down at once, terminated on the next describe, gone from the list.
  api_call terminate;
  terminate.op = api_op::terminate;
  terminate.cloud_ids = ids;
  auto changed = ec2_parse_state_changes(call_ok(ec2_requests_for(terminate, 0)[0].body));
  REQUIRE(changed);
  REQUIRE(changed->size() == 5);
  for (auto& inst : *changed)
    CHECK(inst.state == instance_state::terminating);
  page = ec2_parse_describe_instances(call_ok(dreqs[0].body));
  REQUIRE(page);
  REQUIRE(page->instances.size() == 5);
  for (auto& inst : page->instances) {
    CHECK(inst.state == instance_state::terminated);
    CHECK(inst.reason == state_reason::user_initiated);
  }
  CHECK(describe_all(lreqs[0].body).empty());
  list.filter = {{ownership_tag::engine, "styx-test"}};
  CHECK(describe_all(ec2_requests_for(list, 0)[0].body).size() == 1); // the other request's
}

TEST_CASE("moto: stop and start") {
  moto().reset();
  uuid_generator gen(7);
  auto launched = ec2_parse_run_instances(call_ok(ec2_requests_for(create_call(gen, 2), 0)[0].body));
  REQUIRE(launched);
  std::vector<std::string> ids{(*launched)[0].cloud_id, (*launched)[1].cloud_id};
  auto stopped = ec2_parse_state_changes(call_ok(ec2_stop_instances(ids)));
  REQUIRE(stopped);
  REQUIRE(stopped->size() == 2);
  CHECK((*stopped)[0].state == instance_state::stopping);
  auto page = ec2_parse_describe_instances(call_ok(ec2_describe_instances(ids)));
  REQUIRE(page);
  for (auto& inst : page->instances)
    CHECK(inst.state == instance_state::stopped);
  auto started = ec2_parse_state_changes(call_ok(ec2_start_instances(ids)));
  REQUIRE(started);
  REQUIRE(started->size() == 2);
  CHECK((*started)[1].state == instance_state::pending);
}

TEST_CASE("moto: a spot launch comes back as spot") {
  moto().reset();
  uuid_generator gen(9);
  auto call = create_call(gen, 3, market_kind::spot);
  auto launched = ec2_parse_run_instances(call_ok(ec2_requests_for(call, 0)[0].body));
  REQUIRE(launched);
  REQUIRE(launched->size() == 3);
  for (auto& inst : *launched)
    CHECK(inst.market == market_kind::spot);
}

TEST_CASE("moto: DescribeInstances pages with NextToken") {
  moto().reset();
  uuid_generator gen(11);
  // moto pages by reservation: seven launches of one instance each.
  std::string request_tag;
  for (int i = 0; i < 7; ++i) {
    auto call = create_call(gen, 1);
    call.spec.tags[ownership_tag::request] = "paging";
    call_ok(ec2_requests_for(call, 0)[0].body);
  }
  int pages = 0;
  auto all = describe_all(ec2_describe_instances({}, {{"tag:styx:request", {"paging"}}}, 5),
                          &pages);
  CHECK(pages == 2);
  CHECK(all.size() == 7);
  std::set<std::string> ids;
  for (auto& inst : all)
    ids.insert(inst.cloud_id);
  CHECK(ids.size() == 7);
}

TEST_CASE("moto: errors come back as cloud_errors") {
  moto().reset();
  auto response = call(ec2_describe_instances({"i-0123456789abcdef0"}));
  auto error = ec2_error_from(response);
  CHECK(response.status == 400);
  CHECK(error.kind == error_kind::not_found);
  CHECK(error.code == "InvalidInstanceID.NotFound");

  // MaxResults with ids is refused; our builder never sends it, a hand-made body shows it.
  response = call("Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&MaxResults=5");
  CHECK(ec2_error_from(response).kind == error_kind::invalid_request);

  // An unsupported filter makes moto answer HTML with HTTP 500 (once there is an instance to
  // filter).
  uuid_generator gen(13);
  call_ok(ec2_requests_for(create_call(gen, 1), 0)[0].body);
  response = call(ec2_describe_instances({}, {{"instance-lifecycle", {"spot"}}}));
  error = ec2_error_from(response);
  CHECK(response.status == 500);
  CHECK(error.kind == error_kind::transient);
}

TEST_CASE("moto: the catalog calls feed ec2_catalog and cheapest_fit") {
  moto().reset();
  api_call call;
  call.op = api_op::catalog;
  auto reqs = ec2_requests_for(call, 1714564800000);
  REQUIRE(reqs.size() == 3);

  auto zones = ec2_parse_availability_zones(call_ok(reqs[0].body));
  REQUIRE(zones);
  std::vector<std::string> zone_names;
  for (auto& z : *zones)
    if (z.state == "available")
      zone_names.push_back(z.name);
  CHECK(zone_names.size() == 6);

  std::vector<ec2_instance_type_info> types;
  for (std::string body = reqs[1].body;;) {
    auto page = ec2_parse_instance_types(call_ok(body));
    REQUIRE(page);
    types.insert(types.end(), page->types.begin(), page->types.end());
    if (page->next_token.empty())
      break;
    body = ec2_with_next_token(body, page->next_token);
  }
  // moto knows every table type but the retired p3 family; none outside the filter.
  CHECK(types.size() == ec2_price_table().size() - 3);
  for (auto& t : types)
    CHECK(ec2_price_of(t.instance_type) != nullptr);

  ec2_spot_price_page spot;
  for (std::string body = reqs[2].body;;) {
    auto page = ec2_parse_spot_price_history(call_ok(body));
    REQUIRE(page);
    spot.merge(*page);
    if (page->next_token.empty())
      break;
    body = ec2_with_next_token(body, page->next_token);
  }
  CHECK_FALSE(spot.prices.empty());

  auto offerings = ec2_catalog(provider_id{"aws", region}, zone_names, spot.prices, types);
  CHECK_FALSE(offerings.empty());
  auto gpu = cheapest_fit(offerings, resources{}.cpus(8).gpus(4).gpu_kind("A10G"),
                          market_kind::on_demand, placement{});
  REQUIRE(gpu);
  CHECK(gpu->instance_type == "g5.12xlarge");
  CHECK(cheapest_fit(offerings, resources{}.gpus(1).gpu_kind("V100"), market_kind::on_demand,
                     placement{})
        == nullptr); // moto has no p3
  auto cheap = cheapest_fit(offerings, resources{}.cpus(2).memory_gib(4), market_kind::spot,
                            placement{});
  REQUIRE(cheap);
  CHECK(cheap->spot_price > 0);
}

TEST_CASE("moto_fixture says clearly when moto_server is missing") {
  std::string saved = getenv("PATH") ? getenv("PATH") : "";
  setenv("PATH", "/nonexistent-styx-dir", 1);
  std::string message;
  try {
    moto_fixture server;
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  setenv("PATH", saved.c_str(), 1);
  CHECK(message.find("moto_server is not on PATH") != std::string::npos);
}
