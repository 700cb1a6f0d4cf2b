#pragma once
// Test helper: runs SQL on a store's database file behind the store's back (a crash that lost
// writes, an audit trigger), failing the test with sqlite's message.

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <string>

namespace styx::test {

inline void sql(const std::string& db_path, const std::string& statement) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err);
  std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  INFO(message);
  REQUIRE(rc == SQLITE_OK);
}

} // namespace styx::test
