#include <catch2/catch.hpp>

#include "providers/aws/ec2_parse.hpp"
#include "tests/aws/ec2_test_util.hpp"

using namespace styx;
using styx::test::read_fixture;

TEST_CASE("EC2 state names map onto instance_state") {
  CHECK(ec2_state("pending") == instance_state::pending);
  CHECK(ec2_state("running") == instance_state::running);
  CHECK(ec2_state("stopping") == instance_state::stopping);
  CHECK(ec2_state("stopped") == instance_state::stopped);
  CHECK(ec2_state("shutting-down") == instance_state::terminating);
  CHECK(ec2_state("terminated") == instance_state::terminated);
  CHECK_FALSE(ec2_state("rebooting").has_value());
  CHECK(ec2_state_reason("Server.SpotInstanceTermination") == state_reason::preempted);
  CHECK(ec2_state_reason("Client.UserInitiatedShutdown") == state_reason::user_initiated);
  CHECK(ec2_state_reason("Some.NewCode") == state_reason::cloud_ended);
}

TEST_CASE("ec2_parse_time reads ISO-8601 with fractions and offsets") {
  CHECK(ec2_parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(ec2_parse_time("2024-03-05T10:20:30.000Z") == 1709634030000);
  CHECK(ec2_parse_time("2024-03-05T10:20:30.5Z") == 1709634030500);
  CHECK(ec2_parse_time("2024-03-05T10:20:30") == 1709634030000);
  CHECK(ec2_parse_time("2024-03-05T11:20:30+01:00") == 1709634030000);
  CHECK(ec2_parse_time("2024-03-05T09:20:30.123-01:00") == 1709634030123);
  CHECK(ec2_parse_time("2000-02-29T00:00:00Z") == 951782400000);
  CHECK_FALSE(ec2_parse_time("").has_value());
  CHECK_FALSE(ec2_parse_time("2024-13-05T10:20:30Z").has_value());
  CHECK_FALSE(ec2_parse_time("2024-03-05 garbage").has_value());
  CHECK_FALSE(ec2_parse_time("2024-03-05T10:20:30Zjunk").has_value());
}

TEST_CASE("RunInstances (EC2 format, namespace with trailing slash), sorted by launch index") {
  auto parsed = ec2_parse_run_instances(read_fixture("ec2_doc_run_instances.xml"));
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  auto& first = (*parsed)[0];
  CHECK(first.cloud_id == "i-0aaaaaaaaaaaaaaa0");
  CHECK((*parsed)[1].cloud_id == "i-0bbbbbbbbbbbbbbb1");
  CHECK(first.instance_type == "c5.large");
  CHECK(first.zone == "us-east-1b");
  CHECK(first.state == instance_state::pending);
  CHECK(first.market == market_kind::spot);
  CHECK(first.launched_at == 1709634030000);
  CHECK(first.reason == state_reason::none);
  CHECK(first.launch_index == 0);
  CHECK((*parsed)[1].launch_index == 1);
  // Only the instance's own tagSet, not the network interface's.
  CHECK((*parsed)[1].tags == tag_map{{"styx:engine", "e-7"}, {"team", "ml & data"}});
}

TEST_CASE("DescribeInstanceStatus (EC2's documented answer): ids, zones and states") {
  auto page = ec2_parse_instance_status(read_fixture("ec2_doc_describe_instance_status.xml"));
  REQUIRE(page);
  REQUIRE(page->instances.size() == 2);
  CHECK(page->instances[0].cloud_id == "i-1234567890abcdef0");
  CHECK(page->instances[0].zone == "us-east-1d");
  CHECK(page->instances[0].state == instance_state::running);
  CHECK(page->instances[1].state == instance_state::terminated);
  CHECK(page->instances[1].tags.empty());
  CHECK(page->next_token == "page-2");
  CHECK_FALSE(ec2_parse_instance_status("<DescribeInstancesResponse/>"));
  CHECK_FALSE(ec2_parse_instance_status("not xml"));
}

TEST_CASE("RunInstances as moto answers it (namespace without trailing slash)") {
  auto parsed = ec2_parse_run_instances(read_fixture("ec2_moto_run_instances.xml"));
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  for (auto& inst : *parsed) {
    CHECK(inst.cloud_id.rfind("i-", 0) == 0);
    CHECK(inst.client_token == "tok1");
    CHECK(inst.launch_index == static_cast<int32_t>(&inst - parsed->data()));
    CHECK(inst.instance_type == "t3.micro");
    CHECK(inst.zone == "us-east-1a");
    CHECK(inst.market == market_kind::spot);
    CHECK(inst.state == instance_state::pending);
    CHECK(inst.reason == state_reason::none); // <stateReason><code/></stateReason>
    CHECK(inst.tags == tag_map{{"styx:engine", "e1"}});
    CHECK(inst.launched_at > 0);
  }
  CHECK((*parsed)[0].cloud_id != (*parsed)[1].cloud_id);
}

TEST_CASE("DescribeInstances page with nextToken, reasons and spot lifecycle") {
  auto page = ec2_parse_describe_instances(read_fixture("ec2_doc_describe_instances_page.xml"));
  REQUIRE(page);
  CHECK(page->next_token == "eyJ2IjoiMiIsImMiOiJwYWdlLTIifQ==");
  REQUIRE(page->instances.size() == 4);
  auto& a = page->instances[0];
  CHECK(a.cloud_id == "i-1111111111111111a");
  CHECK(a.state == instance_state::running);
  CHECK(a.market == market_kind::on_demand);
  CHECK(a.launched_at == 1706745599000);
  CHECK(a.tags.at("Name") == "web-1");
  CHECK(a.owner_instance().to_string() == "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0");
  CHECK(a.owner_request().to_string() == "11111111-2222-4333-8444-555555555555");
  auto& b = page->instances[1];
  CHECK(b.state == instance_state::terminating);
  CHECK(b.reason == state_reason::user_initiated);
  CHECK(b.reason_code == "Client.UserInitiatedShutdown");
  CHECK(b.launched_at == 1706734800250); // 22:00:00.250+01:00 = 21:00:00.250Z
  auto& c = page->instances[2];
  CHECK(c.state == instance_state::terminated);
  CHECK(c.reason == state_reason::preempted);
  CHECK(c.market == market_kind::spot);
  CHECK(c.zone == "us-east-1c");
  CHECK(page->instances[3].state == instance_state::stopped);
}

TEST_CASE("DescribeInstances with a namespace prefix is read by local names") {
  auto page =
    ec2_parse_describe_instances(read_fixture("ec2_doc_describe_instances_prefixed.xml"));
  REQUIRE(page);
  REQUIRE(page->instances.size() == 1);
  CHECK(page->instances[0].cloud_id == "i-prefixed");
  CHECK(page->instances[0].state == instance_state::stopping);
  CHECK(page->instances[0].zone == "us-east-1d");
  CHECK(page->next_token.empty());
}

TEST_CASE("DescribeInstances as moto answers it, with and without a next page") {
  auto all = ec2_parse_describe_instances(read_fixture("ec2_moto_describe_instances.xml"));
  REQUIRE(all);
  CHECK(all->next_token.empty());
  REQUIRE(all->instances.size() == 2);
  CHECK(all->instances[0].state == instance_state::terminated);
  CHECK(all->instances[0].reason == state_reason::user_initiated);
  CHECK(all->instances[1].state == instance_state::stopped);
  auto first = ec2_parse_describe_instances(read_fixture("ec2_moto_describe_instances_page1.xml"));
  REQUIRE(first);
  CHECK(first->next_token == "r-de22a1fa33752ac02");
  CHECK(first->instances.size() == 2);
}

TEST_CASE("Stop, Start and Terminate answers give the current states") {
  auto term = ec2_parse_state_changes(read_fixture("ec2_moto_terminate_instances.xml"));
  REQUIRE(term);
  REQUIRE(term->size() == 1);
  CHECK((*term)[0].cloud_id == "i-b73ec1f1bda32976c");
  CHECK((*term)[0].state == instance_state::terminating);
  auto start = ec2_parse_state_changes(read_fixture("ec2_doc_start_instances.xml"));
  REQUIRE(start);
  REQUIRE(start->size() == 2);
  CHECK((*start)[0].state == instance_state::pending);
  CHECK((*start)[1].state == instance_state::running);
  auto stop = ec2_parse_state_changes(read_fixture("ec2_doc_stop_instances.xml"));
  REQUIRE(stop);
  CHECK(stop->at(0).state == instance_state::stopping);
}

TEST_CASE("DescribeInstanceTypes: vCPUs, memory, GPUs (not the GPU's own memory)") {
  auto page = ec2_parse_instance_types(read_fixture("ec2_doc_describe_instance_types.xml"));
  REQUIRE(page);
  CHECK(page->next_token == "AAEAAbcde-next");
  REQUIRE(page->types.size() == 3);
  auto& p3 = page->types[0];
  CHECK(p3.instance_type == "p3.8xlarge");
  CHECK(p3.vcpus == 32);
  CHECK(p3.memory_gib == Approx(244));
  CHECK(p3.gpus == 4);
  CHECK(p3.gpu_kind == "V100");
  CHECK(page->types[2].gpus == 0);
  CHECK(page->types[2].gpu_kind.empty());
  CHECK(page->types[2].memory_gib == Approx(4));

  auto moto = ec2_parse_instance_types(read_fixture("ec2_moto_describe_instance_types.xml"));
  REQUIRE(moto);
  REQUIRE(moto->types.size() == 2);
  CHECK(moto->types[0].instance_type == "g5.12xlarge");
  CHECK(moto->types[0].vcpus == 48);
  CHECK(moto->types[0].memory_gib == Approx(192));
  CHECK(moto->types[0].gpus == 4);
  CHECK(moto->types[0].gpu_kind == "A10G");
  CHECK(moto->types[1].instance_type == "t3.micro");
  CHECK(moto->types[1].memory_gib == Approx(1));
}

TEST_CASE("DescribeAvailabilityZones") {
  auto zones = ec2_parse_availability_zones(read_fixture("ec2_moto_describe_availability_zones.xml"));
  REQUIRE(zones);
  REQUIRE(zones->size() == 6);
  CHECK(zones->front().name == "us-east-1a");
  CHECK(zones->front().state == "available");
  CHECK(zones->back().name == "us-east-1f");
}

TEST_CASE("DescribeSpotPriceHistory: the latest price per type and zone wins") {
  auto page = ec2_parse_spot_price_history(read_fixture("ec2_doc_spot_price_history.xml"));
  REQUIRE(page);
  CHECK(page->next_token.empty());
  REQUIRE(page->prices.size() == 3);
  CHECK(page->prices.at({"m5.large", "us-east-1a"}) == Approx(0.038));
  CHECK(page->prices.at({"m5.large", "us-east-1b"}) == Approx(0.035));
  CHECK(page->prices.at({"g5.xlarge", "us-east-1b"}) == Approx(0.4021));

  // A later page with an older price does not override; a newer one does.
  ec2_spot_price_page older, newer;
  older.prices[{"m5.large", "us-east-1a"}] = 0.5;
  older.stamps[{"m5.large", "us-east-1a"}] = 1;
  newer.prices[{"m5.large", "us-east-1b"}] = 0.02;
  newer.stamps[{"m5.large", "us-east-1b"}] = *ec2_parse_time("2024-06-01T00:00:00Z");
  page->merge(older);
  page->merge(newer);
  CHECK(page->prices.at({"m5.large", "us-east-1a"}) == Approx(0.038));
  CHECK(page->prices.at({"m5.large", "us-east-1b"}) == Approx(0.02));
}

TEST_CASE("parsers refuse bodies that are not the expected response") {
  auto error = read_fixture("ec2_doc_error_capacity.xml");
  CHECK_FALSE(ec2_parse_run_instances(error));
  CHECK_FALSE(ec2_parse_describe_instances(error));
  CHECK_FALSE(ec2_parse_state_changes(error));
  CHECK_FALSE(ec2_parse_instance_types(read_fixture("ec2_proxy_503.xml")));
  CHECK_FALSE(ec2_parse_availability_zones(""));
  CHECK_FALSE(ec2_parse_spot_price_history("<DescribeSpotPriceHistoryResponse><unclosed>"));
  CHECK_FALSE(ec2_parse_describe_instances(read_fixture("ec2_doc_run_instances.xml")));
}
