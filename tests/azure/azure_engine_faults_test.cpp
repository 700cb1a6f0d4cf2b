// The engine on Azure when Resource Manager pushes back: injected 429s (Retry-After) and 5xx
// are retried until the fan-out runs; a quota error rules out the whole location; a
// Resource Manager whose writes bucket is smaller than Styx's says so in its
// x-ms-ratelimit-remaining-* headers, and the provider slows down before it is throttled; an
// evicted Spot VM is reported preempted and replaced.

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <thread>

#include "runtime/engine.hpp"
#include "tests/engine_checks.hpp"
#include "tests/azure/azure_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("azure engine faults: 429 and 5xx are retried - a quota error rules out the location") {
  azure_fake fake;
  fake.use_env();
  fake.faults(R"({"zone":"1","throttle":3,"errors5xx":2})");
  fake.faults(R"({"zone":"3","capacity":0})");
  auto eng = engine::start(azure_engine_config());
  auto done =
    eng->submit(provision_request::make("pushed", resources{}).provider("azure").count(30))
      .wait_for(seconds(120));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  for (auto& r : eng->list())
    CHECK(r.zone == "1");
  auto st = only_stats(*eng);
  CHECK(st.throttled >= 3);
  CHECK(st.retries >= 5);
  CHECK(fake.stat("SubscriptionRequestsThrottled", "errors") == 3);
  CHECK(fake.stat("InternalServerError", "errors") == 2);
  // A subscription's quota is the location's: OperationNotAllowed in zone 1 rules out every
  // zone of eastus (actors/placement.hpp), and this fake serves no other location.
  fake.faults(R"({"zone":"1","quota":true})");
  auto over =
    eng->submit(provision_request::make("over", resources{}).provider("azure").count(2))
      .wait_for(seconds(120));
  REQUIRE(over);
  CHECK_FALSE(over->ok);
  REQUIRE(over->failures.size() == 2);
  for (auto& f : over->failures) {
    INFO(f.reason);
    CHECK(f.reason.find("(every zone and type)") != std::string::npos);
    CHECK(f.reason.find("OperationNotAllowed") != std::string::npos);
  }
  CHECK(fake.stat("OperationNotAllowed", "errors") >= 1);
  CHECK(eng->terminate(selector::everything()) == 30);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
}

TEST_CASE("azure engine faults: the rate-limit headers slow the client before it is throttled") {
  // Resource Manager's writes bucket here holds 40 and refills 10/s; Styx starts from the
  // documented 200. Without the headers, the first 150 PUTs would all go at once (the in-flight
  // window aside) and 110 of them would be throttled.
  azure_fake fake{azure_fake::options{{"--writes", "40:10"}}};
  fake.use_env();
  auto eng = engine::start(azure_engine_config());
  auto done = eng->submit(provision_request::make("paced", resources{}).provider("azure").count(150))
                .wait_for(seconds(180));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  auto st = only_stats(*eng);
  std::cout << "azure rate-limit headers: 150 PUTs against a writes bucket of 40 refilling 10/s: "
            << st.slowed_by_cloud << " answers lowered a bucket, " << st.throttled
            << " calls throttled (429), " << fake.stat("throttled", "") << " 429s sent\n";
  CHECK(st.slowed_by_cloud >= 1);
  CHECK(st.throttled < 55); // well under the 110 a client deaf to the headers would get
  CHECK(eng->terminate(selector::everything()) == 150);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(120)));
}

TEST_CASE("azure engine faults: an evicted spot VM is reported preempted and replaced") {
  azure_fake fake;
  fake.use_env();
  check_spot_replaced(azure_engine_config(), "azure", [&](const instance_record& victim) {
    CHECK(victim.cloud_id.rfind("styx-spot-", 0) == 0);
    auto answer = fake.post("/fake/evict", R"({"names":[")" + victim.cloud_id + "\"]}");
    REQUIRE(answer.find("\"evicted\":1") != std::string::npos);
  });
}

TEST_CASE("azure engine faults: the token is cached and exchanged again before it expires") {
  // Tokens that live 3 s: refreshed once less than a fifth of that is left.
  azure_fake fake{azure_fake::options{{"--token-lifetime", "3"}}};
  fake.use_env();
  auto eng = engine::start(azure_engine_config());
  auto done = eng->submit(provision_request::make("tok", resources{}).provider("azure").count(5))
                .wait_for(seconds(60));
  REQUIRE(done);
  REQUIRE(done->ok);
  auto first = fake.stat("tokens", "");
  CHECK(first >= 1);
  CHECK(first <= 2); // one exchange serves every call while it is fresh
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  CHECK(eng->terminate(selector::everything()) == 5);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
  CHECK(fake.stat("tokens", "") > first);
  CHECK(fake.stat("InvalidAuthenticationToken", "errors") == 0);
  CHECK(fake.stat("ExpiredAuthenticationToken", "errors") == 0);
}
