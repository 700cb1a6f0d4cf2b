#include "runtime/store.hpp"

#include <sqlite3.h>

#include <algorithm>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "runtime/store_sql.hpp"

namespace styx {

// -- schema -----------------------------------------------------------------------------

const std::vector<const char*>& store_migrations() {
  static const std::vector<const char*> xs{
    // 1: requests and instances
    "CREATE TABLE requests (id TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER NOT NULL,"
    " min_count INTEGER NOT NULL, spec BLOB, state TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " done_at INTEGER NOT NULL DEFAULT 0, result TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE instances (id TEXT PRIMARY KEY, request TEXT NOT NULL, name TEXT NOT NULL,"
    " provider TEXT NOT NULL, region TEXT NOT NULL, zone TEXT NOT NULL, cloud_id TEXT NOT NULL,"
    " type TEXT NOT NULL, market TEXT NOT NULL, state TEXT NOT NULL, tags TEXT NOT NULL,"
    " since INTEGER NOT NULL, last_error TEXT NOT NULL);"
    "CREATE INDEX instances_request ON instances(request);",
    // 2: intents of create calls
    "CREATE TABLE intents (client_token TEXT PRIMARY KEY, provider TEXT NOT NULL,"
    " spec TEXT NOT NULL, slots TEXT NOT NULL, created_at INTEGER NOT NULL, outcome TEXT);",
    // 3: why an instance is in its state (messages/state_reason.hpp); '' is none
    "ALTER TABLE instances ADD COLUMN reason TEXT NOT NULL DEFAULT '';",
    // 4: where each instance's provider lives (provider_id::node; '' is the engine's own).
    // Rows of an older store are taken as the engine's own: an older styx did not record it.
    // (Intents keep their provider as text, provider_id::to_string(), which now carries it.)
    "ALTER TABLE instances ADD COLUMN node TEXT NOT NULL DEFAULT '';",
  };
  return xs;
}

namespace {

sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw store_error("cannot open store " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

int read_version(sqlite3* db) {
  sql_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  statement st{db, "SELECT version FROM schema_version"};
  return st.step() ? st.int_col(0) : 0;
}

void migrate(sqlite3* db, const std::string& path) {
  // The first read of the file: a corrupted one fails here, before anything is written.
  int version = 0;
  try {
    sql_exec(db, "BEGIN IMMEDIATE");
    version = read_version(db);
  } catch (const store_error& e) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw store_error("cannot open store " + path + ": " + e.what());
  }
  auto& steps = store_migrations();
  if (version > static_cast<int>(steps.size())) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw store_error("cannot open store " + path + ": schema version "
                      + std::to_string(version) + " is newer than this build's "
                      + std::to_string(steps.size()));
  }
  try {
    for (int v = version; v < static_cast<int>(steps.size()); ++v)
      sql_exec(db, steps[v]);
    if (version != static_cast<int>(steps.size())) {
      sql_exec(db, "DELETE FROM schema_version");
      sql_exec(db, "INSERT INTO schema_version VALUES (" + std::to_string(steps.size()) + ")");
    }
    sql_exec(db, "COMMIT");
  } catch (const store_error& e) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw store_error("cannot migrate store " + path + " from version "
                      + std::to_string(version) + ": " + e.what());
  }
}

} // namespace

std::optional<provision_request> stored_request::request() const {
  if (spec.empty())
    return std::nullopt;
  provision_request req;
  caf::binary_deserializer source{nullptr, spec};
  if (source(req))
    return std::nullopt;
  return req;
}

// -- open and close ---------------------------------------------------------------------

std::shared_ptr<store> store::open(const std::string& path, store_options opts) {
  sqlite3* wdb = open_db(path);
  try {
    register_store_functions(wdb);
    // Read the header before asking for WAL: a file that is not a database stays untouched.
    migrate(wdb, path);
    statement mode{wdb, "PRAGMA journal_mode=WAL"};
    mode.step();
    sql_exec(wdb, opts.sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  } catch (const store_error& e) {
    sqlite3_close(wdb);
    std::string what = e.what();
    if (what.find(path) == std::string::npos)
      what = "cannot open store " + path + ": " + what;
    throw store_error(what);
  }
  sqlite3* rdb = nullptr;
  try {
    rdb = open_db(path);
  } catch (...) {
    sqlite3_close(wdb);
    throw;
  }
  return std::shared_ptr<store>(new store(path, opts, wdb, rdb));
}

store::store(std::string path, store_options opts, sqlite3* wdb, sqlite3* rdb)
  : path_(std::move(path)), opts_(opts), wdb_(wdb), rdb_(rdb) {
  writer_ = std::thread([this] { run(); });
}

store::~store() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
  sqlite3_close(rdb_);
  sqlite3_close(wdb_);
}

// -- the writer -------------------------------------------------------------------------

void store::enqueue(op o) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    queue_.push_back(std::move(o));
    ++queued_seq_;
    // Wake the writer for the first write of a group and for a full one.
    if (queue_.size() != 1 && queue_.size() < opts_.max_batch)
      return;
  }
  cv_.notify_all();
}

