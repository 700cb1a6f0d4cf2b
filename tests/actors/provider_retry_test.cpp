// The provider actor's retries (backoff, Retry-After, retry budget) and its polling.

#include <catch2/catch.hpp>

#include <set>

#include "tests/actors/provider_bench.hpp"

using namespace styx;
using namespace styx::test;

namespace {

cloud_error throttled(int64_t retry_after_ms = 0) {
  auto e = make_cloud_error(error_kind::throttled, "RequestLimitExceeded", "slow down");
  e.retry_after_ms = retry_after_ms;
  return e;
}

cloud_error transient() {
  return make_cloud_error(error_kind::transient, "InternalError", "oops");
}

} // namespace

TEST_CASE("provider: throttled creates are retried with the same client token") {
  provider_bench b;
  b.api->fault = fail_first(api_op::create, 2, throttled());
  auto log = b.send(b.creates(3, spec_of("m5.large")));
  b.f.advance(seconds(10));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 3);
  for (size_t i = 1; i < calls.size(); ++i) {
    CHECK(calls[i].at > calls[i - 1].at);
    CHECK(calls[i].call.client_token == calls[0].call.client_token);
    CHECK(calls[i].call.slots.size() == 3);
  }
  REQUIRE(log->answers.size() == 3);
  for (auto& u : log->answers)
    CHECK_FALSE(u.error);
  auto st = b.stats();
  CHECK(st.throttled == 2);
  CHECK(st.retries == 2);
  CHECK(st.failed_calls == 0);
  CHECK(b.f.cloud->live_count() == 3);
}

TEST_CASE("provider: a retry waits at least the server's Retry-After") {
  provider_bench b;
  b.api->fault = fail_first(api_op::create, 1, throttled(5000));
  auto log = b.send(b.creates(1, spec_of("m5.large")));
  b.f.advance(seconds(4));
  CHECK(b.api->of(api_op::create).size() == 1); // still waiting
  CHECK(log->answers.empty());
  b.f.advance(seconds(2));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 2);
  auto gap = b.ms(calls[1].at) - b.ms(calls[0].at);
  CHECK(gap >= 5000);
  CHECK(gap <= 5010);
  REQUIRE(log->answers.size() == 1);
  CHECK_FALSE(log->answers[0].error);
}

TEST_CASE("provider: transient errors are retried with growing, jittered backoff") {
  provider_bench b; // retry policy: base 200 ms, 6 attempts
  b.api->fault = fail_first(api_op::create, 3, transient());
  auto log = b.send(b.creates(1, spec_of("m5.large")));
  b.f.advance(seconds(10));
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 4);
  // Full jitter: retry k waits less than 200 ms * 2^(k-1).
  for (size_t k = 1; k < calls.size(); ++k)
    CHECK(b.ms(calls[k].at) - b.ms(calls[k - 1].at) < 200 * (1 << (k - 1)) + 5);
  REQUIRE(log->answers.size() == 1);
  CHECK_FALSE(log->answers[0].error);
  CHECK(b.stats().retries == 3);
}

TEST_CASE("provider: after max_attempts the error goes back to the caller") {
  provider_bench b;
  b.api->fault = fail_first(api_op::create, 100, transient());
  auto log = b.send(b.creates(2, spec_of("m5.large")));
  b.f.advance(seconds(60));
  CHECK(b.api->of(api_op::create).size() == 6);
  REQUIRE(log->answers.size() == 2);
  for (auto& u : log->answers) {
    CHECK(u.error.kind == error_kind::transient);
    CHECK(u.error.code == "InternalError");
  }
  auto st = b.stats();
  CHECK(st.retries == 5);
  CHECK(st.failed_calls == 1);
  CHECK(b.f.cloud->live_count() == 0);
}

TEST_CASE("provider: throttled attempts do not use up the attempts a failing call has") {
  provider_bench b; // 6 attempts for a failing call; 20 for a throttled one
  int seen = 0;     // throttled 4 times, then failing 5 times, then answered
  auto inner = fail_first(api_op::create, 100, transient());
  b.api->fault = [&seen, inner](const api_call& c) {
    if (c.op != api_op::create)
      return cloud_error{};
    ++seen;
    if (seen <= 4)
      return throttled();
    return seen <= 9 ? inner(c) : cloud_error{};
  };
  auto log = b.send(b.creates(1, spec_of("m5.large")));
  b.f.advance(seconds(120));
  CHECK(b.api->of(api_op::create).size() == 10);
  REQUIRE(log->answers.size() == 1);
  CHECK_FALSE(log->answers[0].error);
  auto st = b.stats();
  CHECK(st.throttled == 4);
  CHECK(st.retries == 9);
  CHECK(st.failed_calls == 0);
}

