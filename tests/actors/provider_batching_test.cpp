// The provider actor's coalescing windows, token buckets and in-flight window, in virtual time.

#include <catch2/catch.hpp>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/send.hpp>

#include "tests/actors/provider_bench.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("provider: creates arriving within the idle window go out as one call") {
  provider_bench b;
  // One create every 20 ms: each comes before the 35 ms idle gap since the last one ends.
  std::vector<std::shared_ptr<client_log>> logs;
  for (int i = 0; i < 10; ++i) {
    logs.push_back(b.send(b.creates(1, spec_of("m5.large"))));
    b.f.advance(milliseconds(20));
  }
  b.f.advance(milliseconds(200));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].call.slots.size() == 10);
  // Sent 35 ms after the last create (at 180 ms).
  CHECK(b.ms(calls[0].at) == 215);
  for (auto& log : logs) {
    REQUIRE(log->answers.size() == 1);
    CHECK_FALSE(log->answers[0].error);
    CHECK_FALSE(log->answers[0].instance.cloud_id.empty());
  }
  CHECK(b.f.cloud->live_count() == 10);
  CHECK(b.stats().instances_created == 10);
}

TEST_CASE("provider: a create after the idle gap goes out in a second call") {
  provider_bench b;
  auto first = b.send(b.creates(3, spec_of("m5.large")));
  b.f.advance(milliseconds(100));
  auto second = b.send(b.creates(2, spec_of("m5.large")));
  b.f.advance(milliseconds(100));
  CHECK(b.api->sizes(api_op::create) == std::vector<size_t>{3, 2});
  CHECK(first->answers.size() == 3);
  CHECK(second->answers.size() == 2);
}

TEST_CASE("provider: creates with different specs are separate calls") {
  provider_bench b;
  b.send(b.creates(2, spec_of("m5.large", "us-east-1a")));
  b.send(b.creates(3, spec_of("m5.large", "us-east-1b")));
  b.send(b.creates(4, spec_of("c5.large", "us-east-1a")));
  b.f.advance(milliseconds(100));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 3);
  for (auto& c : calls)
    for (auto& s : c.call.slots)
      CHECK_FALSE(s.id.empty());
  size_t total = 0;
  for (auto n : b.api->sizes(api_op::create))
    total += n;
  CHECK(total == 9);
}

TEST_CASE("provider: a window never waits longer than max_wait (1 s) after its first item") {
  provider_bench b;
  // A steady trickle: the idle gap never ends, max_wait does.
  for (int i = 0; i < 60; ++i) {
    b.send(b.creates(1, spec_of("m5.large")));
    b.f.advance(milliseconds(20));
  }
  b.f.advance(milliseconds(200));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 2);
  CHECK(b.ms(calls[0].at) == 1000);
  CHECK(calls[0].call.slots.size() == 50);
  CHECK(calls[1].call.slots.size() == 10);
}

TEST_CASE("provider: a full window (1000 items) goes out at once") {
  provider_bench b;
  auto log = b.send(b.creates(2500, spec_of("t3.micro")));
  auto now_calls = b.api->sizes(api_op::create);
  CHECK(now_calls == std::vector<size_t>{1000, 1000}); // without waiting for the idle gap
  b.f.advance(milliseconds(100));
  CHECK(b.api->sizes(api_op::create) == std::vector<size_t>{1000, 1000, 500});
  CHECK(log->answers.size() == 2500);
  CHECK(b.f.cloud->live_count() == 2500);
}

TEST_CASE("provider: max_items of the create window bounds a call") {
  auto cfg = unpaced_config();
  cfg.create_window.max_items = 10;
  provider_bench b{cfg};
  b.send(b.creates(25, spec_of("t3.micro")));
  CHECK(b.api->sizes(api_op::create) == std::vector<size_t>{10, 10});
  b.f.advance(milliseconds(100));
  CHECK(b.api->sizes(api_op::create) == std::vector<size_t>{10, 10, 5});
}

TEST_CASE("provider: the create request bucket paces calls") {
  auto cfg = unpaced_config();
  cfg.limits.create = bucket_config{1, 1}; // one call, then one per second
  provider_bench b{cfg};
  for (auto type : {"t3.micro", "t3.small", "t3.medium", "m5.large"})
    b.send(b.creates(1, spec_of(type)));
  b.f.advance(seconds(5));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 4);
  CHECK(b.ms(calls[0].at) == 35);
  for (size_t i = 1; i < calls.size(); ++i) {
    auto gap = b.ms(calls[i].at) - b.ms(calls[i - 1].at);
    CHECK(gap >= 1000);
    CHECK(gap <= 1010);
  }
  CHECK(b.f.cloud->live_count() == 4);
}

TEST_CASE("provider: the resource bucket splits a batch to what it allows") {
  auto cfg = unpaced_config();
  cfg.limits.create_instances = bucket_config{10, 5}; // 10 instances, then 5 per second
  provider_bench b{cfg};
  auto log = b.send(b.creates(25, spec_of("t3.micro")));
  b.f.advance(seconds(5));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() >= 2);
  CHECK(calls[0].call.slots.size() == 10);
  CHECK(b.ms(calls[0].at) == 35);
  size_t total = 0;
  for (auto& c : calls) {
    total += c.call.slots.size();
    // Never more instances than the bucket held: 10 at first, 5 per second since.
    auto allowed = 10.0 + 5.0 * (b.ms(c.at) - 35) / 1000.0;
    CHECK(static_cast<double>(total) <= allowed + 1e-6);
  }
  CHECK(total == 25);
  CHECK(log->answers.size() == 25);
  CHECK(b.f.cloud->live_count() == 25);
}

