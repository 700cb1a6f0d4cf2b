#include <catch2/catch.hpp>

#include <string>

#include "messages/request_state.hpp"

using namespace styx;

TEST_CASE("request_state names round-trip, as the store's column holds them") {
  for (int i = 0; i < request_state_count; ++i) {
    auto s = static_cast<request_state>(i);
    auto parsed = parse_request_state(to_string(s));
    REQUIRE(parsed);
    CHECK(*parsed == s);
  }
  // The text older state dirs hold.
  CHECK(std::string(to_string(request_state::rolled_back)) == "rolled_back");
  CHECK(parse_request_state("interrupted") == request_state::interrupted);
  CHECK_FALSE(parse_request_state("bogus"));
  CHECK_FALSE(parse_request_state(""));
}

TEST_CASE("cancelled and rolled-back requests are dead") {
  CHECK(is_dead(request_state::cancelled));
  CHECK(is_dead(request_state::rolled_back));
  CHECK_FALSE(is_dead(request_state::submitted));
  CHECK_FALSE(is_dead(request_state::interrupted));
  CHECK_FALSE(is_dead(request_state::done));
}
