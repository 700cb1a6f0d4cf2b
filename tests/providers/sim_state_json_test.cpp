// The simulated cloud's state file as nlohmann-json writes it (providers/sim/sim_state_file.cpp):
// the layout of one instance a line is kept, hard strings round-trip, and bytes that are not
// UTF-8 are saved as U+FFFD rather than failing the save.

#include <catch2/catch.hpp>

#include "providers/sim/sim_state_file.hpp"

using namespace styx;

namespace {

sim_snapshot snapshot_with(const std::string& tag_value) {
  sim_snapshot s;
  s.saved_wall_ms = 1700000000123;
  s.rng = "1 2 3";
  for (int i = 0; i < 2; ++i) {
    sim_saved_instance x;
    x.region = "us-east-1";
    x.info.cloud_id = "i-" + std::to_string(i);
    x.info.zone = "us-east-1a";
    x.info.instance_type = "m5.large";
    x.info.launched_at = 42;
    x.info.tags["k\"ey"] = tag_value;
    if (i == 1)
      x.deadline_ns = 5000;
    s.instances.push_back(x);
  }
  s.client_tokens.push_back({"tok\\en", {"i-0", "i-1"}});
  return s;
}

} // namespace

TEST_CASE("sim state: strings with quotes - backslashes - controls and UTF-8 round-trip") {
  std::string hard = std::string("q\"b\\n\nt\t") + '\x02' + "\xc3\xa9\xe2\x82\xac";
  auto text = encode_sim_snapshot(snapshot_with(hard));
  sim_snapshot back;
  std::string error;
  REQUIRE(decode_sim_snapshot(text, &back, &error));
  REQUIRE(back.instances.size() == 2);
  CHECK(back.instances[0].info.tags.at("k\"ey") == hard);
  CHECK(back.instances[1].deadline_ns == std::optional<int64_t>(5000));
  CHECK_FALSE(back.instances[0].deadline_ns);
  CHECK(back.client_tokens.at(0).first == "tok\\en");
  CHECK(back.saved_wall_ms == 1700000000123);
  CHECK(encode_sim_snapshot(back) == text); // what decodes encodes to the same text
  // The layout: the header, then one instance a line.
  CHECK(text.rfind("{\"version\":1,\"saved_wall_ms\":1700000000123,\"rng\":\"1 2 3\","
                   "\"instances\":[\n{\"id\":\"i-0\",",
                   0)
        == 0);
  CHECK(text.find(",\n{\"id\":\"i-1\",") != std::string::npos);
  CHECK(text.substr(text.size() - 3) == "]}\n");
}

TEST_CASE("sim state: bytes that are not UTF-8 are saved as U+FFFD and read back") {
  std::string bad = std::string("x") + '\xff' + '\xfe' + "y";
  auto text = encode_sim_snapshot(snapshot_with(bad));
  sim_snapshot back;
  std::string error;
  REQUIRE(decode_sim_snapshot(text, &back, &error));
  CHECK(back.instances[0].info.tags.at("k\"ey") == "x\xef\xbf\xbd\xef\xbf\xbdy");
  CHECK(encode_sim_snapshot(back) == text);
}
