// plan_reconcile: adopt up to a request's count, terminate surplus and orphans, mark vanished
// only the records of a provider that answered, resolve open intents. assign_owners: instances
// without a styx:instance tag are known by the store's record of their cloud id or by their
// create call (client token and launch index), else get a fresh id. A provider answers only
// for what is its own: a node's cloud is never taken for another of the same cloud/region.

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

stored_request request(uint64_t n, int count, request_state state) {
  stored_request r;
  r.id = make_id<request_id>(n);
  r.count = count;
  r.state = state;
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

std::vector<std::string> ids(const std::vector<listed_instance>& xs) {
  std::vector<std::string> out;
  for (auto& x : xs)
    out.push_back(x.instance.cloud_id);
  return out;
}

/// The record of a slot not created yet: requested, no cloud id.
instance_record requested_slot(uint64_t inst, uint64_t req = 1) {
  auto r = record(inst, req, instance_state::requested);
  r.cloud_id.clear();
  return r;
}

/// `xs` as the listing of the records' provider (provider_id{}): it answered.
std::vector<provider_listing> answered(const std::vector<cloud_instance>& xs) {
  return {provider_listing{provider_id{}, xs}};
}

} // namespace

TEST_CASE("reconcile plan: the surplus of a request goes, unrecorded and newest first") {
  std::vector<stored_request> reqs{request(1, 2, request_state::done)};
  std::vector<instance_record> recs{record(10, 1, instance_state::running),
                                    record(11, 1, instance_state::running)};
  // 12 is unknown to the store (a retried create), 13 is known but the newest.
  std::vector<cloud_instance> cloud{live(10, 1, 100), live(11, 1, 200), live(12, 1, 50)};
  auto plan = plan_reconcile(reqs, recs, answered(cloud), true);
  CHECK(ids(plan.adopt) == std::vector<std::string>{"sim-10", "sim-11"});
  CHECK(ids(plan.terminate_surplus) == std::vector<std::string>{"sim-12"});
  CHECK(plan.terminate_orphans.empty());
  CHECK(plan.vanished.empty());
}

TEST_CASE("reconcile plan: instances of cancelled, rolled-back and unknown requests are orphans") {
  std::vector<stored_request> reqs{request(1, 5, request_state::cancelled),
                                   request(2, 5, request_state::rolled_back),
                                   request(3, 5, request_state::done)};
  std::vector<cloud_instance> cloud{live(10, 1, 1), live(11, 2, 1), live(12, 9, 1),
                                    live(13, 3, 1), live(14, 3, 1, instance_state::terminated)};
  auto plan = plan_reconcile(reqs, {}, answered(cloud), true);
  CHECK(ids(plan.terminate_orphans) == std::vector<std::string>{"sim-10", "sim-11", "sim-12"});
  CHECK(ids(plan.adopt) == std::vector<std::string>{"sim-13"});
  CHECK(plan.terminate_surplus.empty());
}

TEST_CASE("reconcile plan: a live record missing from a complete listing has vanished") {
  std::vector<stored_request> reqs{request(1, 3, request_state::submitted)};
  std::vector<instance_record> recs{record(10, 1, instance_state::running),
                                    record(11, 1, instance_state::pending),
                                    record(12, 1, instance_state::terminated),
                                    record(13, 1, instance_state::running)};
  // 13 is listed, but terminated: its record is stale too.
  std::vector<cloud_instance> cloud{live(10, 1, 1),
                                    live(13, 1, 1, instance_state::terminated)};
  auto complete = plan_reconcile(reqs, recs, answered(cloud), true);
  REQUIRE(complete.vanished.size() == 2);
  CHECK(complete.vanished[0].cloud_id == "sim-11");
  CHECK(complete.vanished[1].cloud_id == "sim-13");
  CHECK(complete.unfinished == std::vector<request_id>{make_id<request_id>(1)});
  auto partial = plan_reconcile(reqs, recs, {}, false);
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
  r.identified = 4;
  r.intents_resolved = 6;
  CHECK(r.to_json()
        == "{\"listed\":5,\"adopted\":3,\"identified\":4,\"terminated_surplus\":1,"
           "\"terminated_orphans\":1,\"vanished\":2,\"unfinished\":0,\"intents_resolved\":6,"
           "\"not_reached\":0,\"errors\":[\"sim/x: \\\"down\\\"\"]}");
}

