// styx bench's SVG timeline: well-formed, with a line per state, the API call rate and a tick
// per interval that had throttles.

#include <catch2/catch.hpp>

#include <sstream>

#include <pugixml.hpp>

#include "runtime/bench.hpp"

using namespace styx;

TEST_CASE("bench svg: states, API calls per second and throttles") {
  bench_result r;
  r.options.count = 100;
  for (int i = 0; i <= 8; ++i) {
    bench_sample s;
    s.t = 0.25 * i;
    s.requested = 100 - 12 * i;
    s.running = 12 * i;
    s.api_calls = static_cast<uint64_t>(3 * i);
    s.throttled = i < 4 ? 0 : (i < 6 ? 3 : 5); // 3 in the interval to 1.0 s, 2 to 1.5 s
    r.timeline.push_back(s);
  }
  std::ostringstream out;
  write_svg(out, r);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(out.str().c_str()));
  auto svg = doc.child("svg");
  REQUIRE(svg);
  int polylines = 0, ticks = 0;
  for (auto n : svg.children()) {
    polylines += std::string{n.name()} == "polyline" ? 1 : 0;
    if (std::string{n.name()} == "line" && std::string{n.attribute("stroke").value()} == "#d00000")
      ++ticks;
  }
  CHECK(polylines == 6); // five states and the API call rate
  CHECK(ticks == 2);
  CHECK(out.str().find("3 throttled at 1.0 s") != std::string::npos);
  CHECK(out.str().find("throttles (ticks; 5 in all)") != std::string::npos);
}
