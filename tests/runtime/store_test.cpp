// The durable store: schema and migrations, group commit, intents committed before their
// callback, the rows round trip, and a corrupted database left untouched.

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <unistd.h>

#include "runtime/store.hpp"

using namespace styx;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path()
           / ("styx-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(next()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int next() {
    static std::atomic<int> n{0};
    return ++n;
  }
};

template <class Id>
Id make_id(uint64_t n) {
  Id id;
  id.hi = 0x1234;
  id.lo = n;
  return id;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count_rows(const std::string& path, const char* table) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

instance_record make_record(uint64_t n, instance_state state) {
  instance_record r;
  r.id = make_id<instance_id>(n);
  r.request = make_id<request_id>(1);
  r.name = "job-" + std::to_string(n);
  r.provider = provider_id{"sim", "us-east-1"};
  r.zone = "us-east-1a";
  r.instance_type = "m5.large";
  r.market = market_kind::spot;
  r.cloud_id = "i-" + std::to_string(n);
  r.state = state;
  r.since = 1000 + static_cast<unix_ms>(n);
  r.tags = {{"styx:engine", "e1"}, {"quote\"d", "line\nbreak"}};
  r.last_error = n % 2 ? "" : "boom";
  r.reason = n % 2 ? state_reason::none : state_reason::create_failed;
  return r;
}

/// A database at schema `version` (the migrations up to it) with `rows` inserted.
void write_old_store(const std::string& path, int version, const std::string& rows) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string sql = "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                    "INSERT INTO schema_version VALUES ("
                    + std::to_string(version) + ");";
  for (int v = 0; v < version; ++v)
    sql += store_migrations()[static_cast<size_t>(v)];
  sql += rows;
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

} // namespace

TEST_CASE("store: a new database has the current schema version and every table") {
  temp_dir dir;
  auto s = store::open(dir.file("styx.db"));
  CHECK(s->schema_version() == store_schema_version);
  CHECK(store_migrations().size() == static_cast<size_t>(store_schema_version));
  CHECK(s->requests().empty());
  CHECK(s->instances().empty());
  CHECK(s->intents().empty());
}

TEST_CASE("store: instance records round trip and the last write wins") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  {
    auto s = store::open(path);
    for (uint64_t n = 1; n <= 10; ++n)
      s->record_instance(make_record(n, instance_state::pending));
    s->record_instance(make_record(4, instance_state::running));
  }
  auto s = store::open(path); // reopened: it was durable
  auto xs = s->instances();
  REQUIRE(xs.size() == 10);
  for (auto& x : xs) {
    auto n = x.id.lo;
    auto want = make_record(n, n == 4 ? instance_state::running : instance_state::pending);
    CHECK(x.id == want.id);
    CHECK(x.request == want.request);
    CHECK(x.name == want.name);
    CHECK(x.provider == want.provider);
    CHECK(x.zone == want.zone);
    CHECK(x.instance_type == want.instance_type);
    CHECK(x.market == want.market);
    CHECK(x.cloud_id == want.cloud_id);
    CHECK(x.state == want.state);
    CHECK(x.since == want.since);
    CHECK(x.tags == want.tags);
    CHECK(x.last_error == want.last_error);
    CHECK(x.reason == want.reason);
  }
}

TEST_CASE("store: a write the transition table forbids is refused and counted") {
  temp_dir dir;
  auto s = store::open(dir.file("styx.db"));
  s->record_instance(make_record(1, instance_state::running));
  auto ended = make_record(1, instance_state::terminated);
  s->record_instance(ended);
  s->record_instance(make_record(1, instance_state::running)); // back from an observed end
  s->record_instance(make_record(1, instance_state::pending));
  s->flush();
  CHECK(s->refused_writes() == 2);
  REQUIRE(s->instances().size() == 1);
  CHECK(s->instances()[0].state == instance_state::terminated);
  // An end the engine only inferred is overturned by a sighting, never by anything else.
  auto lost = make_record(2, instance_state::pending);
  s->record_instance(lost);
  lost.state = instance_state::failed;
  lost.reason = state_reason::provider_lost;
  s->record_instance(lost);
  auto seen = make_record(2, instance_state::running);
  s->record_instance(seen); // no reason: refused
  seen.reason = state_reason::found;
  s->record_instance(seen);
  s->flush();
  CHECK(s->refused_writes() == 3);
  auto xs = s->instances();
  REQUIRE(xs.size() == 2);
  CHECK(xs[1].state == instance_state::running);
  CHECK(xs[1].reason == state_reason::found);
}

