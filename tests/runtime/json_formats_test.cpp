// The runtime's JSON formats as nlohmann-json writes them (common/json.hpp): the local
// cloud's registry, the store's tag and outcome columns, the reconcile report and the bench
// report. Each reads back with simdjson (the readers the engine uses), hard strings included.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>

#include <simdjson.h>

#include "runtime/bench.hpp"
#include "runtime/local_registry.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/store_sql.hpp"

using namespace styx;

namespace {

const std::string hard = std::string("say \"hi\"\\ \n\t") + '\x03' + "\xc3\xa9\xe2\x82\xac";

simdjson::dom::element parsed(simdjson::dom::parser& p, const std::string& text) {
  simdjson::dom::element e;
  REQUIRE(p.parse(text).get(e) == simdjson::SUCCESS);
  return e;
}

} // namespace

TEST_CASE("local registry: commands and labels with hard strings round-trip") {
  registry_entry e;
  e.fact.key = "k1";
  e.fact.pid = 4242;
  e.fact.pgid = 4242;
  e.fact.start_time = 123456789012ULL;
  e.fact.command = "echo " + hard;
  e.fact.labels = {{"l\"1", hard}, {"plain", "v"}};
  e.fact.cpus = 0.25;
  e.fact.memory_gib = 1.5;
  e.fact.note = hard;
  e.ended_at = 77;
  auto text = encode_registry({e, e});
  CHECK(text.find("},\n{\"key\"") != std::string::npos); // one process a line, as before
  std::vector<registry_entry> back;
  std::string error;
  REQUIRE(decode_registry(text, &back, &error));
  REQUIRE(back.size() == 2);
  CHECK(back[0].fact.command == e.fact.command);
  CHECK(back[0].fact.labels == e.fact.labels);
  CHECK(back[0].fact.note == hard);
  CHECK(back[0].fact.cpus == 0.25);
  CHECK(back[0].fact.memory_gib == 1.5);
  CHECK(back[0].fact.start_time == 123456789012ULL);
  CHECK(back[1].ended_at == 77);
  CHECK(encode_registry(back) == text);
}

TEST_CASE("local registry: a command that is not UTF-8 is saved - with U+FFFD") {
  registry_entry e;
  e.fact.key = "k";
  e.fact.command = std::string("run ") + '\xff';
  std::vector<registry_entry> back;
  std::string error;
  REQUIRE(decode_registry(encode_registry({e}), &back, &error));
  CHECK(back.at(0).fact.command == "run \xef\xbf\xbd");
}

TEST_CASE("store columns: tags and outcomes read back - invalid UTF-8 replaced") {
  tag_map tags{{"a\"b", hard}, {"bad", std::string("x") + '\xc3'}};
  auto back = parse_tags_json(tags_json(tags));
  CHECK(back.at("a\"b") == hard);
  CHECK(back.at("bad") == "x\xef\xbf\xbd"); // was dropped whole before: simdjson refused it
  CHECK(tags_json({}) == "{}");
  cloud_instance c;
  c.cloud_id = "i-\"1";
  CHECK(outcome_json({c}, cloud_error{}) == R"({"error":"","created":["i-\"1"]})");
}

TEST_CASE("reconcile report JSON keeps its fields and quotes its errors") {
  reconcile_report r;
  r.listed = 3;
  r.adopted = 1;
  r.errors = {"aws/us-east-1: \"denied\"\n"};
  CHECK(r.to_json()
        == R"({"listed":3,"adopted":1,"identified":0,"terminated_surplus":0,)"
           R"("terminated_orphans":0,"vanished":0,"unfinished":0,"intents_resolved":0,)"
           R"("not_reached":0,"errors":["aws/us-east-1: \"denied\"\n"]})");
}

TEST_CASE("bench report JSON: every field - exact numbers - no NaN text") {
  bench_result r;
  r.options.count = 100;
  r.plan = "100 on 1 provider (\"sim/us-east-1\")";
  r.seconds_to_running = 1.25;
  r.p99 = 1.0 / 3.0;
  r.achieved_over_limit = std::numeric_limits<double>::quiet_NaN(); // a 0/0 run
  r.shares.push_back({"sim/us-east-1", 100, 0.096});
  bench_sample s;
  s.t = 0.5;
  s.running = 10;
  r.timeline.push_back(s);
  r.ideal.push_back({0.5, 20});
  std::ostringstream out;
  write_json(out, r);
  auto text = out.str();
  REQUIRE(text.back() == '\n');
  simdjson::dom::parser p;
  auto e = parsed(p, text); // "nan" was written before: not JSON
  CHECK(int64_t(e["count"]) == 100);
  CHECK(std::string_view(e["plan"]) == r.plan);
  CHECK(double(e["seconds_to_running"]) == 1.25);
  CHECK(double(e["p99"]) == 1.0 / 3.0); // all the digits, not 6
  CHECK(e["achieved_over_limit"].is_null());
  CHECK(std::string_view(e["shares"].at(0)["provider"]) == "sim/us-east-1");
  CHECK(int64_t(e["timeline"].at(0)["running"]) == 10);
  CHECK(double(e["ideal"].at(0)["created"]) == 20);
  CHECK(text.rfind("{\"count\":100,\"requests\":0,\"shape\":", 0) == 0); // the old order
}
