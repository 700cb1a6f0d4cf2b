#include "runtime/store_sql.hpp"

#include "common/json.hpp"
#include "messages/transition.hpp"

#include <sqlite3.h>
#include <simdjson.h>

#include <cstdio>
#include <cstring>

namespace styx {

// -- sqlite -----------------------------------------------------------------------------

namespace {

/// sqlite's message, and for an I/O failure what the system said ("disk I/O error (No space
/// left on device)"): the cause a user can act on.
std::string failure_of(sqlite3* db, const char* msg = nullptr) {
  std::string text = msg ? msg : sqlite3_errmsg(db);
  int code = sqlite3_errcode(db) & 0xff;
  if (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN
      || code == SQLITE_READONLY)
    if (int sys = sqlite3_system_errno(db); sys != 0)
      text += std::string{" ("} + std::strerror(sys) + ")";
  return text;
}

} // namespace

void sql_exec(sqlite3* db, const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = failure_of(db, msg);
    sqlite3_free(msg);
    throw store_error(text);
  }
}

statement::statement(sqlite3* db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
    throw store_error(failure_of(db));
}

statement::~statement() {
  sqlite3_finalize(st_);
}

statement& statement::bind(int i, const std::string& x) {
  sqlite3_bind_text(st_, i, x.data(), static_cast<int>(x.size()), SQLITE_TRANSIENT);
  return *this;
}

statement& statement::bind(int i, int64_t x) {
  sqlite3_bind_int64(st_, i, x);
  return *this;
}

statement& statement::bind_blob(int i, const std::vector<char>& x) {
  sqlite3_bind_blob(st_, i, x.data(), static_cast<int>(x.size()), SQLITE_TRANSIENT);
  return *this;
}

statement& statement::bind_null(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  throw store_error(failure_of(db_));
}

void statement::run() {
  while (step()) {
  }
}

int statement::int_col(int i) {
  return sqlite3_column_int(st_, i);
}

int64_t statement::int64_col(int i) {
  return sqlite3_column_int64(st_, i);
}

std::string statement::text_col(int i) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, i))) : std::string{};
}

std::vector<char> statement::blob_col(int i) {
  auto* p = static_cast<const char*>(sqlite3_column_blob(st_, i));
  auto n = static_cast<size_t>(sqlite3_column_bytes(st_, i));
  return p ? std::vector<char>(p, p + n) : std::vector<char>{};
}

// -- json -------------------------------------------------------------------------------


std::string tags_json(const tag_map& tags) {
  return json_text(json_object(tags));
}

tag_map parse_tags_json(const std::string& json) {
  tag_map out;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json).get(obj))
    return out;
  for (auto field : obj) {
    std::string_view v;
    if (!field.value.get_string().get(v))
      out.emplace(std::string(field.key), std::string(v));
  }
  return out;
}

std::string request_done_json(const request_done& d) {
  json failures = json::array();
  for (auto& f : d.failures)
    failures.push_back(
      {{"instance", f.instance.to_string()}, {"provider", f.provider}, {"reason", f.reason}});
  return json_text(json{{"ok", d.ok},
                        {"rolled_back", d.rolled_back},
                        {"count", d.count},
                        {"running", d.running},
                        {"failed", d.failed},
                        {"error", d.error},
                        {"failures", std::move(failures)}});
}

std::string outcome_json(const std::vector<cloud_instance>& created, const cloud_error& error) {
  json ids = json::array();
  for (auto& c : created)
    ids.push_back(c.cloud_id);
  return json_text(json{{"error", error ? error.to_string() : ""}, {"created", std::move(ids)}});
}

// -- rows -------------------------------------------------------------------------------

namespace {

std::string_view text_arg(sqlite3_value* v) {
  auto p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view{p, static_cast<size_t>(sqlite3_value_bytes(v))} : std::string_view{};
}

void may_follow_sql(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto from = parse_instance_state(text_arg(argv[0]));
  auto from_why = parse_state_reason(text_arg(argv[1]));
  auto to = parse_instance_state(text_arg(argv[2]));
  auto to_why = parse_state_reason(text_arg(argv[3]));
  // A row this build cannot read (a newer build's state) is not guarded.
  bool ok = !from || !from_why || !to || !to_why || may_follow(*from, *from_why, *to, *to_why);
  sqlite3_result_int(ctx, ok ? 1 : 0);
}

} // namespace

void register_store_functions(sqlite3* db) {
  if (sqlite3_create_function_v2(db, "styx_may_follow", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 nullptr, may_follow_sql, nullptr, nullptr, nullptr)
      != SQLITE_OK)
    throw store_error(sqlite3_errmsg(db));
}

