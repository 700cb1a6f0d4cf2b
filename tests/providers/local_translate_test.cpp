// The local cloud's translation (providers/local/local_api.hpp) against a scripted host: what
// each api_call asks of the host, and what each process fact becomes. No process is started.

#include <catch2/catch.hpp>

#include <algorithm>

#include "providers/local/local_api.hpp"
#include "providers/local/local_catalog.hpp"

using namespace styx;

namespace {

/// Records each request and answers it at once with `answer`.
/// Thread rules: the test's thread only. Lifetimes: outlives the local_api under test.
class scripted_host final : public process_host {
public:
  void submit(process_request req, process_handler done) override {
    asked.push_back(std::move(req));
    done(answer);
  }
  machine_size machine() const override { return {2, 8}; }

  std::vector<process_request> asked;
  process_reply answer;
};

api_reply run(local_api& api, api_call c) {
  api_reply out;
  bool called = false;
  api.start(std::move(c), [&](api_reply r) {
    out = std::move(r);
    called = true;
  });
  REQUIRE(called); // the scripted host answers at once
  return out;
}

instance_id an_id(const char* text) {
  instance_id id;
  static_cast<uuid&>(id) = *uuid::parse(text);
  return id;
}

process_fact fact(process_status status) {
  process_fact f;
  f.key = "proc-1";
  f.cpus = 1;
  f.memory_gib = 1;
  f.status = status;
  return f;
}

} // namespace

TEST_CASE("local translate: a create asks the host to spawn each slot with its environment") {
  scripted_host host;
  local_api api{provider_id{"local", "localhost"}, host};
  api_call c;
  c.op = api_op::create;
  c.spec.instance_type = "local-0.5c-2g";
  c.spec.tags = {{"team-x", "ml"}, {"styx:engine", "e1"}};
  c.slots = {create_slot{an_id("7d1b5c55-0000-4000-8000-000000000001"), {}, "w-0001"}};
  host.answer.facts = {fact(process_status::running)};
  host.answer.facts[0].labels = {{"styx:instance", "7d1b5c55-0000-4000-8000-000000000001"}};
  auto r = run(api, c);
  REQUIRE(host.asked.size() == 1);
  auto& req = host.asked[0];
  CHECK(req.op == process_op::spawn);
  CHECK(req.cpu_limit == 16); // 2 cores x 8
  CHECK(req.memory_limit_gib == 8);
  REQUIRE(req.launches.size() == 1);
  auto& l = req.launches[0];
  CHECK(l.key == "proc-7d1b5c55-0000-4000-8000-000000000001");
  CHECK(l.command == "sleep infinity");
  CHECK(l.cpus == 0.5);
  CHECK(l.memory_gib == 2);
  CHECK(l.labels.at("styx:instance") == "7d1b5c55-0000-4000-8000-000000000001");
  CHECK(l.labels.at("Name") == "w-0001");
  auto has = [&](const std::string& k, const std::string& v) {
    return std::find(l.env.begin(), l.env.end(), std::make_pair(k, v)) != l.env.end();
  };
  CHECK(has("STYX_INSTANCE_ID", "7d1b5c55-0000-4000-8000-000000000001"));
  CHECK(has("STYX_ENGINE_ID", "e1"));
  CHECK(has("STYX_TAG_TEAM_X", "ml"));
  REQUIRE(r.instances.size() == 1);
  CHECK(r.instances[0].state == instance_state::pending);
  CHECK(r.instances[0].instance_type == "local-1c-1g");
  CHECK(r.instances[0].zone == "localhost");

  host.answer = {};
  host.answer.failure = process_failure::no_room;
  host.answer.error = "1 process(es) need 0.5 vCPUs";
  auto full = run(api, c);
  CHECK(full.error.kind == error_kind::capacity);
  CHECK(full.error.code == "InsufficientLocalCapacity");

  c.spec.instance_type = "m5.large"; // not ours: refused before the host hears of it
  CHECK(run(api, c).error.kind == error_kind::invalid_request);
  c.spec.instance_type = "local-1c-1g";
  c.spec.market = market_kind::spot;
  CHECK(run(api, c).error.kind == error_kind::invalid_request);
  CHECK(host.asked.size() == 2);
}

