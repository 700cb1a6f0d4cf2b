// The provider actor with a cloud whose calls finish later (GCP's zone operations): an
// accepted call whose work is under way is asked about again, as a call of its own through
// the describe bucket, until it is done; a change's instances are answered as their part
// settles; and one request bucket can serve every mutating class (GCP's mutation quota).

#include <catch2/catch.hpp>

#include "actors/call_queue.hpp"
#include "tests/actors/provider_bench.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// Creates and changes answer "under way" (api_reply::operations) `rounds` times before the
/// inner cloud makes them. With `split`, a change of several ids settles its first id at
/// once, fails its second, and the rest after the rounds. Thread rules and lifetimes: the
/// inner cloud's (the test coordinator's one thread; it holds the inner api).
class operations_api final : public cloud_api {
public:
  operations_api(cloud_api_ptr inner, int rounds, bool split = false)
    : inner_(std::move(inner)), rounds_(rounds), split_(split) {}

  const provider_id& id() const override { return inner_->id(); }
  size_t max_batch(api_op op) const override { return inner_->max_batch(op); }

  void start(api_call call, reply_handler done) override {
    bool mutation = call.op == api_op::create || call.op == api_op::stop
                    || call.op == api_op::start || call.op == api_op::terminate;
    if (!mutation) {
      inner_->start(std::move(call), std::move(done));
      return;
    }
    int asked = call.continues() ? std::stoi(call.operations.front()) : 0;
    if (split_ && !call.continues() && call.op != api_op::create && call.cloud_ids.size() > 2) {
      api_call first = call;
      first.cloud_ids = {call.cloud_ids[0]};
      auto failed = call.cloud_ids[1];
      inner_->start(first, [done, failed](api_reply r) {
        r.failed.push_back({failed, make_cloud_error(error_kind::capacity, "STOCKOUT", "none")});
        r.operations = {"1"}; // the rest is under way
        done(std::move(r));
      });
      return;
    }
    if (asked < rounds_) {
      api_reply r;
      r.operations = {std::to_string(asked + 1)};
      done(std::move(r));
      return;
    }
    call.operations.clear();
    inner_->start(std::move(call), std::move(done));
  }

private:
  cloud_api_ptr inner_;
  int rounds_;
  bool split_;
};

/// A provider on operations_api over the simulated cloud, in virtual time (one thread).
struct operations_bench {
  actor_fixture f;
  std::shared_ptr<recording_api> api;
  provider_actor p;
  uuid_generator ids{5};
  std::vector<caf::actor> clients;

  operations_bench(int rounds, bool split = false) {
    auto slow = std::make_shared<operations_api>(f.api(), rounds, split);
    api = std::make_shared<recording_api>(slow, f.clk);
    auto cfg = unpaced_config();
    cfg.limits.describe = bucket_config{1000, 1000};
    cfg.seed = 3;
    p = spawn_provider(f.sys, api, cfg);
  }

  ~operations_bench() {
    for (auto& c : clients)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    f.run();
  }

  template <class Msg>
  std::shared_ptr<client_log> send(std::vector<Msg> msgs) {
    auto log = std::make_shared<client_log>();
    clients.push_back(spawn_client(f.sys, p, std::move(msgs), log));
    f.run();
    return log;
  }

  std::vector<create_instance> creates(size_t n) {
    std::vector<create_instance> out(n);
    for (auto& c : out) {
      static_cast<uuid&>(c.id) = ids.next();
      c.spec = spec_of("m5.large");
    }
    return out;
  }

  provider_stats stats() {
    auto s = f.ask<provider_stats>(p, stats_atom::value);
    return s ? *s : provider_stats{};
  }
};

} // namespace

TEST_CASE("provider: a create whose work is under way is asked about again through the "
          "describe bucket until it is done") {
  operations_bench b{2};
  auto log = b.send(b.creates(3));
  b.f.advance(milliseconds(150));
  CHECK(log->answers.empty()); // accepted, not done
  b.f.advance(seconds(2));
  REQUIRE(log->answers.size() == 3);
  for (auto& u : log->answers)
    CHECK_FALSE(u.error);
  auto calls = b.api->of(api_op::create);
  REQUIRE(calls.size() == 3);
  CHECK_FALSE(calls[0].call.continues());
  CHECK(calls[1].call.continues());
  CHECK(calls[2].call.continues());
  for (auto& c : calls) {
    CHECK(c.call.slots.size() == 3);
    CHECK(c.call.client_token == calls[0].call.client_token);
  }
  // first_poll (100 ms), then doubling
  auto gap = [&](size_t i) {
    return std::chrono::duration_cast<milliseconds>(calls[i].at - calls[i - 1].at).count();
  };
  CHECK(gap(1) >= 100);
  CHECK(gap(2) >= 200);
  auto st = b.stats();
  REQUIRE(st.tokens_taken.size() == call_class_count);
  CHECK(st.tokens_taken[static_cast<size_t>(call_class::create)] == 1);
  CHECK(st.tokens_taken[static_cast<size_t>(call_class::describe)] >= 2);
  CHECK(st.instances_created == 3);
  CHECK(st.retries == 0);
}

TEST_CASE("provider: a change answers each instance as its part settles") {
  operations_bench b{1, true};
  auto created = b.send(b.creates(3));
  b.f.advance(seconds(2));
  REQUIRE(created->answers.size() == 3);
  std::vector<change_instance> stops;
  for (auto& u : created->answers)
    stops.push_back(change_instance{u.instance.owner_instance(), u.instance.cloud_id,
                                    change_op::stop});
  auto log = b.send(stops);
  b.f.advance(milliseconds(150)); // the change window (100 ms), then the call
  REQUIRE(log->answers.size() == 2); // the first changed, the second failed alone
  int failed = 0;
  for (auto& u : log->answers)
    failed += u.error.kind == error_kind::capacity ? 1 : 0;
  CHECK(failed == 1);
  b.f.advance(seconds(2));
  REQUIRE(log->answers.size() == 3);
  CHECK_FALSE(log->answers.back().error);
  auto stop_calls = b.api->of(api_op::stop);
  REQUIRE(stop_calls.size() >= 2);
  CHECK(stop_calls[1].call.continues());
  CHECK(stop_calls[1].call.cloud_ids == std::vector<std::string>{stops[2].cloud_id});
  CHECK_FALSE(stop_calls[0].call.client_token.empty()); // every mutation has its token
}

TEST_CASE("call queue: one request bucket can serve every mutating class") {
  auto limits = rate_limits::unlimited();
  limits.create = limits.mutate = bucket_config{1, 0.001};
  auto run = [&](bool shared) {
    call_queue q{limits, time_point{}, shared};
    outgoing create;
    create.call.op = api_op::create;
    create.call.slots.resize(1);
    outgoing stop;
    stop.call.op = api_op::stop;
    stop.call.cloud_ids = {"i-1"};
    q.push(std::move(create));
    q.push(std::move(stop));
    int sent = 0;
    q.release(time_point{}, [] { return true; }, [&](outgoing) { ++sent; });
    return sent;
  };
  CHECK(run(false) == 2);
  CHECK(run(true) == 1);
}