bool write_instance(sqlite3* db, const instance_record& r) {
  statement st{db, "INSERT INTO instances (id, request, name, provider, region, zone,"
                   " cloud_id, type, market, state, tags, since, last_error, reason,"
                   " node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                   " ON CONFLICT(id) DO UPDATE SET request = excluded.request,"
                   " name = excluded.name, provider = excluded.provider,"
                   " region = excluded.region, zone = excluded.zone,"
                   " cloud_id = excluded.cloud_id, type = excluded.type,"
                   " market = excluded.market, state = excluded.state, tags = excluded.tags,"
                   " since = excluded.since, last_error = excluded.last_error,"
                   " reason = excluded.reason, node = excluded.node"
                   " WHERE styx_may_follow(instances.state, instances.reason, excluded.state,"
                   " excluded.reason)"};
  st.bind(1, r.id.to_string()).bind(2, r.request.to_string()).bind(3, r.name)
    .bind(4, r.provider.cloud).bind(5, r.provider.region).bind(6, r.zone).bind(7, r.cloud_id)
    .bind(8, r.instance_type).bind(9, std::string(to_string(r.market)))
    .bind(10, std::string(to_string(r.state))).bind(11, tags_json(r.tags))
    .bind(12, static_cast<int64_t>(r.since)).bind(13, r.last_error)
    .bind(14, std::string(to_string(r.reason))).bind(15, r.provider.node);
  st.run();
  return sqlite3_changes(db) > 0;
}

void write_intent(sqlite3* db, const create_intent& i) {
  json slots = json::array();
  for (auto& slot : i.slots)
    slots.push_back(json::array({slot.id.to_string(), slot.request.to_string()}));
  auto spec = json_text(json{{"type", i.spec.instance_type},
                             {"zone", i.spec.zone},
                             {"market", to_string(i.spec.market)},
                             {"image", i.spec.image},
                             {"tags", json_object(i.spec.tags)}});
  statement st{db, "INSERT OR IGNORE INTO intents (client_token, provider, spec, slots, created_at)"
                   " VALUES (?, ?, ?, ?, strftime('%s','now') * 1000)"};
  st.bind(1, i.client_token).bind(2, i.provider.to_string()).bind(3, spec).bind(4, json_text(slots));
  st.run();
}

namespace {

template <class Id>
Id parse_id(const std::string& text) {
  Id id;
  if (auto u = uuid::parse(text))
    static_cast<uuid&>(id) = *u;
  return id;
}

} // namespace

std::vector<stored_request> read_requests(sqlite3* db, const std::string& id) {
  std::string sql = "SELECT id, name, count, min_count, state, created_at, done_at, result, spec"
                    " FROM requests";
  sql += id.empty() ? " ORDER BY created_at, id" : " WHERE id = ?";
  statement st{db, sql.c_str()};
  if (!id.empty())
    st.bind(1, id);
  std::vector<stored_request> out;
  while (st.step()) {
    stored_request r;
    r.id = parse_id<request_id>(st.text_col(0));
    r.name = st.text_col(1);
    r.count = st.int_col(2);
    r.min_count = st.int_col(3);
    auto state = st.text_col(4);
    auto parsed = parse_request_state(state);
    if (!parsed)
      throw store_error("request " + st.text_col(0) + " has an unknown state '" + state + "'");
    r.state = *parsed;
    r.created_at = st.int64_col(5);
    r.done_at = st.int64_col(6);
    r.result = st.text_col(7);
    r.spec = st.blob_col(8);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<instance_record> read_instances(sqlite3* db) {
  statement st{db, "SELECT id, request, name, provider, region, zone, cloud_id, type, market,"
                   " state, tags, since, last_error, reason, node FROM instances"
                   " ORDER BY request, name, id"};
  std::vector<instance_record> out;
  while (st.step()) {
    instance_record r;
    r.id = parse_id<instance_id>(st.text_col(0));
    r.request = parse_id<request_id>(st.text_col(1));
    r.name = st.text_col(2);
    r.provider = provider_id{st.text_col(3), st.text_col(4), st.text_col(14)};
    r.zone = st.text_col(5);
    r.cloud_id = st.text_col(6);
    r.instance_type = st.text_col(7);
    r.market = st.text_col(8) == "spot" ? market_kind::spot : market_kind::on_demand;
    r.state = parse_instance_state(st.text_col(9)).value_or(instance_state::failed);
    r.tags = parse_tags_json(st.text_col(10));
    r.since = st.int64_col(11);
    r.last_error = st.text_col(12);
    r.reason = parse_state_reason(st.text_col(13)).value_or(state_reason::none);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<stored_intent> read_intents(sqlite3* db) {
  statement st{db, "SELECT client_token, provider, slots, created_at, outcome FROM intents"
                   " ORDER BY created_at, client_token"};
  std::vector<stored_intent> out;
  simdjson::dom::parser parser;
  while (st.step()) {
    stored_intent i;
    i.client_token = st.text_col(0);
    i.provider = provider_id::parse(st.text_col(1));
    auto slots = st.text_col(2);
    simdjson::dom::array arr;
    if (!parser.parse(slots).get(arr)) {
      for (auto pair : arr) {
        simdjson::dom::array p;
        std::string_view a, b;
        if (pair.get(p) || p.size() != 2 || p.at(0).get(a) || p.at(1).get(b))
          continue;
        i.slots.push_back(parse_id<instance_id>(std::string(a)));
        i.requests.push_back(parse_id<request_id>(std::string(b)));
      }
    }
    i.created_at = st.int64_col(3);
    i.outcome = st.text_col(4);
    out.push_back(std::move(i));
  }
  return out;
}

} // namespace styx
