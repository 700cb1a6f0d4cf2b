// The supervisor when a provider goes down (its node died or was cut off) and when it returns:
// in-flight instances are replaced elsewhere, kept ones are followed again on the new handle,
// vanished ones are marked, and an instance the cloud holds but nobody wants any more is ended.

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>

#include "tests/actors/cloud_doubles.hpp"
#include "tests/actors/supervisor_world.hpp"

using namespace styx;
using namespace styx::test;

namespace {

world two_regions() {
  return world{sim_config::unlimited(), {"us-east-1", "us-west-2"}, {},
               placement_policy::least_loaded};
}

std::vector<instance_record> records(world& w) {
  auto all = w.f.ask<std::vector<instance_record>>(w.sup, list_atom::value,
                                                   selector::everything());
  REQUIRE(all);
  return *all;
}

/// The provider of us-west-2 goes down.
void lose_west(world& w) {
  caf::anon_send_exit(w.providers[1], caf::exit_reason::kill);
  w.f.run();
}

/// A fresh provider actor for us-west-2 joins, as after a node's restart.
void return_west(world& w) {
  auto api = w.f.api("us-west-2");
  w.providers.push_back(spawn_provider(w.f.sys, api, provider_config{}));
  caf::anon_send(w.sup, provider_atom::value, w.providers.back(), api->id());
  w.f.advance(seconds(2));
}

int count_in(const std::vector<instance_record>& rs, instance_state s, const std::string& region) {
  return static_cast<int>(std::count_if(rs.begin(), rs.end(), [&](const instance_record& r) {
    return r.state == s && r.provider.region == region;
  }));
}

} // namespace

TEST_CASE("a lost provider's in-flight instances are replaced on the others") {
  auto w = two_regions();
  auto id = w.f.ask<request_id>(w.sup, provision_request::make("job", resources{}).count(20));
  REQUIRE(id);
  lose_west(w); // its creates are still in the coalescing window
  w.f.advance(seconds(5));
  REQUIRE(w.log->done.size() == 1);
  auto& done = w.log->done.front();
  CHECK(done.ok);
  CHECK(done.running == 20);
  CHECK(done.failed == 0); // replaced, not failures of the request
  auto rs = records(w);
  CHECK(rs.size() == 30);
  CHECK(count_in(rs, instance_state::running, "us-east-1") == 20);
  CHECK(count_in(rs, instance_state::failed, "us-west-2") == 10);
  for (auto& r : rs)
    if (r.state == instance_state::failed)
      CHECK(r.last_error.find("sim/us-west-2 lost") != std::string::npos);
}

TEST_CASE("a provider id that is registered already is refused") {
  auto w = two_regions();
  auto api = w.f.api("us-east-1");
  auto again = spawn_provider(w.f.sys, api, provider_config{});
  auto ok = w.f.ask<bool>(w.sup, provider_atom::value, again, api->id());
  CHECK_FALSE(ok);
  // A styx error renders as its words alone: one line, no CAF error dump.
  CHECK(w.f.last_error == "provider sim/us-east-1 is registered already");
  caf::anon_send_exit(again, caf::exit_reason::user_shutdown);
}

TEST_CASE("a returning provider: kept instances followed again, a vanished one marked") {
  auto w = two_regions();
  REQUIRE(w.f.ask<request_id>(w.sup, provision_request::make("job", resources{}).count(20)));
  w.f.advance(seconds(5));
  REQUIRE(w.log->done.size() == 1);
  lose_west(w);
  auto rs = records(w);
  REQUIRE(count_in(rs, instance_state::running, "us-west-2") == 10); // last known state kept
  // While the provider is away, the cloud loses one of them.
  auto gone = std::find_if(rs.begin(), rs.end(), [](const instance_record& r) {
    return r.provider.region == "us-west-2";
  });
  api_call end;
  end.op = api_op::terminate;
  end.cloud_ids = {gone->cloud_id};
  REQUIRE_FALSE(w.f.cloud->handle("us-west-2", end).error);
  w.f.advance(seconds(2)); // shutting-down, then terminated
  return_west(w);
  REQUIRE(w.log->returned.size() == 1);
  auto& back = w.log->returned.front();
  CHECK(back.provider.region == "us-west-2");
  CHECK(back.error.empty());
  CHECK(back.rewatched == 9);
  CHECK(back.vanished == 1);
  CHECK(back.terminated == 0);
  rs = records(w);
  CHECK(count_in(rs, instance_state::running, "us-west-2") == 9);
  CHECK(count_in(rs, instance_state::terminated, "us-west-2") == 1); // vanished
  // The instances followed again answer to the new provider actor: terminate them all.
  auto asked = w.f.ask<int>(w.sup, change_op::terminate, selector::everything());
  REQUIRE(asked);
  w.f.advance(seconds(10));
  for (auto& r : records(w))
    CHECK(is_final(r.state));
  CHECK(w.f.cloud->live_count() == 0);
}