TEST_CASE("store: requests keep their spec and their result") {
  temp_dir dir;
  auto s = store::open(dir.file("styx.db"));
  auto req = provision_request::make("web", resources{}.cpus(2)).count(7).min_count(3)
               .tag("env", "prod").region("us-west-2");
  req.id(make_id<request_id>(9));
  s->record_request(req, 5000);
  auto before = s->find_request(req.id());
  REQUIRE(before);
  CHECK(before->state == request_state::submitted);
  CHECK(before->done_at == 0);
  CHECK(before->count == 7);
  CHECK(before->min_count == 3);
  CHECK(before->created_at == 5000);
  auto spec = before->request();
  REQUIRE(spec);
  CHECK(spec->name() == "web");
  CHECK(spec->count() == 7);
  CHECK(spec->tags().at("env") == "prod");

  request_done d;
  d.request = req.id();
  d.rolled_back = true;
  d.count = 7;
  d.failed = 5;
  d.failures.push_back({make_id<instance_id>(1), "sim/us-west-2", "no \"capacity\""});
  s->record_request_done(d, 6000);
  auto after = s->find_request(req.id());
  REQUIRE(after);
  CHECK(after->state == request_state::rolled_back);
  CHECK(after->done_at == 6000);
  CHECK(after->result.find("\"rolled_back\":true") != std::string::npos);
  CHECK(after->result.find("no \\\"capacity\\\"") != std::string::npos);
  s->set_request_state(req.id(), request_state::cancelled);
  CHECK(s->find_request(req.id())->state == request_state::cancelled);
  CHECK_FALSE(s->find_request(make_id<request_id>(10)));
}

TEST_CASE("store: an intent's callback runs after the commit that holds it") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  auto s = store::open(path);
  create_intent in;
  in.client_token = "tok-1";
  in.provider = provider_id{"sim", "eu-west-1"};
  in.spec.instance_type = "c5.xlarge";
  in.slots.push_back({make_id<instance_id>(1), make_id<request_id>(2), "a"});
  in.slots.push_back({make_id<instance_id>(3), make_id<request_id>(2), "b"});
  std::promise<std::string> seen;
  int rows_at_callback = -1;
  s->record_intent(in, [&](std::string err) {
    rows_at_callback = count_rows(path, "intents"); // another connection sees it: committed
    seen.set_value(err);
  });
  CHECK(seen.get_future().get() == "");
  CHECK(rows_at_callback == 1);
  auto xs = s->intents();
  REQUIRE(xs.size() == 1);
  CHECK(xs[0].client_token == "tok-1");
  CHECK(xs[0].provider == in.provider);
  CHECK(xs[0].slots == std::vector<instance_id>{make_id<instance_id>(1), make_id<instance_id>(3)});
  CHECK(xs[0].requests.size() == 2);
  CHECK(xs[0].outcome.empty());
  cloud_instance ci;
  ci.cloud_id = "sim-42";
  s->record_outcome("tok-1", {ci}, cloud_error{});
  xs = s->intents();
  CHECK(xs[0].outcome.find("sim-42") != std::string::npos);
}