void store::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_)
      return;
    // Gather a group: wait out the interval unless the batch is full or we are stopping.
    cv_.wait_for(lock, opts_.commit_interval, [this] {
      return stopping_ || flush_wanted_ > committed_seq_ || queue_.size() >= opts_.max_batch;
    });
    std::vector<op> group;
    group.swap(queue_);
    uint64_t upto = queued_seq_;
    lock.unlock();
    std::string err;
    try {
      sql_exec(wdb_, "BEGIN IMMEDIATE");
      for (auto& o : group) {
        try {
          o.apply(wdb_);
        } catch (const store_error& e) {
          // One bad row must not lose the group; a failed intent is reported to its caller.
          if (o.done) {
            auto cb = std::move(o.done);
            o.done = nullptr;
            cb(std::string{"store " + path_ + ": "} + e.what());
          }
        }
      }
      sql_exec(wdb_, "COMMIT");
    } catch (const store_error& e) {
      sqlite3_exec(wdb_, "ROLLBACK", nullptr, nullptr, nullptr);
      err = "store " + path_ + ": " + e.what();
    }
    for (auto& o : group)
      if (o.done)
        o.done(err);
    lock.lock();
    if (err.empty()) {
      ++commits_;
      writes_ += group.size();
    } else {
      last_error_ = err;
    }
    committed_seq_ = upto;
    flushed_cv_.notify_all();
  }
}

void store::flush() {
  std::unique_lock<std::mutex> lock{mtx_};
  auto target = queued_seq_;
  if (target <= committed_seq_)
    return;
  flush_wanted_ = std::max(flush_wanted_, target);
  cv_.notify_all();
  flushed_cv_.wait(lock, [&] { return committed_seq_ >= target; });
}

uint64_t store::commits() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return commits_;
}

uint64_t store::writes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return writes_;
}

std::string store::last_error() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return last_error_;
}

int store::schema_version() {
  std::lock_guard<std::mutex> guard{read_mtx_};
  statement st{rdb_, "SELECT version FROM schema_version"};
  return st.step() ? st.int_col(0) : 0;
}

// -- writes -----------------------------------------------------------------------------

void store::record_request(const provision_request& req, unix_ms now) {
  std::vector<char> spec;
  caf::binary_serializer sink{nullptr, spec};
  auto copy = req;
  sink(copy);
  auto id = req.id().to_string();
  auto name = req.name();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    session_requests_.insert(req.id());
  }
  int count = req.count();
  int min_count = req.min_count();
  enqueue({[=](sqlite3* db) {
             statement st{db, "INSERT OR REPLACE INTO requests (id, name, count, min_count, spec,"
                              " state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"};
             st.bind(1, id).bind(2, name).bind(3, count).bind(4, min_count).bind_blob(5, spec)
               .bind(6, to_string(request_state::submitted)).bind(7, now);
             st.run();
           },
           nullptr});
}

void store::record_request_done(const request_done& d, unix_ms now) {
  auto id = d.request.to_string();
  auto state = d.ok            ? request_state::done
               : d.rolled_back ? request_state::rolled_back
                               : request_state::failed;
  auto result = request_done_json(d);
  enqueue({[=](sqlite3* db) {
             // A cancelled request stays cancelled.
             statement st{db, "UPDATE requests SET state = ?, done_at = ?, result = ?"
                              " WHERE id = ? AND state != ?"};
             st.bind(1, to_string(state)).bind(2, now).bind(3, result).bind(4, id)
               .bind(5, to_string(request_state::cancelled));
             st.run();
           },
           nullptr});
}

void store::set_request_state(const request_id& rid, request_state state) {
  auto id = rid.to_string();
  enqueue({[=](sqlite3* db) {
             statement st{db, "UPDATE requests SET state = ? WHERE id = ?"};
             st.bind(1, to_string(state)).bind(2, id);
             st.run();
           },
           nullptr});
}

void store::record_instance(const instance_record& r) {
  enqueue({[this, r](sqlite3* db) {
             if (!write_instance(db, r))
               refused_.fetch_add(1, std::memory_order_relaxed);
           },
           nullptr});
}

void store::record_intent(create_intent intent, std::function<void(std::string)> done) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    session_tokens_.insert(intent.client_token);
  }
  enqueue({[i = std::move(intent)](sqlite3* db) { write_intent(db, i); }, std::move(done)});
}

void store::record_outcome(const std::string& client_token,
                           const std::vector<cloud_instance>& created, const cloud_error& error) {
  auto outcome = outcome_json(created, error);
  enqueue({[=](sqlite3* db) {
             statement st{db, "UPDATE intents SET outcome = ? WHERE client_token = ?"};
             st.bind(1, outcome).bind(2, client_token);
             st.run();
           },
           nullptr});
}

void store::close_intent(const std::string& client_token, const std::string& note) {
  auto outcome = json_text(json{{"resolved", note}});
  enqueue({[=](sqlite3* db) {
             statement st{db, "UPDATE intents SET outcome = ? WHERE client_token = ?"};
             st.bind(1, outcome).bind(2, client_token);
             st.run();
           },
           nullptr});
}

// -- reads ------------------------------------------------------------------------------

template <class F>
auto store::reading(F&& f) -> decltype(f(static_cast<sqlite3*>(nullptr))) {
  flush();
  std::lock_guard<std::mutex> guard{read_mtx_};
  try {
    return f(rdb_);
  } catch (const store_error& e) {
    throw store_error("cannot read store " + path_ + ": " + e.what());
  }
}

std::vector<stored_request> store::requests() {
  return reading([](sqlite3* db) { return read_requests(db, ""); });
}

std::optional<stored_request> store::find_request(const request_id& id) {
  auto xs = reading([&](sqlite3* db) { return read_requests(db, id.to_string()); });
  if (xs.empty())
    return std::nullopt;
  return xs.front();
}

std::vector<instance_record> store::instances() {
  return reading([](sqlite3* db) { return read_instances(db); });
}

std::vector<stored_intent> store::intents() {
  return reading([](sqlite3* db) { return read_intents(db); });
}

std::vector<stored_intent> store::open_intents() {
  auto all = intents();
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<stored_intent> out;
  for (auto& i : all)
    if (i.outcome.empty() && session_tokens_.count(i.client_token) == 0)
      out.push_back(std::move(i));
  return out;
}

bool store::recorded_here(const request_id& id) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return session_requests_.count(id) > 0;
}

} // namespace styx
