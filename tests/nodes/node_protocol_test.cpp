// A remote peer that speaks outside a node's public protocol (actors/node_protocol.hpp and
// the provider_actor interface, actors/protocol.hpp): a `styx node` child process on
// loopback, reached from this test's own CAF system as a rogue engine would reach it. Every
// foreign message gets an error (or, for a type the node does not know, the connection),
// and nothing changes: no API call is made, no instance exists on the node's cloud, and the
// node still serves its public protocol afterwards.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/node_protocol.hpp"
#include "actors/registry.hpp"
#include "tests/nodes/node_process.hpp"

using namespace styx;
using styx::test::node_process;

namespace {

/// A type the node has never heard of.
struct rogue_payload {
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rogue_payload& x) {
  return f(caf::meta::type_name("rogue_payload"), x.text);
}

struct rogue_config : caf::actor_system_config {
  rogue_config() {
    add_actor_types(*this);
    add_node_types(*this);
    add_message_type<rogue_payload>("rogue_payload");
    load<caf::io::middleman>();
  }
};

/// True when `request` ends in an error (not an answer) within 15 s.
template <class Request>
bool refused(caf::actor_system& sys, Request&& request) {
  bool got_error = false, answered = false;
  std::forward<Request>(request).receive(
    [&](caf::error& e) {
      got_error = true;
      UNSCOPED_INFO("refused with: " << sys.render(e));
    },
    [&](caf::message&) { answered = true; });
  return got_error && !answered;
}

node_providers providers_of(caf::scoped_actor& self, const node_actor& node) {
  node_providers out;
  self->request(node, std::chrono::seconds(10), providers_atom::value)
    .receive([&](node_providers& xs) { out = std::move(xs); },
             [&](caf::error& e) { FAIL("providers: " << self->system().render(e)); });
  return out;
}

provider_stats stats_of(caf::scoped_actor& self, const provider_actor& p) {
  provider_stats out;
  self->request(p, std::chrono::seconds(10), stats_atom::value)
    .receive([&](provider_stats& s) { out = std::move(s); },
             [&](caf::error& e) { FAIL("stats: " << self->system().render(e)); });
  return out;
}

} // namespace

TEST_CASE("node protocol: messages outside the public protocol get an error and change nothing",
          "[node]") {
  auto state = (std::filesystem::temp_directory_path()
                / ("styx-node-rogue-" + std::to_string(::getpid())))
                 .string();
  std::filesystem::remove_all(state);
  node_process n{{"--listen", "127.0.0.1:0", "--insecure", "--region", "us-east-1",
                  "--sim-profile", "fast", "--state-dir", state}};
  rogue_config cfg;
  caf::actor_system sys{cfg};
  auto node = sys.middleman().remote_actor<node_actor>("127.0.0.1", n.port());
  REQUIRE(node);
  caf::scoped_actor self{sys};
  auto providers = providers_of(self, *node);
  REQUIRE(providers.size() == 1);
  auto provider = providers.front().handle;
  auto before = stats_of(self, provider);
  const auto t = std::chrono::seconds(15);

  auto node_any = caf::actor_cast<caf::actor>(*node);
  auto provider_any = caf::actor_cast<caf::actor>(provider);
  // Known types, not in the interface of the actor they are sent to.
  CHECK(refused(sys, self->request(node_any, t, std::string("hello"))));
  CHECK(refused(sys, self->request(node_any, t, tick_atom::value)));
  CHECK(refused(sys, self->request(node_any, t, stats_atom::value)));
  CHECK(refused(sys, self->request(provider_any, t, instance_update{})));
  CHECK(refused(sys, self->request(provider_any, t, timeout_atom::value, uint64_t{7})));
  CHECK(refused(sys, self->request(provider_any, t, providers_atom::value)));
  CHECK(refused(sys, self->request(provider_any, t, give_up_atom::value,
                                   state_reason::none, std::string("rogue"))));
  // The provider still answers, and nothing reached its cloud.
  auto after = stats_of(self, provider);
  CHECK(after.api_calls == before.api_calls);
  CHECK(after.tokens_taken == before.tokens_taken);

  // A type the node cannot read: an error, or the connection; the node lives on either way.
  CHECK(refused(sys, self->request(node_any, t, rogue_payload{"boom"})));

  // A fresh peer is served its providers as before.
  {
    rogue_config cfg2;
    caf::actor_system sys2{cfg2};
    auto again = sys2.middleman().remote_actor<node_actor>("127.0.0.1", n.port());
    REQUIRE(again);
    caf::scoped_actor self2{sys2};
    CHECK(providers_of(self2, *again).size() == 1);
  }
  n.terminate();
  CHECK(n.status() == 0);
  CHECK(test::saved_live_instances(state).empty()); // the cloud's own saved view
  std::filesystem::remove_all(state);
}
