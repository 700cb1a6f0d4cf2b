#include <catch2/catch.hpp>

#include <set>

#include "messages/cloud_error.hpp"
#include "messages/cloud_types.hpp"
#include "messages/instance_record.hpp"
#include "messages/protocol.hpp"

using namespace styx;

namespace {

offering m5_large() {
  offering o;
  o.provider = provider_id{"sim", "us-east-1"};
  o.zone = "us-east-1a";
  o.instance_type = "m5.large";
  o.cpus = 2;
  o.memory_gib = 8;
  o.on_demand_price = 0.096;
  o.spot_price = 0.035;
  return o;
}

offering p3_2xlarge() {
  offering o = m5_large();
  o.instance_type = "p3.2xlarge";
  o.cpus = 8;
  o.memory_gib = 61;
  o.gpus = 1;
  o.gpu_kind = "v100";
  return o;
}

} // namespace

TEST_CASE("offering fits a shape no larger than itself") {
  auto o = m5_large();
  CHECK(o.fits(resources{}.cpus(2).memory_gib(8)));
  CHECK(o.fits(resources{}.cpus(1).memory_gib(0.5)));
  CHECK(o.fits(resources{}.cpus(1.5).memory_gib(7.5)));
  CHECK_FALSE(o.fits(resources{}.cpus(2.5).memory_gib(8)));
  CHECK_FALSE(o.fits(resources{}.cpus(2).memory_gib(8.5)));
  CHECK_FALSE(o.fits(resources{}.cpus(2).memory_gib(8).gpus(1)));
}

TEST_CASE("offering fits GPUs by count and, when asked, by kind") {
  auto o = p3_2xlarge();
  CHECK(o.fits(resources{}.cpus(4).memory_gib(16)));
  CHECK(o.fits(resources{}.cpus(4).memory_gib(16).gpus(1)));
  CHECK(o.fits(resources{}.cpus(4).memory_gib(16).gpus(1).gpu_kind("v100")));
  CHECK_FALSE(o.fits(resources{}.cpus(4).memory_gib(16).gpus(1).gpu_kind("a100")));
  CHECK_FALSE(o.fits(resources{}.cpus(4).memory_gib(16).gpus(2)));
  // A kind without GPUs still names the kind: a CPU-only type has none of it.
  CHECK_FALSE(m5_large().fits(resources{}.gpu_kind("v100")));
}

TEST_CASE("offering price follows the market") {
  auto o = m5_large();
  CHECK(o.price(market_kind::on_demand) == 0.096);
  CHECK(o.price(market_kind::spot) == 0.035);
}

TEST_CASE("cloud_error to_string names kind, code and message") {
  CHECK(make_cloud_error(error_kind::capacity, "InsufficientInstanceCapacity",
                         "no capacity in us-east-1a")
          .to_string()
        == "capacity (InsufficientInstanceCapacity): no capacity in us-east-1a");
  CHECK(make_cloud_error(error_kind::throttled, "RequestLimitExceeded", "").to_string()
        == "throttled (RequestLimitExceeded)");
  CHECK(make_cloud_error(error_kind::transient, "", "connection reset").to_string()
        == "transient: connection reset");
  CHECK(cloud_error{}.to_string() == "none");
}

TEST_CASE("cloud_error is true only when it is an error") {
  CHECK_FALSE(cloud_error{});
  CHECK(make_cloud_error(error_kind::fatal, "", ""));
  CHECK(make_cloud_error(error_kind::throttled, "x", "y").retry_after_ms == 0);
}

TEST_CASE("every error kind has its own name") {
  using k = error_kind;
  const k all[] = {k::none,     k::throttled, k::capacity,  k::quota, k::auth,
                   k::invalid_request, k::not_found, k::transient, k::fatal};
  std::set<std::string> names;
  for (auto x : all)
    names.insert(to_string(x));
  CHECK(names.size() == 9u);
  CHECK(names.count("unknown") == 0);
  CHECK(std::string(to_string(k::invalid_request)) == "invalid_request");
  CHECK(std::string(to_string(k::not_found)) == "not_found");
}

TEST_CASE("only throttled and transient errors are retryable") {
  using k = error_kind;
  CHECK(is_retryable(k::throttled));
  CHECK(is_retryable(k::transient));
  for (auto x : {k::none, k::capacity, k::quota, k::auth, k::invalid_request, k::not_found,
                 k::fatal})
    CHECK_FALSE(is_retryable(x));
}

