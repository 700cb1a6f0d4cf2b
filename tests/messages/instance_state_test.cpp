#include <catch2/catch.hpp>

#include <string>

#include "messages/instance_state.hpp"

using namespace styx;

TEST_CASE("instance_state names round-trip") {
  for (int i = 0; i < instance_state_count; ++i) {
    auto s = static_cast<instance_state>(i);
    auto parsed = parse_instance_state(to_string(s));
    REQUIRE(parsed);
    CHECK(*parsed == s);
  }
  CHECK_FALSE(parse_instance_state("bogus"));
}

TEST_CASE("the lifecycle's legal moves are allowed") {
  using s = instance_state;
  const std::pair<s, s> legal[] = {
    {s::requested, s::pending},   {s::requested, s::failed},   {s::pending, s::running},
    {s::running, s::stopping},    {s::stopping, s::stopped},   {s::stopped, s::starting},
    {s::starting, s::running},    {s::running, s::terminating}, {s::terminating, s::terminated},
    {s::stopped, s::terminating}, {s::running, s::terminated}, // preemption, seen by polling
  };
  for (auto [from, to] : legal) {
    INFO(to_string(from) << " -> " << to_string(to));
    CHECK(is_legal_transition(from, to));
  }
}

TEST_CASE("every illegal move is refused") {
  using s = instance_state;
  // Final states never move; nothing goes back to requested; no self-loops.
  for (int i = 0; i < instance_state_count; ++i) {
    auto from = static_cast<s>(i);
    CHECK_FALSE(is_legal_transition(from, from));
    CHECK_FALSE(is_legal_transition(from, s::requested));
    for (int j = 0; j < instance_state_count; ++j) {
      if (is_final(from))
        CHECK_FALSE(is_legal_transition(from, static_cast<s>(j)));
    }
  }
  CHECK_FALSE(is_legal_transition(s::requested, s::running));
  CHECK_FALSE(is_legal_transition(s::stopped, s::running));
  CHECK_FALSE(is_legal_transition(s::running, s::starting));
  CHECK_FALSE(is_legal_transition(s::terminating, s::running));
  CHECK_FALSE(is_legal_transition(s::running, s::failed));
  CHECK_FALSE(is_legal_transition(s::stopped, s::stopping));
}

TEST_CASE("final, live and transitional states") {
  using s = instance_state;
  CHECK(is_final(s::terminated));
  CHECK(is_final(s::failed));
  for (auto x : {s::requested, s::pending, s::running, s::stopping, s::stopped, s::starting,
                 s::terminating})
    CHECK_FALSE(is_final(x));

  CHECK_FALSE(is_live(s::requested));
  CHECK_FALSE(is_live(s::terminated));
  CHECK_FALSE(is_live(s::failed));
  for (auto x : {s::pending, s::running, s::stopping, s::stopped, s::starting, s::terminating})
    CHECK(is_live(x));

  for (auto x : {s::pending, s::stopping, s::starting, s::terminating})
    CHECK(is_transitional(x));
  for (auto x : {s::requested, s::running, s::stopped, s::terminated, s::failed})
    CHECK_FALSE(is_transitional(x));
}

TEST_CASE("instance_state names are the lower-case words") {
  using s = instance_state;
  CHECK(std::string(to_string(s::requested)) == "requested");
  CHECK(std::string(to_string(s::terminating)) == "terminating");
  CHECK(std::string(to_string(s::failed)) == "failed");
  CHECK_FALSE(parse_instance_state(""));
  CHECK_FALSE(parse_instance_state("Running"));
  CHECK_FALSE(parse_instance_state("running "));
}

TEST_CASE("every live state can be terminated, and every state can end") {
  using s = instance_state;
  for (int i = 0; i < instance_state_count; ++i) {
    auto from = static_cast<s>(i);
    INFO(to_string(from));
    if (is_live(from) && from != s::terminating)
      CHECK(is_legal_transition(from, s::terminating));
    if (is_live(from))
      CHECK(is_legal_transition(from, s::terminated));
  }
  // Only states that never made it to a running instance may fail.
  for (int i = 0; i < instance_state_count; ++i) {
    auto from = static_cast<s>(i);
    INFO(to_string(from));
    CHECK(is_legal_transition(from, s::failed) == (from == s::requested || from == s::pending));
  }
}