namespace {

/// A live instance of request `req` that lacks its styx:instance tag.
cloud_instance untagged(const std::string& cloud_id, uint64_t req, unix_ms launched) {
  cloud_instance ci;
  ci.cloud_id = cloud_id;
  ci.state = instance_state::running;
  ci.launched_at = launched;
  ci.tags[ownership_tag::request] = make_id<request_id>(req).to_string();
  return ci;
}

stored_intent open_intent(const std::string& token, uint64_t req,
                          std::vector<uint64_t> slots) {
  stored_intent i;
  i.client_token = token;
  for (auto s : slots) {
    i.slots.push_back(make_id<instance_id>(s));
    i.requests.push_back(make_id<request_id>(req));
  }
  return i;
}

} // namespace

TEST_CASE("reconcile owners: an untagged instance is known by its record or its create call, "
          "else gets a fresh id") {
  // Record 10 knows cloud id "i-a". Intent t1 launched slots 20..22 of request 1 as one batch:
  // its instances carry t1 and their launch index. Slot 21's record holds "i-z" already, so an
  // instance claiming index 1 of t1 is a second copy (a create retried on a cloud that ignores
  // client tokens), and so is the second claimant of index 2.
  auto rec10 = record(10, 1, instance_state::pending);
  rec10.cloud_id = "i-a";
  auto rec21 = record(21, 1, instance_state::running);
  rec21.cloud_id = "i-z";
  auto rec22 = record(22, 1, instance_state::requested);
  rec22.cloud_id.clear();
  rec22.name = "web-22";
  std::vector<instance_record> recs{rec10, rec21, rec22};
  auto batch = [](const std::string& id, int index) {
    auto ci = untagged(id, 1, 2);
    ci.client_token = "t1";
    ci.launch_index = index;
    return ci;
  };
  std::vector<cloud_instance> cloud{untagged("i-a", 1, 1), live(20, 1, 1), batch("i-b", 2),
                                    batch("i-c", 1),        untagged("i-d", 2, 4),
                                    batch("i-e", 2)};
  std::vector<stored_intent> intents{open_intent("t1", 1, {20, 21, 22})};
  uint64_t next = 100;
  auto listings = answered(cloud);
  auto n = assign_owners(listings, recs, intents, [&] { return make_id<instance_id>(next++); });
  cloud = listings[0].instances;
  CHECK(n == 5);
  CHECK(cloud[0].owner_instance() == make_id<instance_id>(10));  // by its record
  CHECK(cloud[1].owner_instance() == make_id<instance_id>(20));  // tagged: untouched
  CHECK(cloud[2].owner_instance() == make_id<instance_id>(22));  // by (t1, 2)
  CHECK(cloud[2].tags.at(ownership_tag::name) == "web-22");
  CHECK(cloud[3].owner_instance() == make_id<instance_id>(100)); // slot 21 is i-z's
  CHECK(cloud[4].owner_instance() == make_id<instance_id>(101)); // no create explains it
  CHECK(cloud[5].owner_instance() == make_id<instance_id>(102)); // (t1, 2) claimed already
}

TEST_CASE("reconcile plan: an open intent is resolved, its slots that never reached the cloud "
          "fail, and what it created counts against the request") {
  std::vector<stored_request> reqs{request(1, 3, request_state::submitted)};
  std::vector<instance_record> recs{record(10, 1, instance_state::running), requested_slot(20),
                                    requested_slot(21), requested_slot(22)};
  // The intent's call launched slot 20 twice (moto ignores the token) and never launched 21
  // or 22; 20's first copy is tagged, the second was given a fresh id.
  auto second = live(99, 1, 9);
  std::vector<cloud_instance> cloud{live(10, 1, 1), live(20, 1, 5), second};
  std::vector<stored_intent> intents{open_intent("t1", 1, {20, 21, 22})};
  auto plan = plan_reconcile(reqs, recs, answered(cloud), true, intents);
  CHECK(ids(plan.adopt) == std::vector<std::string>{"sim-10", "sim-20", "sim-99"});
  CHECK(plan.terminate_surplus.empty()); // 3 live for a count of 3
  CHECK(plan.resolved_intents == std::vector<std::string>{"t1"});
  REQUIRE(plan.never_created.size() == 2);
  CHECK(plan.never_created[0].id == make_id<instance_id>(21));
  CHECK(plan.never_created[1].id == make_id<instance_id>(22));

  // One more copy is a surplus; the unrecorded newest goes.
  cloud.push_back(live(98, 1, 10));
  plan = plan_reconcile(reqs, recs, answered(cloud), true, intents);
  CHECK(ids(plan.terminate_surplus) == std::vector<std::string>{"sim-98"});

  auto partial = plan_reconcile(reqs, recs, {}, false, intents);
  CHECK(partial.resolved_intents.empty()); // a provider did not answer: the intent stays open
  CHECK(partial.never_created.empty());
}