TEST_CASE("provider: max_in_flight bounds the calls on the wire") {
  auto cfg = unpaced_config();
  cfg.max_in_flight = 2;
  provider_bench b{cfg};
  b.api->hold = true;
  std::vector<std::shared_ptr<client_log>> logs;
  for (auto type : {"t3.micro", "t3.small", "t3.medium", "m5.large", "c5.large"})
    logs.push_back(b.send(b.creates(1, spec_of(type))));
  b.f.advance(seconds(1));
  CHECK(b.api->of(api_op::create).size() == 2);
  CHECK(b.api->held.size() == 2);
  REQUIRE(b.api->release_one());
  b.f.advance(milliseconds(10));
  CHECK(b.api->of(api_op::create).size() == 3);
  CHECK(b.api->held.size() == 2);
  b.api->release_all();
  b.f.advance(seconds(1));
  CHECK(b.api->of(api_op::create).size() == 5);
  auto st = b.stats();
  CHECK(st.max_in_flight == 2);
  for (auto& log : logs)
    CHECK(log->answers.size() == 1);
}

TEST_CASE("provider: stops, starts and terminates are batched") {
  provider_bench b;
  auto created = b.send(b.creates(10, spec_of("m5.large")));
  b.f.advance(seconds(1));
  REQUIRE(created->answers.size() == 10);
  // The unlimited sim's transitions take no time: each answer gives where the change ended.
  for (auto [op, api, expect] :
       {std::tuple{change_op::stop, api_op::stop, instance_state::stopped},
        std::tuple{change_op::start, api_op::start, instance_state::running},
        std::tuple{change_op::terminate, api_op::terminate, instance_state::terminated}}) {
    auto changed = b.send(provider_bench::changes(*created, op));
    b.f.advance(seconds(1));
    INFO(to_string(op));
    CHECK(b.api->sizes(api) == std::vector<size_t>{10});
    REQUIRE(changed->answers.size() == 10);
    for (auto& u : changed->answers) {
      CHECK_FALSE(u.error);
      CHECK(u.instance.state == expect);
    }
    b.f.advance(seconds(3));
  }
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("provider: a withdrawal fails the unsent creates of an offering and only those") {
  auto cfg = unpaced_config();
  cfg.limits.create = bucket_config{1, 1}; // one call now, then one per second
  provider_bench b{cfg};
  auto first = b.send(b.creates(2, spec_of("m5.large", "us-east-1a")));
  b.f.advance(milliseconds(100)); // the first call went out
  REQUIRE(b.api->of(api_op::create).size() == 1);
  auto queued = b.send(b.creates(3, spec_of("m5.large", "us-east-1a")));
  auto other_zone = b.send(b.creates(4, spec_of("m5.large", "us-east-1b")));
  b.f.advance(milliseconds(100)); // both batches wait for the request bucket
  auto coalescing = b.send(b.creates(1, spec_of("m5.large", "us-east-1a"))); // in its window
  auto spot = spec_of("m5.large", "us-east-1a");
  spot.market = market_kind::spot; // another offering: same zone and type, other market
  auto other_market = b.send(b.creates(1, spot));
  auto why = make_cloud_error(error_kind::capacity, "InsufficientInstanceCapacity", "none left");
  caf::anon_send(b.p, withdraw_creates{"us-east-1a", "m5.large", market_kind::on_demand, why});
  b.f.run();
  for (auto* log : {queued.get(), coalescing.get()}) {
    REQUIRE(log->answers.size() == (log == queued.get() ? 3u : 1u));
    for (auto& u : log->answers) {
      CHECK(u.error.kind == error_kind::capacity);
      CHECK(u.error.code == "InsufficientInstanceCapacity");
    }
  }
  b.f.advance(seconds(5));
  CHECK(first->answers.size() == 2);
  CHECK(other_zone->answers.size() == 4);
  CHECK(other_market->answers.size() == 1);
  for (auto* log : {first.get(), other_zone.get(), other_market.get()})
    for (auto& u : log->answers)
      CHECK_FALSE(u.error);
  CHECK(b.api->sizes(api_op::create) == std::vector<size_t>{2, 4, 1}); // none for the withdrawn
  CHECK(b.f.cloud->live_count() == 7);
  CHECK(b.stats().creates_withdrawn == 4);
}

TEST_CASE("provider: a withdrawal crosses to another node as a message of its own") {
  actor_fixture f;
  withdraw_creates w{"", "", market_kind::spot,
                     make_cloud_error(error_kind::quota, "VcpuLimitExceeded", "quota")};
  std::vector<char> buf;
  caf::binary_serializer sink{f.sys, buf};
  auto msg = caf::make_message(w);
  REQUIRE_FALSE(sink(msg));
  REQUIRE_FALSE(buf.empty()); // a type missing from the registry writes nothing
  caf::message back;
  caf::binary_deserializer source{f.sys, buf};
  REQUIRE_FALSE(source(back));
  REQUIRE(back.match_element<withdraw_creates>(0));
  auto& got = back.get_as<withdraw_creates>(0);
  CHECK(got.market == market_kind::spot);
  CHECK(got.error.code == "VcpuLimitExceeded");
  // Empty zone and type: every zone and type of the market.
  launch_spec s = spec_of("c5.large", "us-east-1c");
  s.market = market_kind::spot;
  CHECK(got.covers(s));
  s.market = market_kind::on_demand;
  CHECK_FALSE(got.covers(s));
}
