#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/batcher.hpp"

using namespace styx;

namespace {

using int_batcher = batcher<std::string, int>;

std::vector<int> items_of(const int_batcher::call& c) {
  return c.items;
}

} // namespace

TEST_CASE("batcher: requests within the idle window come out as one call in arrival order") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), seconds(1), 1000}};
  for (int i = 1; i <= 5; ++i) {
    CHECK_FALSE(b.add("spec", i, clk.now()));
    clk.advance(milliseconds(10));
  }
  CHECK(b.size() == 5u);
  // The last item came 10 ms ago: the idle gap (35 ms) has not passed.
  CHECK(b.take_due(clk.now()).empty());
  REQUIRE(b.next_deadline());
  CHECK(*b.next_deadline() == clk.now() - milliseconds(10) + milliseconds(35));
  clk.advance(milliseconds(25));
  auto calls = b.take_due(clk.now());
  REQUIRE(calls.size() == 1u);
  CHECK(calls[0].key == "spec");
  CHECK(items_of(calls[0]) == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(b.empty());
  CHECK(b.size() == 0u);
  CHECK_FALSE(b.next_deadline());
}

TEST_CASE("batcher: a batch kept busy goes out max_wait after its first request") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), milliseconds(100), 1000}};
  auto first = clk.now();
  for (int i = 0; i < 20; ++i) { // one every 10 ms: never idle for 35 ms
    b.add("spec", i, clk.now());
    if (clk.now() >= first + milliseconds(100))
      break;
    CHECK(b.take_due(clk.now()).empty());
    clk.advance(milliseconds(10));
  }
  CHECK(*b.deadline("spec") == first + milliseconds(100));
  auto calls = b.take_due(first + milliseconds(100));
  REQUIRE(calls.size() == 1u);
  CHECK(calls[0].items.size() == 11u);
}

TEST_CASE("batcher: different keys are separate calls in key order with windows of their own") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), seconds(1), 1000}};
  b.add("m5.large", 1, clk.now());
  b.add("c5.large", 2, clk.now());
  clk.advance(milliseconds(20));
  b.add("m5.large", 3, clk.now());
  REQUIRE(b.deadline("c5.large"));
  CHECK(*b.deadline("c5.large") == clk.now() - milliseconds(20) + milliseconds(35));
  CHECK(*b.deadline("m5.large") == clk.now() + milliseconds(35));
  CHECK(*b.next_deadline() == *b.deadline("c5.large"));
  CHECK_FALSE(b.deadline("t3.micro"));

  clk.advance(milliseconds(15)); // c5's window is due, m5's is not
  auto calls = b.take_due(clk.now());
  REQUIRE(calls.size() == 1u);
  CHECK(calls[0].key == "c5.large");
  CHECK(items_of(calls[0]) == std::vector<int>{2});
  CHECK(b.size() == 2u);

  b.add("a1.large", 4, clk.now());
  clk.advance(milliseconds(35));
  calls = b.take_due(clk.now());
  REQUIRE(calls.size() == 2u);
  CHECK(calls[0].key == "a1.large");
  CHECK(calls[1].key == "m5.large");
  CHECK(items_of(calls[1]) == std::vector<int>{1, 3});
}

TEST_CASE("batcher: add reports a full batch and take hands it out before its deadline") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), seconds(1), 3}};
  CHECK_FALSE(b.add("spec", 1, clk.now()));
  CHECK_FALSE(b.add("spec", 2, clk.now()));
  CHECK_FALSE(b.add("other", 9, clk.now()));
  CHECK(b.add("spec", 3, clk.now()));
  auto calls = b.take("spec");
  REQUIRE(calls.size() == 1u);
  CHECK(items_of(calls[0]) == std::vector<int>{1, 2, 3});
  CHECK(b.size() == 1u); // "other" still waits
  CHECK(b.take("spec").empty());
  CHECK(b.take("unknown").empty());
}

TEST_CASE("batcher: calls carry at most max_per_call requests and keep the input order") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), seconds(1), 1000}, [](const std::string& key) {
                  return key == "small" ? size_t{3} : size_t{1000};
                }};
  for (int i = 0; i < 7; ++i)
    b.add("small", i, clk.now());
  for (int i = 0; i < 7; ++i)
    b.add("large", 100 + i, clk.now());
  auto calls = b.take_due(clk.now() + milliseconds(35));
  REQUIRE(calls.size() == 4u);
  CHECK(calls[0].key == "large");
  CHECK(items_of(calls[0]) == std::vector<int>{100, 101, 102, 103, 104, 105, 106});
  CHECK(calls[1].key == "small");
  CHECK(items_of(calls[1]) == std::vector<int>{0, 1, 2});
  CHECK(items_of(calls[2]) == std::vector<int>{3, 4, 5});
  CHECK(items_of(calls[3]) == std::vector<int>{6});
}

TEST_CASE("batcher: a max_per_call of zero still sends one request per call") {
  manual_clock clk;
  int_batcher b{window_policy{}, [](const std::string&) { return size_t{0}; }};
  b.add("spec", 1, clk.now());
  b.add("spec", 2, clk.now());
  auto calls = b.take("spec");
  REQUIRE(calls.size() == 2u);
  CHECK(items_of(calls[0]) == std::vector<int>{1});
  CHECK(items_of(calls[1]) == std::vector<int>{2});
}

TEST_CASE("batcher: take_if hands out the selected keys at once and leaves the others") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), seconds(1), 1000}, [](const std::string&) {
                  return size_t{2};
                }};
  for (int i = 1; i <= 3; ++i)
    b.add("zone-a", i, clk.now());
  b.add("zone-b", 10, clk.now());
  auto calls = b.take_if([](const std::string& key) { return key == "zone-a"; });
  REQUIRE(calls.size() == 2u); // split as any take is: at most 2 a call
  CHECK(items_of(calls[0]) == std::vector<int>{1, 2});
  CHECK(items_of(calls[1]) == std::vector<int>{3});
  CHECK(b.size() == 1u);
  CHECK(b.take_if([](const std::string&) { return false; }).empty());
  clk.advance(milliseconds(40));
  auto rest = b.take_due(clk.now());
  REQUIRE(rest.size() == 1u);
  CHECK(rest[0].key == "zone-b");
}

TEST_CASE("batcher: a key taken out starts a fresh window with its next request") {
  manual_clock clk;
  int_batcher b{window_policy{milliseconds(35), milliseconds(100), 1000}};
  b.add("spec", 1, clk.now());
  clk.advance(milliseconds(90));
  b.add("spec", 2, clk.now());
  CHECK(*b.deadline("spec") == clk.now() - milliseconds(90) + milliseconds(100));
  CHECK(b.take("spec").size() == 1u);
  clk.advance(milliseconds(50));
  b.add("spec", 3, clk.now());
  // Not the old window's max_wait: the new one opened now.
  CHECK(*b.deadline("spec") == clk.now() + milliseconds(35));
}

TEST_CASE("batcher: move-only requests are moved out and not copied") {
  manual_clock clk;
  batcher<int, std::unique_ptr<int>> b{window_policy{}, [](int) { return size_t{2}; }};
  for (int i = 0; i < 3; ++i)
    b.add(7, std::make_unique<int>(i), clk.now());
  auto calls = b.take(7);
  REQUIRE(calls.size() == 2u);
  REQUIRE(calls[0].items.size() == 2u);
  REQUIRE(calls[1].items.size() == 1u);
  CHECK(*calls[0].items[0] == 0);
  CHECK(*calls[0].items[1] == 1);
  CHECK(*calls[1].items[0] == 2);
  CHECK(calls[1].key == 7);
}