TEST_CASE("local translate: process facts become instance states and reasons") {
  using s = instance_state;
  auto ended = fact(process_status::ended);
  ended.exit_known = true;
  ended.exit_code = 3;
  auto never_up = local_instance(ended, "localhost", false);
  CHECK(never_up.state == s::failed);
  CHECK(never_up.reason == state_reason::cloud_ended);
  CHECK(never_up.reason_code == "exit status 3");
  ended.seen_up = true;
  CHECK(local_instance(ended, "localhost", false).state == s::terminated);
  ended.exit_code = 0;
  ended.seen_up = false;
  CHECK(local_instance(ended, "localhost", false).state == s::terminated); // a success
  ended.exit_signal = 9;
  CHECK(local_instance(ended, "localhost", false).reason_code == "killed by signal 9");
  ended.wish = process_wish::end;
  auto asked = local_instance(ended, "localhost", false);
  CHECK(asked.state == s::terminated);
  CHECK(asked.reason == state_reason::none);
  auto unknown = fact(process_status::ended);
  unknown.note = "ended; pid 12 now belongs to another process";
  CHECK(local_instance(unknown, "localhost", false).reason_code == unknown.note);

  auto up = fact(process_status::running);
  CHECK(local_instance(up, "localhost", true).state == s::pending);
  CHECK(local_instance(up, "localhost", false).state == s::running);
  up.wish = process_wish::stop;
  CHECK(local_instance(up, "localhost", false).state == s::stopping);
  up.wish = process_wish::end;
  CHECK(local_instance(up, "localhost", false).state == s::terminating);

  auto t = fact(process_status::stopped);
  auto outside = local_instance(t, "localhost", false);
  CHECK(outside.state == s::stopped);
  CHECK(outside.reason == state_reason::user_initiated);
  t.wish = process_wish::resume;
  CHECK(local_instance(t, "localhost", false).state == s::starting);
}

TEST_CASE("local translate: the catalog is a ladder up to the machine whose smallest fit is "
          "cheapest") {
  auto cat = local_catalog(provider_id{"local", "localhost"}, local_size{16, 23.4567});
  REQUIRE_FALSE(cat.empty());
  for (auto& o : cat) {
    auto size = parse_local_type(o.instance_type);
    REQUIRE(size);
    CHECK(size->cpus == Approx(o.cpus));
    CHECK(size->memory_gib == Approx(o.memory_gib));
    CHECK(o.cpus <= 16);
    CHECK(o.memory_gib <= 23.4567);
    CHECK(o.zone == "localhost");
    CHECK(o.spot_price == 0);
  }
  auto want = resources{}.cpus(1).memory_gib(1);
  const offering* best = nullptr;
  for (auto& o : cat)
    if (o.fits(want) && (best == nullptr || o.on_demand_price < best->on_demand_price))
      best = &o;
  REQUIRE(best != nullptr);
  CHECK(best->instance_type == "local-1c-1g");
  CHECK_FALSE(parse_local_type("local-1c-1gx"));
  CHECK_FALSE(parse_local_type("local-0c-1g"));
  CHECK(std::none_of(cat.begin(), cat.end(),
                     [](const offering& o) { return o.fits(resources{}.cpus(17)); }));
}

TEST_CASE("local translate: a list keeps the facts whose labels match the filter") {
  scripted_host host;
  local_api api{provider_id{"local", "localhost"}, host};
  auto mine = fact(process_status::running);
  mine.labels = {{"styx:engine", "e1"}};
  auto other = fact(process_status::running);
  other.key = "proc-2";
  other.labels = {{"styx:engine", "e2"}};
  host.answer.facts = {mine, other};
  api_call c;
  c.op = api_op::list;
  c.filter = {{"styx:engine", "e1"}};
  auto r = run(api, c);
  REQUIRE(r.instances.size() == 1);
  CHECK(r.instances[0].cloud_id == "proc-1");
  CHECK(host.asked.at(0).op == process_op::list);
}
