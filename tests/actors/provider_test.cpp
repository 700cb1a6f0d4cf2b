#include <catch2/catch.hpp>

#include "actors/provider.hpp"
#include "tests/actors/actor_fixture.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("a provider answers its catalog from the cloud") {
  actor_fixture f;
  auto p = spawn_provider(f.sys, f.api(), provider_config{});
  auto cat = f.ask<catalog>(p, catalog_atom::value);
  INFO(f.last_error);
  REQUIRE(cat);
  CHECK(cat->size() > 10);
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
}