TEST_CASE("reconcile plan: an unfinished request's requested records never reached the cloud") {
  std::vector<stored_request> reqs{request(1, 4, request_state::submitted),
                                   request(2, 2, request_state::done)};
  // 10 is live; 11 and 12 were cut off before any intent; 13 is on the cloud after all (its
  // record was not updated); 20 belongs to a finished request and is left alone.
  std::vector<instance_record> recs{record(10, 1, instance_state::running), requested_slot(11),
                                    requested_slot(12), requested_slot(13),
                                    requested_slot(20, 2)};
  std::vector<cloud_instance> cloud{live(10, 1, 1), live(13, 1, 2)};
  auto plan = plan_reconcile(reqs, recs, answered(cloud), true);
  REQUIRE(plan.never_created.size() == 2);
  CHECK(plan.never_created[0].id == make_id<instance_id>(11));
  CHECK(plan.never_created[1].id == make_id<instance_id>(12));
  CHECK(plan_reconcile(reqs, recs, {}, false).never_created.empty());
}

namespace {

const provider_id local_east{"sim", "us-east-1", ""};
const provider_id node_east{"sim", "us-east-1", "node-a"};
const provider_id node_b_east{"sim", "us-east-1", "node-b"};

instance_record record_on(const provider_id& p, uint64_t inst, uint64_t req) {
  auto r = record(inst, req, instance_state::running);
  r.provider = p;
  return r;
}

} // namespace

TEST_CASE("reconcile plan: only a record's own provider says it vanished and the others' "
          "records stay as they are") {
  std::vector<stored_request> reqs{request(1, 4, request_state::done)};
  // 10 and 11 on node A (not reachable), 12 on this engine's own sim (listed without it), 13 on
  // node B (listed). This engine's cloud happens to hold "sim-10" too: another instance.
  std::vector<instance_record> recs{record_on(node_east, 10, 1), record_on(node_east, 11, 1),
                                    record_on(local_east, 12, 1),
                                    record_on(node_b_east, 13, 1)};
  auto other = live(10, 1, 1);
  other.tags[ownership_tag::instance] = make_id<instance_id>(50).to_string();
  std::vector<provider_listing> listings{{local_east, {other}}, {node_b_east, {live(13, 1, 1)}}};
  auto plan = plan_reconcile(reqs, recs, listings, true);
  REQUIRE(plan.vanished.size() == 1);
  CHECK(plan.vanished[0].id == make_id<instance_id>(12));
  REQUIRE(plan.not_reached.size() == 2);
  CHECK(plan.not_reached[0].provider == node_east);
  CHECK(plan.not_reached[1].provider == node_east);
  // Known records first: 13, then the other sim-10, adopted where it was listed.
  CHECK(ids(plan.adopt) == std::vector<std::string>{"sim-13", "sim-10"});
  CHECK(plan.adopt[1].provider == local_east);
  CHECK(plan.adopt[1].instance.owner_instance() == make_id<instance_id>(50));
}

TEST_CASE("reconcile owners: a cloud id is matched to a record only on the record's provider") {
  std::vector<instance_record> recs{record_on(node_east, 10, 1)};
  auto copy = untagged("sim-10", 1, 1); // same cloud id, on this engine's own cloud
  std::vector<provider_listing> listings{{local_east, {copy}},
                                         {node_east, {untagged("sim-10", 1, 1)}}};
  uint64_t next = 100;
  CHECK(assign_owners(listings, recs, {}, [&] { return make_id<instance_id>(next++); }) == 2);
  CHECK(listings[0].instances[0].owner_instance() == make_id<instance_id>(100));
  CHECK(listings[1].instances[0].owner_instance() == make_id<instance_id>(10));
}

TEST_CASE("reconcile plan: an open intent on a provider that did not answer stays open and its "
          "slots are not failed") {
  std::vector<stored_request> reqs{request(1, 2, request_state::submitted)};
  std::vector<instance_record> recs{requested_slot(20), requested_slot(21), requested_slot(30)};
  auto on_node = open_intent("t-node", 1, {20, 21});
  on_node.provider = node_east;
  std::vector<provider_listing> listings{{local_east, {}}};
  auto plan = plan_reconcile(reqs, recs, listings, true, {on_node});
  CHECK(plan.resolved_intents.empty());
  CHECK(plan.never_created.empty()); // 30 too: node A may hold what nobody recorded
  // Once node A answers, the intent is resolved and what it never created fails.
  listings.push_back({node_east, {}});
  plan = plan_reconcile(reqs, recs, listings, true, {on_node});
  CHECK(plan.resolved_intents == std::vector<std::string>{"t-node"});
  CHECK(plan.never_created.size() == 3);
}
