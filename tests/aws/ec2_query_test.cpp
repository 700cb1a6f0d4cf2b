#include <catch2/catch.hpp>

#include "providers/aws/ec2_prices.hpp"
#include "providers/aws/ec2_query.hpp"
#include "tests/aws/ec2_test_util.hpp"

using namespace styx;
using form = std::map<std::string, std::string>;
using styx::test::form_map;

namespace {

launch_spec spot_spec() {
  launch_spec spec;
  spec.instance_type = "c5.large";
  spec.zone = "us-east-1b";
  spec.market = market_kind::spot;
  spec.max_price = 0.05;
  spec.image = "ami-0abc";
  spec.tags = {{"styx:engine", "e-1"}, {"team", "ml & data/x"}};
  return spec;
}

std::vector<std::string> ids(size_t n) {
  std::vector<std::string> result;
  for (size_t i = 0; i < n; ++i)
    result.push_back("i-" + std::to_string(i));
  return result;
}

} // namespace

TEST_CASE("aws_uri_encode keeps unreserved bytes and escapes the rest in upper-case hex") {
  CHECK(aws_uri_encode("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(aws_uri_encode("a b+c/d:e=f&g") == "a%20b%2Bc%2Fd%3Ae%3Df%26g");
  CHECK(aws_uri_encode("\xC3\xA9*") == "%C3%A9%2A");
  CHECK(ec2_form_encode({{"Tag.1.Key", "styx:engine"}, {"x", ""}}) == "Tag.1.Key=styx%3Aengine&x=");
}

TEST_CASE("ec2_form_decode inverts ec2_form_encode") {
  ec2_params params = {{"A", "b c"}, {"k:1", "%/&=+é"}, {"empty", ""}};
  CHECK(ec2_form_decode(ec2_form_encode(params)) == params);
  CHECK(ec2_form_decode("a=1+2&&b") == ec2_params{{"a", "1 2"}, {"b", ""}});
}

TEST_CASE("RunInstances of a spot batch carries market options and the shared tags") {
  auto body = ec2_run_instances(spot_spec(), 5, "tok-123", spot_spec().tags, "subnet-9");
  CHECK(body.rfind("Action=RunInstances&Version=2016-11-15&", 0) == 0);
  form expected = {
    {"Action", "RunInstances"},
    {"Version", "2016-11-15"},
    {"ImageId", "ami-0abc"},
    {"InstanceType", "c5.large"},
    {"MinCount", "5"},
    {"MaxCount", "5"},
    {"ClientToken", "tok-123"},
    {"Placement.AvailabilityZone", "us-east-1b"},
    {"SubnetId", "subnet-9"},
    {"InstanceMarketOptions.MarketType", "spot"},
    {"InstanceMarketOptions.SpotOptions.MaxPrice", "0.05"},
    {"InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time"},
    {"TagSpecification.1.ResourceType", "instance"},
    {"TagSpecification.1.Tag.1.Key", "styx:engine"},
    {"TagSpecification.1.Tag.1.Value", "e-1"},
    {"TagSpecification.1.Tag.2.Key", "team"},
    {"TagSpecification.1.Tag.2.Value", "ml & data/x"},
  };
  CHECK(form_map(body) == expected);
  // Values are encoded on the wire.
  CHECK(body.find("ml%20%26%20data%2Fx") != std::string::npos);
}

TEST_CASE("RunInstances on demand omits market options, subnet and an unset max price") {
  auto spec = spot_spec();
  spec.market = market_kind::on_demand;
  auto m = form_map(ec2_run_instances(spec, 1, "t", {}));
  CHECK(m.count("InstanceMarketOptions.MarketType") == 0);
  CHECK(m.count("SubnetId") == 0);
  CHECK(m.count("TagSpecification.1.ResourceType") == 0);
  CHECK(m.at("MinCount") == "1");
  spec.market = market_kind::spot;
  spec.max_price = 0;
  m = form_map(ec2_run_instances(spec, 2, "t", {}));
  CHECK(m.at("InstanceMarketOptions.MarketType") == "spot");
  CHECK(m.count("InstanceMarketOptions.SpotOptions.MaxPrice") == 0);
}

TEST_CASE("DescribeInstanceStatus asks for the ids with IncludeAllInstances") {
  form expected = {
    {"Action", "DescribeInstanceStatus"}, {"Version", "2016-11-15"},
    {"InstanceId.1", "i-a"},              {"InstanceId.2", "i-b"},
    {"IncludeAllInstances", "true"},
  };
  CHECK(form_map(ec2_describe_instance_status({"i-a", "i-b"})) == expected);
}

TEST_CASE("DescribeInstances by ids, or by filters with pagination") {
  form by_id = {{"Action", "DescribeInstances"}, {"Version", "2016-11-15"},
                {"InstanceId.1", "i-1"}, {"InstanceId.2", "i-2"}};
  // MaxResults is not allowed together with ids: dropped.
  CHECK(form_map(ec2_describe_instances({"i-1", "i-2"}, {}, 50)) == by_id);

  auto body = ec2_describe_instances(
    {}, {{"tag:styx:request", {"r-1"}}, {"instance-state-name", {"running", "pending"}}}, 2000,
    "tok==");
  form expected = {
    {"Action", "DescribeInstances"}, {"Version", "2016-11-15"},
    {"Filter.1.Name", "tag:styx:request"}, {"Filter.1.Value.1", "r-1"},
    {"Filter.2.Name", "instance-state-name"}, {"Filter.2.Value.1", "running"},
    {"Filter.2.Value.2", "pending"}, {"MaxResults", "1000"}, {"NextToken", "tok=="},
  };
  CHECK(form_map(body) == expected);
  CHECK(form_map(ec2_describe_instances({}, {}, 1)).at("MaxResults") == "5");
}

TEST_CASE("ec2_with_next_token replaces, appends or removes the token") {
  auto first = ec2_describe_instances({}, {{"tag:a", {"b"}}}, 100);
  auto second = ec2_with_next_token(first, "t/2");
  CHECK(form_map(second).at("NextToken") == "t/2");
  auto third = ec2_with_next_token(second, "t3");
  CHECK(form_map(third).at("NextToken") == "t3");
  CHECK(form_map(ec2_with_next_token(third, "")).count("NextToken") == 0);
  CHECK(ec2_with_next_token(third, "") == first);
}

TEST_CASE("Stop, Start and Terminate list instance ids") {
  for (auto [body, action] : {std::pair{ec2_stop_instances({"i-1", "i-2"}), "StopInstances"},
                              std::pair{ec2_start_instances({"i-1", "i-2"}), "StartInstances"},
                              std::pair{ec2_terminate_instances({"i-1", "i-2"}),
                                        "TerminateInstances"}}) {
    form expected = {{"Action", action}, {"Version", "2016-11-15"},
                     {"InstanceId.1", "i-1"}, {"InstanceId.2", "i-2"}};
    CHECK(form_map(body) == expected);
  }
}

TEST_CASE("catalog calls: instance types, zones, spot price history") {
  form types = {{"Action", "DescribeInstanceTypes"}, {"Version", "2016-11-15"},
                {"InstanceType.1", "m5.large"}, {"NextToken", "n"}};
  CHECK(form_map(ec2_describe_instance_types({"m5.large"}, {}, "n")) == types);
  form zones = {{"Action", "DescribeAvailabilityZones"}, {"Version", "2016-11-15"}};
  CHECK(form_map(ec2_describe_availability_zones()) == zones);
  form spot = {{"Action", "DescribeSpotPriceHistory"}, {"Version", "2016-11-15"},
               {"InstanceType.1", "m5.large"}, {"InstanceType.2", "g5.xlarge"},
               {"ProductDescription.1", "Linux/UNIX"}, {"StartTime", "2024-05-01T12:00:00Z"}};
  CHECK(form_map(ec2_describe_spot_price_history({"m5.large", "g5.xlarge"}, 1714564800000))
        == spot);
}

TEST_CASE("ec2_iso8601 formats unix ms in UTC") {
  CHECK(ec2_iso8601(0) == "1970-01-01T00:00:00Z");
  CHECK(ec2_iso8601(951782400999) == "2000-02-29T00:00:00Z");
  CHECK(ec2_iso8601(1709634030000) == "2024-03-05T10:20:30Z");
}

TEST_CASE("ec2_requests_for: create of one slot tags it in RunInstances itself") {
  api_call call;
  call.op = api_op::create;
  call.spec = spot_spec();
  call.client_token = "ct";
  create_slot slot;
  slot.id.hi = 1;
  slot.id.lo = 2;
  slot.name = "job-0";
  call.slots = {slot};
  auto reqs = ec2_requests_for(call, 0);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].action == "RunInstances");
  auto m = form_map(reqs[0].body);
  CHECK(m.at("MaxCount") == "1");
  CHECK(m.at("ClientToken") == "ct");
  // Tags sorted by key: Name, styx:engine, styx:instance, team.
  CHECK(m.at("TagSpecification.1.Tag.1.Key") == "Name");
  CHECK(m.at("TagSpecification.1.Tag.1.Value") == "job-0");
  CHECK(m.at("TagSpecification.1.Tag.3.Key") == "styx:instance");
  CHECK(m.at("TagSpecification.1.Tag.3.Value") == slot.id.to_string());

  // A batch carries only the shared tags.
  call.slots = {slot, slot, slot};
  m = form_map(ec2_requests_for(call, 0).at(0).body);
  CHECK(m.at("MaxCount") == "3");
  CHECK(m.count("TagSpecification.1.Tag.3.Key") == 0);
  CHECK(m.at("TagSpecification.1.Tag.2.Key") == "team");
}