TEST_CASE("provider: capacity errors are not retried") {
  provider_bench b;
  b.api->fault = fail_first(api_op::create, 100,
                            make_cloud_error(error_kind::capacity, "InsufficientInstanceCapacity",
                                             "none left"));
  auto log = b.send(b.creates(4, spec_of("m5.large")));
  b.f.advance(seconds(10));
  CHECK(b.api->of(api_op::create).size() == 1);
  REQUIRE(log->answers.size() == 4);
  for (auto& u : log->answers)
    CHECK(u.error.kind == error_kind::capacity);
  auto st = b.stats();
  CHECK(st.retries == 0);
  CHECK(st.failed_calls == 1);
}

TEST_CASE("provider: the retry budget stops retries once spent") {
  auto cfg = unpaced_config();
  cfg.budget = retry_budget_config{10, 5, 10, 1}; // two retries' worth
  provider_bench b{cfg};
  b.api->fault = fail_first(api_op::create, 100, transient());
  std::vector<std::shared_ptr<client_log>> logs;
  for (auto type : {"t3.micro", "t3.small", "t3.medium", "m5.large"})
    logs.push_back(b.send(b.creates(1, spec_of(type))));
  b.f.advance(seconds(30));
  auto st = b.stats();
  CHECK(st.retries == 2);
  CHECK(st.budget_exhausted == 4);
  CHECK(st.failed_calls == 4);
  CHECK(b.api->of(api_op::create).size() == 6); // 4 calls and 2 retries
  for (auto& log : logs) {
    REQUIRE(log->answers.size() == 1);
    CHECK(log->answers[0].error.kind == error_kind::transient);
  }
}

TEST_CASE("provider: polling describes all pending instances in one call, soon then per interval") {
  auto sim = sim_config::unlimited();
  sim.pending_min = sim.pending_max = seconds(10);
  auto cfg = unpaced_config(); // poll every 2 s, sweep every 30 s
  cfg.first_poll = milliseconds(250); // the schedule below starts there
  provider_bench b{cfg, sim};
  auto log = b.send(b.creates(20, spec_of("m5.large")));
  b.f.advance(seconds(9));
  REQUIRE(log->answers.size() == 20);
  auto described = b.api->of(api_op::describe);
  // At ~0.25, 0.75 and 1.75 s (the first poll comes soon, then the delay doubles), then every
  // 2 s: 3.75, 5.75, 7.75; one call for all 20 each time, not 20.
  CHECK(described.size() == 6);
  for (auto& d : described)
    CHECK(d.call.cloud_ids.size() == 20);
  CHECK(log->unasked.empty()); // nothing changed yet
  b.f.advance(seconds(5));
  // Every creator heard that its instance runs, once.
  std::set<std::string> running;
  for (auto& u : log->unasked)
    if (u.instance.state == instance_state::running)
      running.insert(u.instance.cloud_id);
  CHECK(running.size() == 20);
  CHECK(log->unasked.size() == 20);
  // Running instances are not transitional: no polling until the sweep at 30 s.
  auto before = b.api->of(api_op::describe).size();
  b.f.advance(seconds(14)); // to ~28 s
  CHECK(b.api->of(api_op::describe).size() == before);
  b.f.advance(seconds(4)); // past 30 s
  auto after = b.api->of(api_op::describe);
  REQUIRE(after.size() == before + 1);
  CHECK(after.back().call.cloud_ids.size() == 20);
  CHECK(b.stats().watched == 20);
}

TEST_CASE("provider: polling reports a preempted instance at the sweep") {
  auto sim = sim_config::unlimited();
  provider_bench b{unpaced_config(), sim};
  auto spec = spec_of("m5.large");
  spec.market = market_kind::spot;
  auto log = b.send(b.creates(2, spec));
  b.f.advance(seconds(3));
  REQUIRE(log->answers.size() == 2);
  auto victim = log->answers[0].instance.cloud_id;
  REQUIRE(b.f.cloud->preempt(victim));
  b.f.advance(seconds(30));
  bool seen = false;
  for (auto& u : log->unasked)
    if (u.instance.cloud_id == victim && u.instance.state == instance_state::terminated) {
      seen = true;
      CHECK(u.instance.reason == state_reason::preempted);
    }
  CHECK(seen);
  CHECK(b.stats().watched == 1);
}
