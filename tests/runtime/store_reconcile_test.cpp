// plan_reconcile: adopt up to a request's count, terminate surplus and orphans, mark vanished
// records only after a complete listing.

#include <catch2/catch.hpp>

#include "runtime/reconcile.hpp"

using namespace styx;

namespace {

template <class Id>
Id make_id(uint64_t n) {
  Id id;
  id.hi = 7;
  id.lo = n;
  return id;
}

cloud_instance live(uint64_t inst, uint64_t req, unix_ms launched,
                    instance_state st = instance_state::running) {
  cloud_instance ci;
  ci.cloud_id = "sim-" + std::to_string(inst);
  ci.state = st;
  ci.launched_at = launched;
  ci.tags[ownership_tag::instance] = make_id<instance_id>(inst).to_string();
  ci.tags[ownership_tag::request] = make_id<request_id>(req).to_string();
  return ci;
}

stored_request request(uint64_t n, int count, std::string state) {
  stored_request r;
  r.id = make_id<request_id>(n);
  r.count = count;
  r.state = std::move(state);
  return r;
}

instance_record record(uint64_t inst, uint64_t req, instance_state st) {
  instance_record r;
  r.id = make_id<instance_id>(inst);
  r.request = make_id<request_id>(req);
  r.cloud_id = "sim-" + std::to_string(inst);
  r.state = st;
  return r;
}

std::vector<std::string> ids(const std::vector<cloud_instance>& xs) {
  std::vector<std::string> out;
  for (auto& x : xs)
    out.push_back(x.cloud_id);
  return out;
}

} // namespace

TEST_CASE("reconcile plan: the surplus of a request goes, unrecorded and newest first") {
  std::vector<stored_request> reqs{request(1, 2, "done")};
  std::vector<instance_record> recs{record(10, 1, instance_state::running),
                                    record(11, 1, instance_state::running)};
  // 12 is unknown to the store (a retried create), 13 is known but the newest.
  std::vector<cloud_instance> cloud{live(10, 1, 100), live(11, 1, 200), live(12, 1, 50)};
  auto plan = plan_reconcile(reqs, recs, cloud, true);
  CHECK(ids(plan.adopt) == std::vector<std::string>{"sim-10", "sim-11"});
  CHECK(ids(plan.terminate_surplus) == std::vector<std::string>{"sim-12"});
  CHECK(plan.terminate_orphans.empty());
  CHECK(plan.vanished.empty());
}

TEST_CASE("reconcile plan: instances of cancelled, rolled-back and unknown requests are orphans") {
  std::vector<stored_request> reqs{request(1, 5, "cancelled"), request(2, 5, "rolled_back"),
                                   request(3, 5, "done")};
  std::vector<cloud_instance> cloud{live(10, 1, 1), live(11, 2, 1), live(12, 9, 1),
                                    live(13, 3, 1), live(14, 3, 1, instance_state::terminated)};
  auto plan = plan_reconcile(reqs, {}, cloud, true);
  CHECK(ids(plan.terminate_orphans) == std::vector<std::string>{"sim-10", "sim-11", "sim-12"});
  CHECK(ids(plan.adopt) == std::vector<std::string>{"sim-13"});
  CHECK(plan.terminate_surplus.empty());
}

TEST_CASE("reconcile plan: a live record missing from a complete listing has vanished") {
  std::vector<stored_request> reqs{request(1, 3, "submitted")};
  std::vector<instance_record> recs{record(10, 1, instance_state::running),
                                    record(11, 1, instance_state::pending),
                                    record(12, 1, instance_state::terminated),
                                    record(13, 1, instance_state::running)};
  // 13 is listed, but terminated: its record is stale too.
  std::vector<cloud_instance> cloud{live(10, 1, 1),
                                    live(13, 1, 1, instance_state::terminated)};
  auto complete = plan_reconcile(reqs, recs, cloud, true);
  REQUIRE(complete.vanished.size() == 2);
  CHECK(complete.vanished[0].cloud_id == "sim-11");
  CHECK(complete.vanished[1].cloud_id == "sim-13");
  CHECK(complete.unfinished == std::vector<request_id>{make_id<request_id>(1)});
  auto partial = plan_reconcile(reqs, recs, cloud, false);
  CHECK(partial.vanished.empty()); // a provider did not answer: nothing is decided
}

TEST_CASE("reconcile report: JSON with every count") {
  reconcile_report r;
  r.listed = 5;
  r.adopted = 3;
  r.terminated_surplus = 1;
  r.terminated_orphans = 1;
  r.vanished = 2;
  r.errors.push_back("sim/x: \"down\"");
  CHECK(r.to_json()
        == "{\"listed\":5,\"adopted\":3,\"terminated_surplus\":1,\"terminated_orphans\":1,"
           "\"vanished\":2,\"unfinished\":0,\"errors\":[\"sim/x: \\\"down\\\"\"]}");
}
