#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/uuid.hpp"

using namespace styx;

TEST_CASE("uuid to_string writes the RFC 4122 form in lower-case hex") {
  uuid x{0x0123456789abcdefull, 0xfedcba9876543210ull};
  CHECK(x.to_string() == "01234567-89ab-cdef-fedc-ba9876543210");
  CHECK(uuid{}.to_string() == "00000000-0000-0000-0000-000000000000");
  uuid ones{~0ull, ~0ull};
  CHECK(ones.to_string() == "ffffffff-ffff-ffff-ffff-ffffffffffff");
  // Leading zeros of each group are kept.
  uuid small{0x0000000100020003ull, 0x0004000000000005ull};
  CHECK(small.to_string() == "00000001-0002-0003-0004-000000000005");
}

TEST_CASE("uuid parse reads what to_string writes") {
  uuid_generator gen{99};
  for (int i = 0; i < 1000; ++i) {
    auto x = gen.next();
    auto text = x.to_string();
    auto back = uuid::parse(text);
    REQUIRE(back);
    REQUIRE(*back == x);
    REQUIRE(back->to_string() == text);
  }
  auto parsed = uuid::parse("01234567-89ab-cdef-fedc-ba9876543210");
  REQUIRE(parsed);
  CHECK(parsed->hi == 0x0123456789abcdefull);
  CHECK(parsed->lo == 0xfedcba9876543210ull);
  // Upper-case hex reads as the same value.
  auto upper = uuid::parse("01234567-89AB-CDEF-FEDC-BA9876543210");
  REQUIRE(upper);
  CHECK(*upper == *parsed);
}

TEST_CASE("uuid parse rejects malformed text") {
  const char* bad[] = {
    "",
    "01234567-89ab-cdef-fedc-ba987654321",    // one digit short
    "01234567-89ab-cdef-fedc-ba98765432100",  // one digit long
    "0123456789abcdeffedcba9876543210",       // no dashes
    "01234567_89ab_cdef_fedc_ba9876543210",   // wrong separators
    "012345678-9ab-cdef-fedc-ba9876543210",   // dash misplaced
    "01234567-89ab-cdef-fedcb-a987654321a",   // dash misplaced
    "0123456g-89ab-cdef-fedc-ba9876543210",   // not hex
    "01234567-89ab-cdef-fedc-ba987654321 ",   // trailing space
    " 1234567-89ab-cdef-fedc-ba9876543210",   // leading space
    "{1234567-89ab-cdef-fedc-ba987654321}",   // braces
    "+1234567-89ab-cdef-fedc-ba9876543210",   // sign
    "01234567-89ab-cdef-fedc-ba987654321-",   // dash as a digit
    "01234567-89ab-cdef-fedc-ba98765432\xc3\xa9", // non-ASCII
  };
  for (auto text : bad) {
    INFO("'" << text << "'");
    CHECK_FALSE(uuid::parse(text));
  }
  // An embedded NUL is not a digit either.
  std::string with_nul = "01234567-89ab-cdef-fedc-ba9876543210";
  with_nul[3] = '\0';
  CHECK_FALSE(uuid::parse(with_nul));
}

TEST_CASE("generated uuids are version 4 with the RFC 4122 variant") {
  uuid_generator gen{5};
  for (int i = 0; i < 10000; ++i) {
    auto x = gen.next();
    REQUIRE(((x.hi >> 12) & 0xf) == 4u);
    REQUIRE((x.lo >> 62) == 2u);
    auto text = x.to_string();
    REQUIRE(text[14] == '4');
    REQUIRE(std::string("89ab").find(text[19]) != std::string::npos);
    REQUIRE_FALSE(x.empty());
  }
}

TEST_CASE("uuid generators with equal seeds make equal sequences") {
  uuid_generator a{1234};
  uuid_generator b{1234};
  uuid_generator c{1235};
  int equal_to_c = 0;
  for (int i = 0; i < 100; ++i) {
    auto x = a.next();
    REQUIRE(x == b.next());
    if (x == c.next())
      ++equal_to_c;
  }
  CHECK(equal_to_c == 0);
}

TEST_CASE("uuid generator seed 0 draws a seed from the OS") {
  uuid_generator a{0};
  uuid_generator b{0};
  // Two OS seeds collide with a chance of 2^-32; two 122-bit draws after that, never.
  CHECK(a.next() != b.next());
}

TEST_CASE("uuid generator makes no duplicates over 100k") {
  uuid_generator gen{2024};
  std::unordered_set<uuid, uuid_hash> seen;
  seen.reserve(100000);
  for (int i = 0; i < 100000; ++i)
    REQUIRE(seen.insert(gen.next()).second);
  CHECK(seen.size() == 100000u);
}

TEST_CASE("uuid generator is safe to share between threads") {
  uuid_generator gen{77};
  const int threads = 4;
  const int per_thread = 5000;
  std::vector<std::vector<uuid>> made(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&gen, &made, t] {
      for (int i = 0; i < per_thread; ++i)
        made[t].push_back(gen.next());
    });
  for (auto& w : workers)
    w.join();
  std::unordered_set<uuid, uuid_hash> seen;
  for (auto& v : made)
    for (auto& x : v)
      seen.insert(x);
  CHECK(seen.size() == static_cast<size_t>(threads * per_thread));
}

TEST_CASE("uuid comparison and emptiness") {
  uuid a{1, 2};
  uuid b{1, 3};
  uuid c{2, 0};
  CHECK(a < b);
  CHECK(b < c);
  CHECK_FALSE(b < a);
  CHECK_FALSE(a < a);
  CHECK(a != b);
  CHECK(a == uuid{1, 2});
  CHECK(uuid{}.empty());
  CHECK_FALSE(uuid{0, 1}.empty());
  CHECK_FALSE(uuid{1, 0}.empty());
}
