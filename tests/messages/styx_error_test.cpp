// The styx error category: codes survive a trip to another node, and an error renders as its
// words alone.

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "messages/registry.hpp"
#include "messages/styx_error.hpp"

using namespace styx;

namespace {

struct quiet_config : caf::actor_system_config {
  quiet_config() {
    styx::add_message_types(*this);
    set("scheduler.policy", caf::atom("testing"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

} // namespace

TEST_CASE("a styx error renders as its words and keeps its code across the wire") {
  quiet_config cfg;
  caf::actor_system sys{cfg};
  auto err = make_error(styx_error::exists_already, "request r-1 exists already");
  CHECK(styx_code(err) == styx_error::exists_already);
  CHECK(sys.render(err) == "request r-1 exists already");
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(err));
  caf::error back;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(back));
  CHECK(styx_code(back) == styx_error::exists_already);
  CHECK(sys.render(back) == "request r-1 exists already");
}

TEST_CASE("a styx error without words renders its code and other errors are not styx") {
  quiet_config cfg;
  caf::actor_system sys{cfg};
  CHECK(sys.render(caf::error{styx_error::cloud_refused}) == "cloud refused");
  CHECK(styx_code(caf::make_error(caf::sec::invalid_argument)) == styx_error::none);
  CHECK(styx_code(caf::error{}) == styx_error::none);
}

TEST_CASE("a CAF error renders in plain words with its context - not as a dump") {
  quiet_config cfg;
  caf::actor_system sys{cfg};
  auto err = caf::make_error(caf::sec::cannot_connect_to_node, "ip_connect failed", "127.0.0.1",
                             uint16_t{9});
  CHECK(sys.render(err) == "cannot connect to node (ip_connect failed, 127.0.0.1, 9)");
  CHECK(sys.render(caf::make_error(caf::sec::request_timeout)) == "request timeout");
}
