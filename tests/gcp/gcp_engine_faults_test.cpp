// The engine on GCP when Compute pushes back: throttling (403 rateLimitExceeded, over the
// project's per-minute quota too) and 5xx are retried until the fan-out runs; a QUOTA_EXCEEDED
// region is left for another; a preempted spot VM is reported preempted and replaced.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "runtime/engine.hpp"
#include "tests/engine_checks.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("gcp engine faults: throttling and 5xx are retried and a quota error moves to another region") {
  gcp_fake fake;
  fake.use_env();
  fake.faults(R"({"zone":"us-central1-a","quota":true})");
  fake.faults(R"({"zone":"us-east1-b","throttle":3,"errors5xx":2})");
  fake.post("/fake/quotas", R"({"reads":40})"); // per minute: the polls run into it
  auto cfg = gcp_engine_config();
  cfg.providers.front().regions = {"us-central1", "us-east1"};
  auto eng = engine::start(cfg);
  auto done = eng->submit(provision_request::make("pushed", resources{}).provider("gcp").count(60))
                .wait_for(seconds(120));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  // QUOTA_EXCEEDED in us-central1-a ruled out the whole region, not only its zone.
  for (auto& r : eng->list())
    CHECK(r.zone == "us-east1-b");
  uint64_t throttled = 0, retries = 0;
  for (auto& st : eng->stats()) {
    throttled += st.throttled;
    retries += st.retries;
  }
  CHECK(throttled >= 3);
  CHECK(retries >= 5);
  CHECK(fake.stat("create_errors_QUOTA_EXCEEDED") >= 1);
  CHECK(fake.stat("injected_throttle") == 3);
  CHECK(fake.stat("injected_5xx") == 2);
  fake.post("/fake/quotas", R"({"reads":0})");
  CHECK(eng->terminate(selector::everything()) == 60);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
}

TEST_CASE("gcp engine faults: a preempted spot VM is reported preempted and replaced") {
  gcp_fake fake;
  fake.use_env();
  check_spot_replaced(gcp_engine_config(), "gcp", [&](const instance_record& victim) {
    auto name = victim.cloud_id.substr(victim.cloud_id.find('/') + 1);
    auto answer = fake.post("/fake/preempt",
                            R"({"zone":")" + victim.zone + R"(","names":[")" + name + "\"]}");
    REQUIRE(answer.find(name) != std::string::npos);
  });
}