TEST_CASE("store: many writes go in few commits") {
  temp_dir dir;
  store_options opts;
  opts.commit_interval = seconds(60); // only a full batch or a flush commits
  opts.max_batch = 100;
  auto s = store::open(dir.file("styx.db"), opts);
  std::atomic<int> done{0};
  for (uint64_t n = 1; n <= 1000; ++n) {
    create_intent in;
    in.client_token = "tok-" + std::to_string(n);
    in.provider = provider_id{"sim", "us-east-1"};
    s->record_intent(in, [&](std::string err) {
      if (err.empty())
        ++done;
    });
  }
  s->flush();
  CHECK(done == 1000);
  CHECK(s->writes() == 1000);
  CHECK(s->commits() >= 1);
  CHECK(s->commits() <= 11); // 1000 writes in groups of at least 100 (one partial group)
  CHECK(s->intents().size() == 1000);
}

TEST_CASE("store: a single write commits without a flush") {
  temp_dir dir;
  store_options opts;
  opts.commit_interval = milliseconds(1);
  auto s = store::open(dir.file("styx.db"), opts);
  std::promise<std::string> seen;
  create_intent in;
  in.client_token = "alone";
  s->record_intent(in, [&](std::string err) { seen.set_value(err); });
  // No flush, no other write: the writer must wake up by itself.
  CHECK(seen.get_future().get() == "");
  s->flush();
  CHECK(s->commits() == 1);
}

TEST_CASE("store: a flush commits a partial group at once") {
  temp_dir dir;
  store_options opts;
  opts.commit_interval = std::chrono::hours(1);
  opts.max_batch = 100;
  auto s = store::open(dir.file("styx.db"), opts);
  for (uint64_t n = 1; n <= 5; ++n)
    s->record_instance(make_record(n, instance_state::running));
  s->flush(); // would take an hour if it waited for the interval
  CHECK(s->instances().size() == 5);
  CHECK(s->writes() == 5);
}

TEST_CASE("store: a database of version 1 is migrated and keeps its rows") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  write_old_store(path, 1,
                  "INSERT INTO requests (id, name, count, min_count, state, created_at)"
                  " VALUES ('00000000-0000-1234-0000-000000000005', 'old', 3, 0, 'submitted', 7);"
                  "INSERT INTO instances VALUES ('00000000-0000-1234-0000-000000000006',"
                  " '00000000-0000-1234-0000-000000000005', 'old-0', 'sim', 'us-east-1',"
                  " 'us-east-1a', 'sim-1', 'm5.large', 'on-demand', 'running', '{}', 8, '');");
  auto s = store::open(path);
  CHECK(s->schema_version() == store_schema_version);
  auto rs = s->requests();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].name == "old");
  CHECK(rs[0].count == 3);
  CHECK_FALSE(rs[0].request()); // no spec in that row
  CHECK(s->intents().empty());  // the table version 2 added
  auto is = s->instances();      // the columns versions 3 and 4 added
  REQUIRE(is.size() == 1);
  CHECK(is[0].state == instance_state::running);
  CHECK(is[0].reason == state_reason::none);
}

TEST_CASE("store: a database of version 2 is migrated and its rows stay the engine's own") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  write_old_store(path, 2,
                  "INSERT INTO instances (id, request, name, provider, region, zone, cloud_id, type,"
                  " market, state, tags, since, last_error) VALUES"
                  " ('00000000-0000-1234-0000-000000000009', '00000000-0000-1234-0000-000000000001',"
                  " 'old-1', 'sim', 'us-east-1', 'us-east-1a', 'sim-9', 'm5.large', 'on_demand',"
                  " 'running', '{}', 5, '');"
                  "INSERT INTO intents (client_token, provider, spec, slots, created_at)"
                  " VALUES ('t-old', 'sim/us-west-2', '{}', '[]', 3);");
  auto s = store::open(path);
  CHECK(s->schema_version() == store_schema_version);
  auto xs = s->instances();
  REQUIRE(xs.size() == 1);
  CHECK(xs[0].provider == provider_id{"sim", "us-east-1", ""});
  CHECK(xs[0].provider.is_local());
  CHECK(xs[0].state == instance_state::running);
  auto is = s->intents();
  REQUIRE(is.size() == 1);
  CHECK(is[0].provider == provider_id{"sim", "us-west-2", ""});
}