TEST_CASE("ec2_requests_for polls states with DescribeInstanceStatus, 100 ids a call") {
  api_call call;
  call.op = api_op::describe;
  call.cloud_ids = ids(250);
  auto reqs = ec2_requests_for(call, 0);
  REQUIRE(reqs.size() == 3);
  for (auto& r : reqs)
    CHECK(r.action == "DescribeInstanceStatus");
  CHECK(form_map(reqs[0].body).count("InstanceId.100") == 1);
  CHECK(form_map(reqs[0].body).count("InstanceId.101") == 0);
  CHECK(form_map(reqs[2].body).at("InstanceId.50") == "i-249");
}

TEST_CASE("ec2_requests_for splits id lists at 1000") {
  api_call call;
  call.cloud_ids = ids(2500);
  call.detail = true; // a describe with detail: DescribeInstances
  for (auto [op, action] : {std::pair{api_op::describe, "DescribeInstances"},
                            std::pair{api_op::stop, "StopInstances"},
                            std::pair{api_op::start, "StartInstances"},
                            std::pair{api_op::terminate, "TerminateInstances"}}) {
    call.op = op;
    auto reqs = ec2_requests_for(call, 0);
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0].action == action);
    auto last = form_map(reqs[2].body);
    CHECK(form_map(reqs[0].body).size() == 1002);
    CHECK(last.size() == 502);
    CHECK(last.at("InstanceId.1") == "i-2000");
    CHECK(last.at("InstanceId.500") == "i-2499");
    CHECK_FALSE(reqs[0].paginated);
  }
}