TEST_CASE("a returning provider: an instance replaced while it was away is terminated") {
  auto w = two_regions();
  REQUIRE(w.f.ask<request_id>(w.sup, provision_request::make("job", resources{}).count(20)));
  lose_west(w);
  w.f.advance(seconds(5));
  REQUIRE(w.log->done.size() == 1);
  CHECK(w.log->done.front().running == 20);
  // One create reached the cloud before the provider went down (its answer never came).
  auto rs = records(w);
  auto lost = std::find_if(rs.begin(), rs.end(), [](const instance_record& r) {
    return r.state == instance_state::failed;
  });
  REQUIRE(lost != rs.end());
  api_call create;
  create.op = api_op::create;
  create.spec.instance_type = "m5.large";
  create.spec.zone = "us-west-2a";
  create.spec.tags = {{ownership_tag::engine, "test-engine"},
                      {ownership_tag::request, lost->request.to_string()}};
  create.slots = {create_slot{lost->id, lost->request, lost->name}};
  auto made = w.f.cloud->handle("us-west-2", create);
  REQUIRE_FALSE(made.error);
  REQUIRE(w.f.cloud->live_count() == 21);
  return_west(w);
  REQUIRE(w.log->returned.size() == 1);
  auto& back = w.log->returned.front();
  CHECK(back.terminated == 1);
  CHECK(back.adopted == 0);
  CHECK(back.rewatched == 0);
  w.f.advance(seconds(10));
  CHECK(w.f.cloud->live_count() == 20); // the request's 20, not one more
  rs = records(w);
  CHECK(count_in(rs, instance_state::running, "us-east-1") == 20);
  CHECK(count_in(rs, instance_state::terminated, "us-west-2") == 1);
  for (auto& r : rs) // its end says why: the request had its count without it
    if (r.state == instance_state::terminated) {
      CHECK(r.reason == state_reason::surplus);
      CHECK(r.last_error.find("came back") != std::string::npos);
    }
}

TEST_CASE("adopt counts a provider that goes down before it answers as answered") {
  auto w = two_regions();
  // A third provider whose cloud never answers: its listing is on the wire when its node is
  // cut off, and CAF 0.17 never answers such a request.
  auto held = std::make_shared<recording_api>(w.f.api("eu-west-1"), w.f.clk);
  held->hold = true;
  auto mute = spawn_provider(w.f.sys, held, provider_config{});
  caf::anon_send(w.sup, provider_atom::value, mute, held->id());
  w.f.run();
  auto answer = std::make_shared<std::optional<int>>();
  auto sup = w.sup;
  w.f.sys.spawn(
    [=](caf::event_based_actor* self, std::shared_ptr<std::optional<int>> out) {
      self->request(sup, caf::infinite, adopt_atom::value)
        .then([=](int n) { *out = n; }, [=](caf::error&) { *out = -1; });
    },
    answer);
  w.f.advance(seconds(5));
  CHECK_FALSE(*answer); // still waiting for the held listing
  caf::anon_send_exit(mute, caf::exit_reason::kill);
  w.f.run();
  REQUIRE(*answer);
  CHECK(**answer == 0); // the two others answered, with nothing new to adopt
}
