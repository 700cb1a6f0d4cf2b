#include <catch2/catch.hpp>

#include "runtime/listing_policy.hpp"

using namespace styx;

namespace {

stored_intent intent(const std::string& token, const std::string& outcome) {
  stored_intent i;
  i.client_token = token;
  i.outcome = outcome;
  return i;
}

instance_record record(const std::string& cloud_id) {
  instance_record r;
  r.cloud_id = cloud_id;
  return r;
}

} // namespace

TEST_CASE("listing policy: an empty store needs no listing") {
  CHECK_FALSE(why_list({}, {}));
}

TEST_CASE("listing policy: answered creates whose instances all have records need none") {
  std::vector<stored_intent> intents{intent("t1", R"({"error":"","created":["i-1","i-2"]})"),
                                     intent("t2", R"({"resolved":"reconcile"})")};
  CHECK_FALSE(why_list(intents, {record("i-1"), record("i-2")}));
}

TEST_CASE("listing policy: what the store may lack needs the listing") {
  std::vector<instance_record> records{record("i-1")};
  SECTION("an intent a crash left open") {
    auto why = why_list({intent("t1", "")}, records);
    REQUIRE(why);
    CHECK(why->find("never answered") != std::string::npos);
  }
  SECTION("a create that failed (it may have created instances)") {
    CHECK(why_list({intent("t1", R"({"error":"timeout","created":[]})")}, records));
  }
  SECTION("a created instance without a record") {
    auto why = why_list({intent("t1", R"({"error":"","created":["i-1","i-2"]})")}, records);
    REQUIRE(why);
    CHECK(why->find("i-2") != std::string::npos);
  }
  SECTION("an outcome that does not parse") {
    CHECK(why_list({intent("t1", "{not json")}, records));
  }
  SECTION("an end only inferred: its provider was lost mid-create") {
    auto lost = record("");
    lost.name = "job-0001";
    lost.state = instance_state::failed;
    lost.reason = state_reason::provider_lost;
    auto why = why_list({}, {lost});
    REQUIRE(why);
    CHECK(why->find("job-0001") != std::string::npos);
    lost.reason = state_reason::create_failed; // the cloud said so: nothing to look for
    CHECK_FALSE(why_list({}, {lost}));
  }
}