TEST_CASE("store: a record and an intent keep the node their provider lives on") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  provider_id remote{"sim", "us-east-1", "5f0c9a61-0000-4000-8000-00000000abcd"};
  {
    auto s = store::open(path);
    auto local = make_record(1, instance_state::running);
    auto there = make_record(2, instance_state::running);
    there.provider = remote;
    s->record_instance(local);
    s->record_instance(there);
    create_intent in;
    in.client_token = "t-node";
    in.provider = remote;
    s->record_intent(in, [](std::string) {});
  }
  auto s = store::open(path);
  auto xs = s->instances();
  REQUIRE(xs.size() == 2);
  for (auto& x : xs)
    CHECK(x.provider == (x.id.lo == 2 ? remote : provider_id{"sim", "us-east-1", ""}));
  auto is = s->intents();
  REQUIRE(is.size() == 1);
  CHECK(is[0].provider == remote);
  CHECK(is[0].provider.to_string() == "sim/us-east-1@5f0c9a61-0000-4000-8000-00000000abcd");
}

TEST_CASE("store: a newer schema is refused") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                             "INSERT INTO schema_version VALUES (99);",
                         nullptr, nullptr, nullptr)
            == SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    store::open(path);
    FAIL("opened");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find("99") != std::string::npos);
    CHECK(what.find(path) != std::string::npos);
  }
}

TEST_CASE("store: a corrupted file is an error naming it and stays as it was") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  std::string junk = "this is not a database, just some bytes";
  junk.append(8192, 'x');
  {
    std::ofstream out(path, std::ios::binary);
    out << junk;
  }
  try {
    store::open(path);
    FAIL("opened");
  } catch (const store_error& e) {
    std::string what = e.what();
    CHECK(what.find(path) != std::string::npos);
    CHECK(what.find("not a database") != std::string::npos);
    CHECK(what.find('\n') == std::string::npos);
  }
  CHECK(read_all(path) == junk);
}

TEST_CASE("store: a database that cannot be created is an error naming it") {
  temp_dir dir;
  auto path = dir.file("no/such/dir/styx.db");
  try {
    store::open(path);
    FAIL("opened");
  } catch (const store_error& e) {
    CHECK(std::string(e.what()).find(path) != std::string::npos);
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("store: open intents are an earlier process's unanswered ones, until closed") {
  temp_dir dir;
  auto path = dir.file("styx.db");
  auto intent = [](const std::string& token) {
    create_intent in;
    in.client_token = token;
    in.provider = provider_id{"aws", "us-east-1"};
    in.slots.push_back({make_id<instance_id>(1), make_id<request_id>(2), "a"});
    return in;
  };
  auto req = provision_request::make("web", resources{}).count(1);
  req.id(make_id<request_id>(2));
  {
    auto s = store::open(path);
    s->record_request(req, 1000);
    s->record_intent(intent("answered"), [](std::string) {});
    s->record_intent(intent("open"), [](std::string) {});
    s->record_outcome("answered", {}, cloud_error{});
    CHECK(s->recorded_here(req.id()));
    CHECK(s->open_intents().empty()); // this process's own may be in flight
  }
  auto s = store::open(path); // the next process
  CHECK_FALSE(s->recorded_here(req.id()));
  auto open = s->open_intents();
  REQUIRE(open.size() == 1);
  CHECK(open[0].client_token == "open");
  s->close_intent("open", "reconcile");
  CHECK(s->open_intents().empty());
  CHECK(s->intents().size() == 2);
}

TEST_CASE("store: a cancelled request stays cancelled when its end is recorded") {
  temp_dir dir;
  auto s = store::open(dir.file("styx.db"));
  auto req = provision_request::make("web", resources{}).count(3);
  req.id(make_id<request_id>(5));
  s->record_request(req, 1000);
  s->set_request_state(req.id(), request_state::cancelled);
  request_done d;
  d.request = req.id();
  d.ok = true;
  s->record_request_done(d, 2000);
  CHECK(s->find_request(req.id())->state == request_state::cancelled);
}
