#pragma once
// The store's rows: a small RAII wrapper over sqlite3 statements, and how each table's row is
// written and read. Every failure throws store_error with sqlite's message. Internal to the
// store (store.cpp); not for other callers.

#include <string>
#include <vector>

#include "common/json.hpp"
#include "runtime/store.hpp"

struct sqlite3_stmt;

namespace styx {

/// Runs `sql` (one or more statements, no results).
void sql_exec(sqlite3* db, const std::string& sql);

class statement {
public:
  statement(sqlite3* db, const char* sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, const std::string& x);
  statement& bind(int i, int64_t x);
  statement& bind(int i, int x) { return bind(i, static_cast<int64_t>(x)); }
  statement& bind_blob(int i, const std::vector<char>& x);
  statement& bind_null(int i);

  /// True while there is a row.
  bool step();
  /// Steps until done.
  void run();

  int int_col(int i);
  int64_t int64_col(int i);
  std::string text_col(int i);
  std::vector<char> blob_col(int i);

private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

std::string tags_json(const tag_map& tags);
tag_map parse_tags_json(const std::string& json);
std::string request_done_json(const request_done& d);
std::string outcome_json(const std::vector<cloud_instance>& created, const cloud_error& error);

/// Adds styx_may_follow(from_state, from_reason, to_state, to_reason) to `db`: the transition
/// table (messages/transition.hpp) as an SQL function, for write_instance's upsert.
void register_store_functions(sqlite3* db);
/// Inserts or updates the row of `r`; false when the table refused the move from the stored row.
bool write_instance(sqlite3* db, const instance_record& r);
void write_intent(sqlite3* db, const create_intent& i);

/// Every request, or the one with `id` when not empty.
std::vector<stored_request> read_requests(sqlite3* db, const std::string& id);
std::vector<instance_record> read_instances(sqlite3* db);
std::vector<stored_intent> read_intents(sqlite3* db);

} // namespace styx
