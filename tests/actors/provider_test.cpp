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

TEST_CASE("a provider that fetches no catalog refuses it without a call") {
  actor_fixture f;
  provider_config cfg;
  cfg.fetch_catalog = false;
  auto p = spawn_provider(f.sys, f.api(), cfg);
  auto cat = f.ask<catalog>(p, catalog_atom::value);
  CHECK_FALSE(cat);
  CHECK(f.last_error.find("places no instances") != std::string::npos);
  auto stats = f.ask<provider_stats>(p, stats_atom::value);
  REQUIRE(stats);
  CHECK(stats->api_calls == 0u);
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
}
