// Fuzzes the store's rows as they are read back (runtime/store_sql.hpp and
// stored_request::request(), which decodes the request spec with CAF's binary
// deserializer): whatever a damaged or foreign styx.db holds, reading it gives records or a
// store_error, never a crash. The input is split at '\x01' into column values, dealt out to
// a row of each table of an in-memory store of the current schema.

#include <cstdint>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "runtime/store.hpp"
#include "runtime/store_sql.hpp"

namespace {

sqlite3* fresh_db() {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  for (auto* step : styx::store_migrations())
    styx::sql_exec(db, step);
  styx::register_store_functions(db);
  return db;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace styx;
  static sqlite3* db = fresh_db();
  std::vector<std::string> fields{""};
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 1)
      fields.emplace_back();
    else
      fields.back().push_back(static_cast<char>(data[i]));
  }
  size_t next = 0;
  auto field = [&] { return fields[next++ % fields.size()]; };
  auto number = [&] {
    auto f = field();
    return static_cast<int64_t>(std::hash<std::string>{}(f) % 2000) - 1000;
  };
  try {
    sql_exec(db, "DELETE FROM requests; DELETE FROM instances; DELETE FROM intents;");
    statement{db, "INSERT INTO instances (id, request, name, provider, region, zone, cloud_id,"
                  " type, market, state, tags, since, last_error, reason, node) VALUES"
                  " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"}
      .bind(1, field()).bind(2, field()).bind(3, field()).bind(4, field()).bind(5, field())
      .bind(6, field()).bind(7, field()).bind(8, field()).bind(9, field()).bind(10, field())
      .bind(11, field()).bind(12, number()).bind(13, field()).bind(14, field())
      .bind(15, field())
      .run();
    auto spec = field();
    statement{db, "INSERT INTO requests (id, name, count, min_count, spec, state, created_at,"
                  " done_at, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"}
      .bind(1, field()).bind(2, field()).bind(3, number()).bind(4, number())
      .bind_blob(5, std::vector<char>(spec.begin(), spec.end())).bind(6, field())
      .bind(7, number()).bind(8, number()).bind(9, field())
      .run();
    statement{db, "INSERT INTO intents (client_token, provider, spec, slots, created_at,"
                  " outcome) VALUES (?, ?, ?, ?, ?, ?)"}
      .bind(1, field()).bind(2, field()).bind(3, field()).bind(4, field()).bind(5, number())
      .bind(6, field())
      .run();
    for (auto& r : read_requests(db, ""))
      (void)r.request();
    (void)read_instances(db);
    (void)read_intents(db);
  } catch (const store_error&) {
    // A row the store cannot read is reported, not a crash.
  }
  return 0;
}