TEST_CASE("ec2_requests_for: list filters on tags and live states, paginated") {
  api_call call;
  call.op = api_op::list;
  call.filter = {{"styx:engine", "e-1"}};
  auto reqs = ec2_requests_for(call, 0);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].paginated);
  form expected = {
    {"Action", "DescribeInstances"}, {"Version", "2016-11-15"},
    {"Filter.1.Name", "tag:styx:engine"}, {"Filter.1.Value.1", "e-1"},
    {"Filter.2.Name", "instance-state-name"}, {"Filter.2.Value.1", "pending"},
    {"Filter.2.Value.2", "running"}, {"Filter.2.Value.3", "stopping"},
    {"Filter.2.Value.4", "stopped"}, {"Filter.2.Value.5", "shutting-down"},
    {"MaxResults", "1000"},
  };
  CHECK(form_map(reqs[0].body) == expected);
}

TEST_CASE("ec2_requests_for: catalog asks zones, the table's types by filter, spot prices") {
  api_call call;
  call.op = api_op::catalog;
  auto reqs = ec2_requests_for(call, 1714564800000);
  REQUIRE(reqs.size() == 3);
  CHECK(reqs[0].action == "DescribeAvailabilityZones");
  CHECK(reqs[1].action == "DescribeInstanceTypes");
  CHECK(reqs[2].action == "DescribeSpotPriceHistory");
  auto types = form_map(reqs[1].body);
  CHECK(types.at("Filter.1.Name") == "instance-type");
  CHECK(types.count("InstanceType.1") == 0); // naming an unknown type would fail the call
  auto n = ec2_price_table().size();
  CHECK(types.count("Filter.1.Value." + std::to_string(n)) == 1);
  CHECK(types.count("Filter.1.Value." + std::to_string(n + 1)) == 0);
  auto spot = form_map(reqs[2].body);
  CHECK(spot.at("StartTime") == "2024-05-01T12:00:00Z");
  CHECK(spot.count("InstanceType." + std::to_string(n)) == 1);
  CHECK(reqs[1].paginated);
  CHECK(reqs[2].paginated);
}
