// The aws cloud through the whole engine (runtime/engine.hpp) against moto: instances come up,
// stop, start and terminate, and boto3 (tests/fixtures/ec2_engine_inspect.py) checks what EC2
// really holds after each step. A later engine finds the instances again over several pages.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "runtime/engine.hpp"
#include "runtime/provider_memory.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

const char* const region = "us-east-1";

selector of_request(const request_id& id) {
  selector sel;
  sel.requests.push_back(id);
  return sel;
}

/// Every instance of `view` is in `state`.
void require_all(const ec2_view& view, size_t count, const std::string& state) {
  REQUIRE(view.instances.size() == count);
  for (auto& inst : view.instances) {
    INFO(inst.id);
    CHECK(inst.state == state);
  }
}

/// A fresh, empty state directory under /tmp.
std::string temp_state_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path()
             / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

} // namespace

TEST_CASE("aws engine: 200 instances up, stopped, started, terminated, as boto3 sees them") {
  moto_fixture moto;
  use_aws_env(moto.endpoint());
  auto eng = engine::start(aws_engine_config(region));
  auto req = provision_request::make("fleet", resources{}.cpus(2).memory_gib(4))
               .provider("aws")
               .count(200)
               .tag("suite", "lifecycle");
  auto began = std::chrono::steady_clock::now();
  auto handle = eng->submit(req);
  auto done = handle.wait_for(seconds(300));
  REQUIRE(done);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("aws engine: 200 instances running on moto in %.2f s\n", secs);
  INFO(done->error);
  REQUIRE(done->ok);
  CHECK(done->running == 200);

  auto records = eng->list(of_request(handle.id()));
  REQUIRE(records.size() == 200);
  std::map<std::string, instance_record> by_cloud_id;
  for (auto& r : records) {
    CHECK(r.provider == (provider_id{"aws", region}));
    CHECK(r.state == instance_state::running);
    by_cloud_id[r.cloud_id] = r;
  }
  REQUIRE(by_cloud_id.size() == 200);

  // boto3: every instance exists once, runs, and carries the shared ownership tags; which
  // record it is comes from its create call (each record has its own cloud id), so nothing
  // per instance was written to EC2.
  auto view = inspect_ec2(moto.endpoint(), region, "styx:request", handle.id().to_string());
  require_all(view, 200, "running");
  std::set<std::string> owners;
  for (auto& inst : view.instances) {
    INFO(inst.id);
    auto r = by_cloud_id.find(inst.id);
    REQUIRE(r != by_cloud_id.end());
    CHECK(inst.tags.count("styx:instance") == 0);
    CHECK(inst.tags["styx:engine"] == eng->engine_id());
    CHECK(inst.tags["suite"] == "lifecycle");
    CHECK(inst.type == r->second.instance_type);
    CHECK(inst.zone == r->second.zone);
    owners.insert(r->second.id.to_string());
  }
  CHECK(owners.size() == 200);

  auto stats = eng->stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].instances_created == 200);
  CHECK(stats[0].failed_calls == 0);

  CHECK(eng->stop(of_request(handle.id())) == 200);
  REQUIRE(eng->wait_for_state(of_request(handle.id()), instance_state::stopped, seconds(120)));
  require_all(inspect_ec2(moto.endpoint(), region, "styx:request", handle.id().to_string()), 200,
              "stopped");

  CHECK(eng->start_instances(of_request(handle.id())) == 200);
  REQUIRE(eng->wait_for_state(of_request(handle.id()), instance_state::running, seconds(120)));
  require_all(inspect_ec2(moto.endpoint(), region, "styx:request", handle.id().to_string()), 200,
              "running");

  CHECK(eng->terminate(of_request(handle.id())) == 200);
  REQUIRE(
    eng->wait_for_state(of_request(handle.id()), instance_state::terminated, seconds(120)));
  for (auto& r : eng->list(of_request(handle.id())))
    CHECK(r.state == instance_state::terminated);
  require_all(inspect_ec2(moto.endpoint(), region, "styx:request", handle.id().to_string()), 200,
              "terminated");
}

TEST_CASE("aws engine: a later engine adopts its instances over several DescribeInstances pages") {
  fault_proxy proxy; // no faults: moto, with request counters
  use_aws_env(proxy.endpoint());
  auto dir = temp_state_dir("styx-ec2-adopt");
  auto cfg = aws_engine_config(region);
  cfg.state_dir = dir;
  cfg.reconcile_on_start = false; // adopt() itself is under test, not start's reconcile
  cfg.aws.list_page_size = 5; // moto pages by reservation: 7 requests, 7 reservations

  std::map<std::string, std::string> names; // cloud id -> name
  std::string engine_id;
  {
    auto eng = engine::start(cfg);
    engine_id = eng->engine_id();
    std::vector<request_handle> handles;
    for (int i = 0; i < 7; ++i)
      handles.push_back(eng->submit(
        provision_request::make("batch" + std::to_string(i), resources{}).provider("aws").count(2)));
    for (auto& h : handles) {
      auto done = h.wait_for(seconds(120));
      REQUIRE(done);
      REQUIRE(done->ok);
    }
    for (auto& r : eng->list())
      names[r.cloud_id] = r.name;
  }
  REQUIRE(names.size() == 14);
  auto remembered = load_provider_memory(dir);
  REQUIRE(remembered.size() == 1);
  CHECK(remembered[0] == (provider_id{"aws", region}));
  CHECK(inspect_ec2(proxy.endpoint(), region, "styx:engine", engine_id).reservations == 7);

  auto paged_before = proxy.count("paged", "DescribeInstances");
  auto eng = engine::start(cfg);
  CHECK(eng->engine_id() == engine_id);
  CHECK(eng->adopt() == 14);
  CHECK(proxy.count("paged", "DescribeInstances") - paged_before >= 1);
  auto records = eng->list();
  REQUIRE(records.size() == 14);
  for (auto& r : records) {
    CHECK(r.provider == (provider_id{"aws", region}));
    CHECK(names[r.cloud_id] == r.name);
    CHECK(r.state == instance_state::running);
  }
  CHECK(eng->terminate(selector::everything()) == 14);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(120)));
  require_all(inspect_ec2(proxy.endpoint(), region, "styx:engine", engine_id), 14, "terminated");
  eng.reset();
  std::filesystem::remove_all(dir);
}
