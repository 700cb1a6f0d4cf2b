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

TEST_CASE("bench svg: the ideal created-curve and the calls panel stay clear of the legend") {
  bench_result r;
  r.options.count = 6000;
  r.options.providers = 3;
  r.limit_seconds = 25;
  r.seconds_to_created = 26;
  for (int i = 0; i <= 120; ++i) {
    bench_sample s;
    s.t = 0.25 * i;
    s.created = std::min(6000, 3000 + 115 * i);
    s.api_calls = static_cast<uint64_t>(i * (i % 2 ? 7 : 3)); // a zigzag
    r.timeline.push_back(s);
  }
  for (int i = 0; i <= 10; ++i)
    r.ideal.push_back(bench_point{3.0 * i, std::min(6000.0, 3000 + 360.0 * i)});
  std::ostringstream out;
  write_svg(out, r);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(out.str().c_str()));
  auto svg = doc.child("svg");
  double width = svg.attribute("width").as_double();
  int paths = 0;
  double rightmost_data = 0, leftmost_legend = width;
  for (auto n : svg.children()) {
    std::string name = n.name();
    if (name == "path") {
      ++paths;
    } else if (name == "polyline") {
      std::istringstream pts{n.attribute("points").value()};
      double x = 0, y = 0;
      char comma = 0;
      while (pts >> x >> comma >> y)
        rightmost_data = std::max(rightmost_data, x);
    } else if (name == "text" && std::string{n.child_value()}.find("combined limit)")
                                   != std::string::npos) {
      leftmost_legend = std::min(leftmost_legend, n.attribute("x").as_double());
    }
  }
  CHECK(paths == 2); // achieved and ideal created
  CHECK(rightmost_data < leftmost_legend);
  // Round ticks: the time axis counts in a round step (here 5 s: 0 5 10 ... 30).
  CHECK(out.str().find(">15</text>") != std::string::npos);
  CHECK(out.str().find(">30</text>") != std::string::npos);
  CHECK(out.str().find(">12</text>") == std::string::npos);
  CHECK(out.str().find(">6000</text>") != std::string::npos);
  CHECK(out.str().find("limit 25 s") != std::string::npos);
}
