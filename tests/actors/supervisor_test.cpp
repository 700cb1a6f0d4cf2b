#include <catch2/catch.hpp>

#include <caf/send.hpp>

#include "actors/provider.hpp"
#include "actors/supervisor.hpp"
#include "tests/actors/supervisor_world.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("a request of 10 on an unlimited cloud ends with 10 running") {
  world w;
  auto req = provision_request::make("job", resources{}.cpus(2).memory_gib(4)).count(10);
  auto id = w.f.ask<request_id>(w.sup, req);
  INFO(w.f.last_error);
  REQUIRE(id);
  w.f.advance(seconds(5));
  for (auto& c : w.log->changes)
    UNSCOPED_INFO(c.record.name << " " << to_string(c.from) << " -> " << to_string(c.record.state) << " " << c.record.last_error);
  for (auto& p : w.log->progress)
    UNSCOPED_INFO("progress " << p.requested << " " << p.pending << " " << p.running);
  auto st = w.f.ask<provider_stats>(w.providers[0], stats_atom::value);
  REQUIRE(st);
  UNSCOPED_INFO("calls " << st->api_calls << " watched " << st->watched << " created " << st->instances_created << " failed " << st->failed_calls);
  REQUIRE(w.log->done.size() == 1);
  CHECK(w.log->done[0].ok);
  CHECK(w.log->done[0].running == 10);
}
