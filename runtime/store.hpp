#pragma once
// The engine's durable state: one SQLite database (<state_dir>/styx.db, WAL mode) with the
// requests, the last known record of every instance and the intents of create calls.
//
// Writes are queued and committed by one writer thread in groups: every `commit_interval`
// (or at once when `max_batch` writes are queued) everything queued goes in one transaction,
// so one fsync covers many writes. record_intent()'s `done` runs after the commit that holds
// the intent (the provider makes the create call only then). Reads see every write queued
// before them (they flush first).
//
// The schema is versioned (table schema_version); open() migrates an older database forward
// and refuses a newer one. A database that cannot be opened or read is never deleted or
// rewritten: open() throws store_error with sqlite's message and the path, in one line.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "actors/journal.hpp"
#include "common/time.hpp"
#include "messages/events.hpp"
#include "messages/provision_request.hpp"
#include "messages/request_state.hpp"

struct sqlite3;

namespace styx {

struct store_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The schema version this build writes.
constexpr int store_schema_version = 4;

struct store_options {
  duration commit_interval = milliseconds(5); // the longest a write waits for its group
  size_t max_batch = 512;                     // a group this large commits at once
  bool sync = true;                           // fsync every commit (synchronous=FULL)
};

/// One row of the requests table.
struct stored_request {
  request_id id;
  std::string name;
  int count = 0;
  int min_count = 0;
  request_state state = request_state::submitted; // the column holds to_string(state)
  unix_ms created_at = 0;
  unix_ms done_at = 0;     // 0 while not done
  std::string result;      // request_done as JSON; empty while not done
  std::vector<char> spec;  // the provision_request, CAF binary

  /// The request as submitted; nullopt when the spec cannot be decoded.
  std::optional<provision_request> request() const;
};

/// One row of the intents table.
struct stored_intent {
  std::string client_token;
  provider_id provider;
  std::vector<instance_id> slots;
  std::vector<request_id> requests; // the request of each slot
  unix_ms created_at = 0;
  std::string outcome;     // empty: no answer recorded (the call may or may not have happened)
};

class store final : public journal {
public:
  /// Opens or creates the database at `path`, migrating it to store_schema_version.
  static std::shared_ptr<store> open(const std::string& path, store_options opts = {});
  ~store() override; // commits what is queued, then closes

  store(const store&) = delete;
  store& operator=(const store&) = delete;

  // -- writes (queued, thread-safe) ---------------------------------------------------
  void record_request(const provision_request& req, unix_ms now);
  void record_request_done(const request_done& done, unix_ms now);
  /// Sets a request's state by hand (cancelled, resumed, interrupted).
  void set_request_state(const request_id& id, request_state state);
  /// Writes the record unless the row it replaces could not move to it (messages/transition.hpp
  /// decides, inside the upsert): such a write is refused, counted, and changes nothing.
  void record_instance(const instance_record& rec);
  /// Closes an open intent whose outcome reconcile worked out: outcome {"resolved": note}.
  void close_intent(const std::string& client_token, const std::string& note);

  // journal
  void record_intent(create_intent intent, std::function<void(std::string)> done) override;
  void record_outcome(const std::string& client_token, const std::vector<cloud_instance>& created,
                      const cloud_error& error) override;

  /// Blocks until every write queued before the call is committed (or failed).
  void flush();

  // -- reads (flush first) ------------------------------------------------------------
  std::vector<stored_request> requests();
  std::optional<stored_request> find_request(const request_id& id);
  std::vector<instance_record> instances();
  std::vector<stored_intent> intents();
  /// The intents without an outcome that an earlier process recorded (this store's own may
  /// still be in flight): what reconcile resolves.
  std::vector<stored_intent> open_intents();
  /// True when this store object recorded the request (it may be running in this process).
  bool recorded_here(const request_id& id) const;

  int schema_version();
  /// Transactions committed by the writer thread so far, and writes in them.
  uint64_t commits() const;
  uint64_t writes() const;
  /// Instance writes the transition table refused: each one a bug of the writer that sent it.
  uint64_t refused_writes() const { return refused_.load(std::memory_order_relaxed); }
  const std::string& path() const { return path_; }

  /// The last commit error, empty if none.
  std::string last_error() const;

private:
  struct op {
    std::function<void(sqlite3*)> apply;          // throws store_error
    std::function<void(std::string)> done;       // may be empty
  };

  store(std::string path, store_options opts, sqlite3* wdb, sqlite3* rdb);
  void enqueue(op o);
  /// f(rdb_) after a flush, under the read lock; its store_error names the store.
  template <class F>
  auto reading(F&& f) -> decltype(f(static_cast<sqlite3*>(nullptr)));
  void run();

  std::string path_;
  store_options opts_;
  sqlite3* wdb_; // the writer thread's connection
  sqlite3* rdb_; // readers' connection, under read_mtx_
  std::mutex read_mtx_;

  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::vector<op> queue_;
  uint64_t queued_seq_ = 0;
  uint64_t committed_seq_ = 0;
  uint64_t flush_wanted_ = 0; // a flush waits for this sequence number: commit at once
  uint64_t commits_ = 0;
  uint64_t writes_ = 0;
  std::string last_error_;
  std::atomic<uint64_t> refused_{0};
  std::set<std::string> session_tokens_; // intents recorded through this object
  std::set<request_id> session_requests_;
  bool stopping_ = false;
  std::thread writer_;
};

/// Exposed for tests: the DDL of each schema version, applied in order from the database's
/// version + 1. migrations()[0] makes version 1.
const std::vector<const char*>& store_migrations();

} // namespace styx
