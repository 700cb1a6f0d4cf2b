#pragma once
// The crash tests' invariants (tests/e2e/crash_test.cpp on the simulated cloud,
// tests/aws/crash_moto_test.cpp on moto), checked with Catch2 between the cloud's own view
// (not the engine's) and the store:
//   - every live cloud instance has a store record of it (same cloud id) in a live state,
//     and is that record's instance by its create call: it carries the record's id as its
//     styx:instance tag, or (an EC2 batch's) its client token and launch index are the
//     record's slot in the store's intents;
//   - every store record of a live instance is live on the cloud;
//   - no request has more live instances than its count (a request the store does not know
//     has none);
//   - after reconcile and resume, no record is left "requested".
// Header-only, for test binaries that link the runtime.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/store.hpp"

namespace styx::test {

/// One live instance as the cloud reports it: its id and its ownership tags' values.
struct cloud_live {
  std::string cloud_id;
  std::string request;   // styx:request
  std::string instance;  // styx:instance
  std::string client_token; // the create call's, where the cloud identifies by it
  int launch_index = -1;
};

/// Checks the invariants of the store at `db_path` against `live`; returns the live instances
/// per request id.
inline std::map<std::string, int> check_store_against(const std::string& db_path,
                                                      const std::vector<cloud_live>& live) {
  auto db = store::open(db_path);
  auto records = db->instances();
  std::map<std::string, stored_intent> intents;
  for (auto& i : db->intents())
    intents.emplace(i.client_token, i);
  std::map<std::string, instance_record> by_cloud_id;
  for (auto& r : records)
    if (!r.cloud_id.empty())
      by_cloud_id[r.cloud_id] = r;
  std::set<std::string> live_ids;
  std::map<std::string, int> live_per_request;
  for (auto& ci : live) {
    live_ids.insert(ci.cloud_id);
    ++live_per_request[ci.request];
    INFO("live cloud instance " << ci.cloud_id);
    auto i = by_cloud_id.find(ci.cloud_id);
    REQUIRE(i != by_cloud_id.end());
    CHECK(is_live(i->second.state));
    if (!ci.instance.empty()) {
      CHECK(ci.instance == i->second.id.to_string());
    } else if (auto k = intents.find(ci.client_token);
               k != intents.end() && ci.launch_index >= 0
               && static_cast<size_t>(ci.launch_index) < k->second.slots.size()) {
      // Its create call's slot, unless that slot is another instance's (a create retried on a
      // cloud that ignores client tokens launched it twice: this copy got its own id).
      auto slot = k->second.slots[static_cast<size_t>(ci.launch_index)];
      bool slot_taken = std::any_of(records.begin(), records.end(), [&](auto& r) {
        return r.id == slot && r.cloud_id != ci.cloud_id && !r.cloud_id.empty();
      });
      if (!slot_taken)
        CHECK(slot == i->second.id);
    }
  }
  for (auto& r : records) {
    if (!is_live(r.state))
      continue;
    INFO("store record of a live instance " << r.cloud_id << " " << to_string(r.state));
    CHECK(live_ids.count(r.cloud_id) == 1);
  }
  std::map<std::string, int> counts;
  for (auto& r : db->requests())
    counts[r.id.to_string()] = r.count;
  for (auto& [rid, n] : live_per_request) {
    INFO("request " << rid);
    REQUIRE(counts.count(rid) == 1);
    CHECK(n <= counts[rid]);
  }
  return live_per_request;
}

/// After reconcile and resume, with no engine running: no record is left "requested" (its
/// process is gone; `styx status` must not show it as on its way).
inline void check_nothing_requested(const std::string& db_path) {
  auto db = store::open(db_path);
  for (auto& r : db->instances()) {
    INFO("record " << r.id.to_string() << " of request " << r.request.to_string());
    CHECK(r.state != instance_state::requested);
  }
}

/// The ids of the requests the store at `db_path` holds as interrupted (for `up --resume`).
inline std::vector<std::string> interrupted_requests(const std::string& db_path) {
  std::vector<std::string> out;
  auto db = store::open(db_path);
  for (auto& r : db->requests())
    if (r.state == request_state::interrupted)
      out.push_back(r.id.to_string());
  return out;
}

/// After a chaos run (tests/aws/chaos_moto_test.cpp, tests/e2e/crash_test.cpp): every request
/// is done or resumed, every record is running, terminated, or failed with its reason, and a
/// done request has its count running. Returns the live instances the requests should have
/// left: `count` per request name (a resumed request and its remainder share the name).
inline int check_chaos_records(const std::string& db_path, int count) {
  auto db = store::open(db_path);
  std::set<std::string> names;
  for (auto& r : db->requests()) {
    INFO("request " << r.id.to_string() << " " << r.name << " " << to_string(r.state));
    CHECK((r.state == request_state::done || r.state == request_state::resumed));
    names.insert(r.name);
  }
  // A surplus copy (a create the cloud ran twice) gets a record of its own from reconcile,
  // which then ends it as asked.
  std::map<std::string, int> running;
  for (auto& rec : db->instances()) {
    INFO("record " << rec.id.to_string() << " " << to_string(rec.state) << " "
                   << rec.last_error);
    running[rec.request.to_string()] += rec.state == instance_state::running ? 1 : 0;
    if (rec.state == instance_state::failed)
      CHECK((rec.reason != state_reason::none || !rec.last_error.empty()));
    else
      CHECK((rec.state == instance_state::running || rec.state == instance_state::terminated));
  }
  for (auto& r : db->requests())
    if (r.state == request_state::done)
      CHECK(running[r.id.to_string()] == r.count);
  return static_cast<int>(names.size()) * count;
}

} // namespace styx::test
