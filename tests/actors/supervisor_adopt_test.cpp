// Adopting known records (the store's) without a cloud call: a second supervisor, as in a
// later `styx down`, takes over the first one's instances from their records alone.

#include <catch2/catch.hpp>

#include "tests/actors/supervisor_world.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("adopting records: live ones get actors, the rest is skipped, polling fixes stale") {
  world w;
  REQUIRE(w.f.ask<request_id>(w.sup, provision_request::make("job", resources{}).count(10)));
  w.f.advance(seconds(5));
  auto records = w.f.ask<std::vector<instance_record>>(w.sup, list_atom::value,
                                                       selector::everything());
  REQUIRE(records);
  REQUIRE(records->size() == 10);
  // Out of band, one instance is terminated: its record is stale.
  api_call end;
  end.op = api_op::terminate;
  end.cloud_ids = {records->front().cloud_id};
  REQUIRE_FALSE(w.f.cloud->handle("us-east-1", end).error);
  // A record that never reached the cloud is not adopted.
  auto never = records->back();
  static_cast<uuid&>(never.id) = uuid_generator{99}.next();
  never.state = instance_state::requested;
  never.cloud_id.clear();
  records->push_back(never);
  // A second supervisor on the same provider, as a new process would have.
  auto later = w.later_supervisor();
  auto adopted = w.f.ask<int>(later, adopt_atom::value, *records);
  REQUIRE(adopted);
  CHECK(*adopted == 10);
  auto again = w.f.ask<int>(later, adopt_atom::value, *records);
  REQUIRE(again);
  CHECK(*again == 0); // tracked already
  w.f.advance(seconds(40)); // the sweep finds the stale one
  auto seen = w.f.ask<std::vector<instance_record>>(later, list_atom::value,
                                                    selector::everything());
  REQUIRE(seen);
  int running = 0, ended = 0;
  for (auto& r : *seen) {
    running += r.state == instance_state::running ? 1 : 0;
    ended += is_final(r.state) ? 1 : 0;
  }
  CHECK(running == 9);
  CHECK(ended == 1);
  auto asked = w.f.ask<int>(later, change_op::terminate, selector::everything());
  REQUIRE(asked);
  CHECK(*asked == 9);
  w.f.advance(seconds(10));
  CHECK(w.f.cloud->live_count() == 0);
  caf::anon_send_exit(later, caf::exit_reason::user_shutdown);
}