TEST_CASE("only capacity and quota errors are placement errors") {
  using k = error_kind;
  CHECK(is_placement_error(k::capacity));
  CHECK(is_placement_error(k::quota));
  for (auto x : {k::none, k::throttled, k::transient, k::auth, k::invalid_request,
                 k::not_found, k::fatal})
    CHECK_FALSE(is_placement_error(x));
}

TEST_CASE("cloud_instance finds its owners in the ownership tags") {
  cloud_instance ci;
  CHECK(ci.owner_instance().empty());
  CHECK(ci.owner_request().empty());
  uuid_generator gen{3};
  auto inst = gen.next();
  auto req = gen.next();
  ci.tags[ownership_tag::instance] = inst.to_string();
  ci.tags[ownership_tag::request] = req.to_string();
  CHECK(static_cast<const uuid&>(ci.owner_instance()) == inst);
  CHECK(static_cast<const uuid&>(ci.owner_request()) == req);
  ci.tags[ownership_tag::instance] = "not-a-uuid";
  CHECK(ci.owner_instance().empty());
}

TEST_CASE("launch_spec equality and order look at every field") {
  launch_spec a;
  a.instance_type = "m5.large";
  a.zone = "us-east-1a";
  a.image = "ami-1";
  a.tags = {{"env", "prod"}};
  CHECK(a == a);
  CHECK_FALSE(a < a);
  auto differs = [&](auto change) {
    launch_spec b = a;
    change(b);
    CHECK_FALSE(a == b);
    CHECK(((a < b) != (b < a))); // exactly one order
  };
  differs([](launch_spec& b) { b.instance_type = "m5.xlarge"; });
  differs([](launch_spec& b) { b.zone = "us-east-1b"; });
  differs([](launch_spec& b) { b.market = market_kind::spot; });
  differs([](launch_spec& b) { b.max_price = 0.5; });
  differs([](launch_spec& b) { b.image = "ami-2"; });
  differs([](launch_spec& b) { b.tags["team"] = "x"; });
}

TEST_CASE("provider_id prints as cloud/region and orders by both") {
  provider_id a{"sim", "us-east-1"};
  provider_id b{"sim", "us-west-2"};
  provider_id c{"aws", "us-west-2"};
  CHECK(a.to_string() == "sim/us-east-1");
  CHECK(a != b);
  CHECK(a == provider_id{"sim", "us-east-1"});
  CHECK(a < b);
  CHECK(c < a);
}

TEST_CASE("provider_id names where it lives: the engine's own or a node's") {
  provider_id local{"sim", "us-east-1"};
  provider_id there{"sim", "us-east-1", "9d1c-node"};
  provider_id elsewhere{"sim", "us-east-1", "77ab-node"};
  CHECK(local.is_local());
  CHECK_FALSE(there.is_local());
  CHECK(there.to_string() == "sim/us-east-1@9d1c-node");
  CHECK(there.name() == "sim/us-east-1");
  CHECK(local != there); // the same cloud/region, not the same provider
  CHECK(there != elsewhere);
  CHECK(local < there);
  for (auto& p : {local, there, provider_id{"aws", "eu-west-1"}})
    CHECK(provider_id::parse(p.to_string()) == p);
  CHECK(provider_id::parse("sim") == provider_id{"sim", ""});
}

TEST_CASE("enum names for markets and changes") {
  CHECK(std::string(to_string(market_kind::spot)) == "spot");
  CHECK(std::string(to_string(market_kind::on_demand)) == "on-demand");
  CHECK(std::string(to_string(change_op::stop)) == "stop");
  CHECK(std::string(to_string(change_op::start)) == "start");
  CHECK(std::string(to_string(change_op::terminate)) == "terminate");
}

TEST_CASE("record_of: a listed instance as the record its adoption starts from") {
  cloud_instance ci;
  ci.cloud_id = "i-1";
  ci.zone = "us-west-2a";
  ci.instance_type = "m5.large";
  ci.state = instance_state::running;
  ci.launched_at = 42;
  ci.tags = {{ownership_tag::engine, "e"}, {"env", "prod"}};
  provider_id where{"aws", "us-west-2"};
  auto unnamed = record_of(ci, where);
  CHECK(unnamed.id.empty());
  CHECK(unnamed.name == "i-1");
  CHECK(unnamed.provider == where);
  CHECK(unnamed.state == instance_state::running);
  CHECK(unnamed.since == 42);
  CHECK(unnamed.tags == tag_map{{"env", "prod"}});
  ci.tags[ownership_tag::name] = "web-1";
  CHECK(record_of(ci, where).name == "web-1");
  CHECK(record_of(ci, where).tags == tag_map{{"env", "prod"}});
}
