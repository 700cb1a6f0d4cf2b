#include <catch2/catch.hpp>

#include <vector>

#include "actors/call_queue.hpp"

using namespace styx;

namespace {

outgoing create_call(size_t instances, int attempt = 1) {
  outgoing o;
  o.call.op = api_op::create;
  o.call.client_token = "token";
  o.attempt = attempt;
  for (size_t i = 0; i < instances; ++i) {
    instance_id id;
    id.lo = i + 1;
    o.call.slots.push_back(create_slot{id, {}, "n" + std::to_string(i)});
    o.waiters.push_back(waiter{o.call.slots.back().id, {}, nullptr, {}});
  }
  return o;
}

/// A queue with unlimited buckets except the ones a test sets, and what it let out.
struct queue_fixture {
  manual_clock clk;
  time_point t0 = clk.now();
  rate_limits limits = rate_limits::unlimited();
  std::vector<outgoing> sent;

  std::optional<time_point> release(call_queue& q, time_point now, bool room = true) {
    return q.release(now, [room] { return room; }, [this](outgoing o) {
      sent.push_back(std::move(o));
    });
  }
};

} // namespace

TEST_CASE_METHOD(queue_fixture, "call queue: the request bucket paces calls of its class") {
  limits.create = bucket_config{1, 1}; // one call now, then one per second
  call_queue q{limits, t0};
  q.push(create_call(1));
  q.push(create_call(1));
  auto next = release(q, t0);
  CHECK(sent.size() == 1u);
  REQUIRE(next);
  CHECK(*next == t0 + seconds(1));
  CHECK_FALSE(release(q, t0 + seconds(1)));
  CHECK(sent.size() == 2u);
}

TEST_CASE_METHOD(queue_fixture, "call queue: a first attempt is split to what the bucket allows") {
  limits.create_instances = bucket_config{3, 2};
  call_queue q{limits, t0};
  auto o = create_call(5);
  auto first_ids = std::vector<instance_id>{o.waiters[0].id, o.waiters[1].id, o.waiters[2].id};
  q.push(std::move(o));
  auto next = release(q, t0);
  REQUIRE(sent.size() == 1u);
  REQUIRE(sent[0].call.slots.size() == 3u);
  REQUIRE(sent[0].waiters.size() == 3u);
  for (size_t i = 0; i < 3; ++i)
    CHECK(sent[0].waiters[i].id == first_ids[i]);
  CHECK(sent[0].call.client_token.empty()); // each part gets a token of its own when sent
  // The rest (2) waits for a second's refill (2 instances), then goes whole.
  REQUIRE(next);
  CHECK(*next == t0 + seconds(1));
  release(q, t0 + seconds(1));
  REQUIRE(sent.size() == 2u);
  CHECK(sent[1].call.slots.size() == 2u);
  CHECK(sent[1].waiters.size() == 2u);
  CHECK(sent[1].call.client_token.empty());
}

TEST_CASE_METHOD(queue_fixture, "call queue: a due retry goes first in its class") {
  call_queue q{limits, t0};
  q.push(create_call(3));
  auto retry = create_call(4, 2);
  retry.ready_at = t0;
  q.retry_later(std::move(retry));
  CHECK_FALSE(q.release_retries(t0));
  CHECK_FALSE(release(q, t0));
  REQUIRE(sent.size() == 2u);
  CHECK(sent[0].attempt == 2);
  CHECK(sent[0].call.slots.size() == 4u);
  CHECK(sent[1].attempt == 1);
}

TEST_CASE_METHOD(queue_fixture, "call queue: a retry is never split and waits for all its tokens") {
  limits.create_instances = bucket_config{5, 1};
  call_queue q{limits, t0};
  q.push(create_call(3));
  release(q, t0); // 2 instances left in the bucket
  auto retry = create_call(4, 2);
  retry.ready_at = t0 + milliseconds(500);
  q.retry_later(std::move(retry));
  auto due = q.release_retries(t0);
  REQUIRE(due);
  CHECK(*due == t0 + milliseconds(500));
  CHECK_FALSE(q.release_retries(t0 + milliseconds(500)));
  auto next = release(q, t0 + milliseconds(500));
  CHECK(sent.size() == 1u); // 2.5 instances there: a first attempt would go in part
  REQUIRE(next);
  CHECK(*next == t0 + seconds(2));
  release(q, t0 + seconds(2));
  REQUIRE(sent.size() == 2u);
  CHECK(sent[1].call.slots.size() == 4u);
}

TEST_CASE_METHOD(queue_fixture, "call queue: a full in-flight window holds every class back") {
  call_queue q{limits, t0};
  q.push(create_call(1));
  outgoing describe;
  describe.call.op = api_op::describe;
  describe.call.cloud_ids = {"i-1"};
  q.push(std::move(describe));
  CHECK_FALSE(release(q, t0, false));
  CHECK(sent.empty());
  release(q, t0);
  REQUIRE(sent.size() == 2u);
  CHECK(sent[0].call.op == api_op::create);
  CHECK(sent[1].call.op == api_op::describe);
}

TEST_CASE_METHOD(queue_fixture, "call queue: a throttled class waits for its request bucket") {
  limits.create = bucket_config{5, 2};
  call_queue q{limits, t0};
  q.throttled(api_op::create, t0);
  q.push(create_call(1));
  auto next = release(q, t0);
  CHECK(sent.empty());
  REQUIRE(next);
  CHECK(*next == t0 + milliseconds(500));
}

TEST_CASE_METHOD(queue_fixture, "call queue: a bucket smaller than its refill per second still "
                                "lets a first attempt go") {
  limits.create_instances = bucket_config{5, 10}; // a second's refill would overflow it
  call_queue q{limits, t0};
  q.push(create_call(30));
  auto next = release(q, t0);
  REQUIRE(sent.size() == 1u); // a full bucket's worth goes now
  CHECK(sent[0].call.slots.size() == 5u);
  REQUIRE(next); // and the rest is due when the bucket is full again
  CHECK(*next == t0 + milliseconds(500));
}

TEST_CASE_METHOD(queue_fixture, "call queue: a withdrawal takes out only calls that never went out") {
  limits.create = bucket_config{1, 1}; // the first call goes, the rest wait
  call_queue q{limits, t0};
  auto fresh = [](size_t n, std::string zone) {
    auto o = create_call(n);
    o.call.client_token.clear(); // as the provider queues a first attempt: no token yet
    o.call.spec.zone = std::move(zone);
    return o;
  };
  q.push(fresh(1, "us-east-1a"));    // goes out now
  q.push(fresh(2, "us-east-1a"));    // waits: withdrawn
  q.push(fresh(3, "us-east-1b"));    // waits: another zone
  auto sent_once = create_call(4, 2); // a retry, token kept: it may have made instances
  sent_once.call.spec.zone = "us-east-1a";
  q.push(std::move(sent_once));
  release(q, t0);
  REQUIRE(sent.size() == 1u);
  auto in_a = [](const outgoing& o) { return o.call.spec.zone == "us-east-1a"; };
  auto out = q.withdraw(call_class::create, in_a);
  REQUIRE(out.size() == 1u);
  CHECK(out[0].call.slots.size() == 2u);
  CHECK(q.waiting_instances(call_class::create) == 7u); // 3 of zone b, the retry's 4
  CHECK(q.withdraw(call_class::create, in_a).empty());
  CHECK(q.withdraw(call_class::terminate, [](const outgoing&) { return true; }).empty());
}
