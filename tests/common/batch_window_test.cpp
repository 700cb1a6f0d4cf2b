#include <catch2/catch.hpp>

#include "common/batch_window.hpp"

using namespace styx;

namespace {

window_policy policy(duration idle, duration max_wait, size_t max_items) {
  window_policy result;
  result.idle = idle;
  result.max_wait = max_wait;
  result.max_items = max_items;
  return result;
}

} // namespace

TEST_CASE("batch window defaults are Karpenter's") {
  window_policy p;
  CHECK(p.idle == milliseconds(35));
  CHECK(p.max_wait == seconds(1));
  CHECK(p.max_items == 1000u);
}

TEST_CASE("an empty batch window is never ready") {
  manual_clock clk;
  batch_window w;
  CHECK(w.empty());
  CHECK(w.size() == 0u);
  CHECK_FALSE(w.full());
  CHECK_FALSE(w.ready(clk.now()));
  CHECK_FALSE(w.ready(clk.now() + seconds(3600)));
  w.add(clk.now(), 0); // adding nothing opens nothing
  CHECK(w.empty());
  CHECK_FALSE(w.ready(clk.now() + seconds(3600)));
}

TEST_CASE("batch window is due an idle gap after its last item") {
  manual_clock clk;
  batch_window w{policy(milliseconds(35), seconds(1), 1000)};
  auto t0 = clk.now();
  w.add(t0);
  CHECK(w.size() == 1u);
  CHECK(w.deadline() == t0 + milliseconds(35));
  CHECK_FALSE(w.ready(t0 + milliseconds(34)));
  CHECK(w.ready(t0 + milliseconds(35)));
  // Each add moves the idle deadline.
  w.add(t0 + milliseconds(20), 3);
  CHECK(w.size() == 4u);
  CHECK(w.deadline() == t0 + milliseconds(55));
  CHECK_FALSE(w.ready(t0 + milliseconds(54)));
  CHECK(w.ready(t0 + milliseconds(55)));
}

TEST_CASE("batch window is due max_wait after its first item, however busy") {
  manual_clock clk;
  batch_window w{policy(milliseconds(35), seconds(1), 1000)};
  auto t0 = clk.now();
  auto t = t0;
  for (int i = 0; i < 40; ++i) { // one item every 30 ms: never idle for 35 ms
    w.add(t);
    if (t + milliseconds(35) < t0 + seconds(1))
      REQUIRE(w.deadline() == t + milliseconds(35));
    else
      REQUIRE(w.deadline() == t0 + seconds(1));
    t += milliseconds(30);
  }
  CHECK(w.deadline() == t0 + seconds(1));
  CHECK_FALSE(w.ready(t0 + milliseconds(999)));
  CHECK(w.ready(t0 + seconds(1)));
}

TEST_CASE("batch window is ready at once when full") {
  manual_clock clk;
  batch_window w{policy(milliseconds(35), seconds(1), 10)};
  auto t0 = clk.now();
  w.add(t0, 9);
  CHECK_FALSE(w.full());
  CHECK_FALSE(w.ready(t0));
  w.add(t0);
  CHECK(w.full());
  CHECK(w.ready(t0));
  w.add(t0, 5); // past full is still full
  CHECK(w.full());
  CHECK(w.size() == 15u);
}

TEST_CASE("taking a whole batch closes the window, and the next item opens a new one") {
  manual_clock clk;
  batch_window w{policy(milliseconds(35), seconds(1), 100)};
  auto t0 = clk.now();
  w.add(t0, 7);
  REQUIRE(w.ready(t0 + seconds(1)));
  w.take(7);
  CHECK(w.empty());
  CHECK_FALSE(w.ready(t0 + seconds(10)));
  // The next window's max_wait counts from its own first item, not the old one's.
  auto t1 = t0 + seconds(5);
  for (int i = 0; i < 10; ++i)
    w.add(t1 + milliseconds(30 * i));
  CHECK(w.deadline() == t1 + milliseconds(270 + 35));
  CHECK_FALSE(w.ready(t1 + milliseconds(300)));
  w.take(1000); // more than there: empties
  CHECK(w.empty());
  CHECK(w.size() == 0u);
}

TEST_CASE("items left behind by a capped batch are due at once") {
  manual_clock clk;
  batch_window w{policy(milliseconds(35), seconds(1), 10)};
  auto t0 = clk.now();
  w.add(t0, 25);
  REQUIRE(w.ready(t0));
  w.take(10);
  CHECK(w.size() == 15u);
  CHECK(w.full());
  w.take(10);
  CHECK(w.size() == 5u);
  CHECK_FALSE(w.full());
  // Not full, no time passed, and still ready: they already waited.
  CHECK(w.ready(t0));
  CHECK(w.deadline() <= t0);
  // More items arriving later do not push the leftovers back.
  w.add(t0 + milliseconds(10), 2);
  CHECK(w.size() == 7u);
  CHECK(w.ready(t0 + milliseconds(10)));
  w.take(7);
  CHECK(w.empty());
  CHECK_FALSE(w.ready(t0 + seconds(60)));
}
