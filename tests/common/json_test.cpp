// common/json.hpp: JSON text through nlohmann-json. Strings with control characters, quotes,
// backslashes and non-ASCII text round-trip; bytes that are not UTF-8 become U+FFFD instead of
// an exception; numbers keep their type and value.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "common/json.hpp"

using namespace styx;

namespace {

const std::string hard = std::string("a\"b\\c/d\n\r\t\b\f") + '\x01' + '\x1f' + '\x7f'
                         + "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80"; // u-umlaut, euro, emoji

} // namespace

TEST_CASE("json_text escapes control characters - quotes and backslashes and round-trips") {
  auto text = json_text(json{{"s", hard}});
  CHECK(text.find("\\\"") != std::string::npos);
  CHECK(text.find("\\\\") != std::string::npos);
  CHECK(text.find("\\n") != std::string::npos);
  CHECK(text.find("\\u0001") != std::string::npos);
  CHECK(text.find("\\u001f") != std::string::npos);
  CHECK(std::none_of(text.begin(), text.end(), // no raw control character is left
                     [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
  CHECK(text.find("\xc3\xbc") != std::string::npos); // UTF-8 stays as it is
  CHECK(json::parse(text)["s"].get<std::string>() == hard);
}

TEST_CASE("json_text replaces bytes that are not UTF-8 with U+FFFD instead of throwing") {
  std::string bad = std::string("ok") + '\xff' + "x" + '\xc3' + "\xe2\x82"; // stray, cut short
  std::string text;
  REQUIRE_NOTHROW(text = json_text(json{{"s", bad}}));
  auto back = json::parse(text)["s"].get<std::string>();
  CHECK(back.rfind("ok\xef\xbf\xbdx", 0) == 0);
  CHECK(back.find('\xff') == std::string::npos);
  CHECK(json_quote(bad).find("\xef\xbf\xbd") != std::string::npos);
  // The library's default would have thrown: the replace handler is what json_text chose.
  CHECK_THROWS(json(bad).dump());
}

TEST_CASE("json_text keeps numbers exact and field order as inserted") {
  json j = {{"z", 1}, {"a", -2}, {"big", std::numeric_limits<uint64_t>::max()},
            {"half", 0.5}, {"tenth", 0.1}, {"ms", 1234567890123LL}};
  auto text = json_text(j);
  CHECK(text == R"({"z":1,"a":-2,"big":18446744073709551615,"half":0.5,"tenth":0.1,)"
                R"("ms":1234567890123})");
  CHECK(json_quote("") == "\"\"");
  CHECK(json_text(json::object()) == "{}");
}
