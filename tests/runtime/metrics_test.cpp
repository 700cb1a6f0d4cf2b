// The metrics registry's text format (runtime/metrics.hpp): HELP and TYPE lines, label
// escaping, cumulative histogram buckets with _sum and _count; the engine's metrics after a
// fan-out on the simulated cloud, and Debian's promtool accepting them.

#include <catch2/catch.hpp>

#include <thread>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

#include "runtime/engine.hpp"
#include "runtime/metrics.hpp"
#include "tests/runtime/fast_engine.hpp"

using namespace styx;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

/// The value of the sample `series` (name and labels exactly as rendered), or -1.
double sample(const std::string& text, const std::string& series) {
  auto at = ("\n" + text).find("\n" + series + " ");
  if (at == std::string::npos)
    return -1;
  return std::strtod(text.c_str() + at + series.size() + 1, nullptr);
}

/// promtool check metrics on `text`: its exit code and output, or -1 without promtool.
int promtool_check(const std::string& text, std::string& output) {
  if (access("/usr/bin/promtool", X_OK) != 0)
    return -1;
  char path[] = "/tmp/styx-metrics-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream{path} << text;
  std::string cmd = std::string{"/usr/bin/promtool check metrics < "} + path + " 2>&1";
  auto* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (auto n = fread(buf, 1, sizeof buf, p))
    output.append(buf, n);
  int rc = pclose(p);
  std::remove(path);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

} // namespace

TEST_CASE("a counter and a gauge render with HELP and TYPE and their labels") {
  metrics_registry m;
  m.describe("styx_things_total", metric_type::counter, "Things done.", {"kind", "where"});
  m.describe("styx_level", metric_type::gauge, "A level.");
  m.add("styx_things_total", {"a", "x"});
  m.add("styx_things_total", {"a", "x"}, 2);
  m.set("styx_things_total", {"b", "y"}, 7);
  m.set("styx_level", {}, -1.5);
  auto t = m.text();
  CHECK(has_line(t, "# HELP styx_things_total Things done."));
  CHECK(has_line(t, "# TYPE styx_things_total counter"));
  CHECK(has_line(t, "styx_things_total{kind=\"a\",where=\"x\"} 3"));
  CHECK(has_line(t, "styx_things_total{kind=\"b\",where=\"y\"} 7"));
  CHECK(has_line(t, "# TYPE styx_level gauge"));
  CHECK(has_line(t, "styx_level -1.5"));
  // Families by name: styx_level before styx_things_total.
  CHECK(t.find("styx_level") < t.find("styx_things_total"));
  CHECK(m.value("styx_things_total", {"a", "x"}) == 3);
  CHECK_THROWS_AS(m.add("styx_things_total", {"a", "x"}, -1), std::invalid_argument);
  CHECK_THROWS_AS(m.add("styx_things_total", {"a"}), std::invalid_argument);
  CHECK_THROWS_AS(m.add("styx_unknown", {}), std::invalid_argument);
  CHECK_THROWS_AS(m.observe("styx_level", {}, 1), std::invalid_argument);
}

TEST_CASE("label values escape backslash and double quote and line feed while HELP escapes two") {
  metrics_registry m;
  m.describe("styx_x", metric_type::gauge, "Back\\slash and\nnew line \"quoted\".", {"v"});
  m.set("styx_x", {"a\\b\"c\nd"}, 1);
  auto t = m.text();
  CHECK(has_line(t, "# HELP styx_x Back\\\\slash and\\nnew line \"quoted\"."));
  CHECK(has_line(t, "styx_x{v=\"a\\\\b\\\"c\\nd\"} 1"));
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_help("a\"b") == "a\"b");
}

TEST_CASE("names and labels are checked when a family is declared") {
  metrics_registry m;
  CHECK_THROWS_AS(m.describe("1bad", metric_type::counter, "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.describe("bad-name", metric_type::counter, "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.describe("ok", metric_type::counter, "x", {"__reserved"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(m.describe("ok", metric_type::histogram, "x", {"le"}, {1}),
                  std::invalid_argument);
  CHECK_THROWS_AS(m.describe("h", metric_type::histogram, "x", {}, {2, 1}),
                  std::invalid_argument);
  CHECK_THROWS_AS(m.describe("g", metric_type::gauge, "x", {}, {1}), std::invalid_argument);
  m.describe("ns:ok_total", metric_type::counter, "x", {"a"});
  m.describe("ns:ok_total", metric_type::counter, "x", {"a"}); // again, the same: fine
  CHECK_THROWS_AS(m.describe("ns:ok_total", metric_type::gauge, "x", {"a"}),
                  std::invalid_argument);
}

TEST_CASE("a histogram has cumulative buckets up to +Inf then _sum and _count") {
  metrics_registry m;
  m.describe("styx_size", metric_type::histogram, "Sizes.", {"p"}, {1, 5, 10});
  for (double v : {0.5, 1.0, 3.0, 5.0, 7.0, 100.0})
    m.observe("styx_size", {"a"}, v);
  auto t = m.text();
  CHECK(has_line(t, "# TYPE styx_size histogram"));
  CHECK(has_line(t, "styx_size_bucket{p=\"a\",le=\"1\"} 2")); // 0.5 and 1 (le: <=)
  CHECK(has_line(t, "styx_size_bucket{p=\"a\",le=\"5\"} 4"));
  CHECK(has_line(t, "styx_size_bucket{p=\"a\",le=\"10\"} 5"));
  CHECK(has_line(t, "styx_size_bucket{p=\"a\",le=\"+Inf\"} 6"));
  CHECK(has_line(t, "styx_size_sum{p=\"a\"} 116.5"));
  CHECK(has_line(t, "styx_size_count{p=\"a\"} 6"));
  CHECK(m.value("styx_size", {"a"}) == 6);
  // Set whole from counts kept elsewhere (not cumulative, one for +Inf).
  m.set_histogram("styx_size", {"b"}, {1, 0, 2, 3}, 42);
  t = m.text();
  CHECK(has_line(t, "styx_size_bucket{p=\"b\",le=\"1\"} 1"));
  CHECK(has_line(t, "styx_size_bucket{p=\"b\",le=\"5\"} 1"));
  CHECK(has_line(t, "styx_size_bucket{p=\"b\",le=\"10\"} 3"));
  CHECK(has_line(t, "styx_size_bucket{p=\"b\",le=\"+Inf\"} 6"));
  CHECK(has_line(t, "styx_size_count{p=\"b\"} 6"));
  CHECK(has_line(t, "styx_size_sum{p=\"b\"} 42"));
  CHECK_THROWS_AS(m.set_histogram("styx_size", {"b"}, {1, 2}, 0), std::invalid_argument);
  // A histogram without labels and fractional bounds.
  m.describe("styx_seconds", metric_type::histogram, "Seconds.", {}, {0.25, 2.5});
  m.observe("styx_seconds", {}, 0.1);
  t = m.text();
  CHECK(has_line(t, "styx_seconds_bucket{le=\"0.25\"} 1"));
  CHECK(has_line(t, "styx_seconds_bucket{le=\"2.5\"} 1"));
  CHECK(has_line(t, "styx_seconds_sum 0.1"));
  CHECK(has_line(t, "styx_seconds_count 1"));
}

TEST_CASE("sample values print integers plainly and fractions round-trip and infinities and NaN") {
  CHECK(format_metric_value(0) == "0");
  CHECK(format_metric_value(12345678) == "12345678");
  CHECK(format_metric_value(-3) == "-3");
  CHECK(format_metric_value(0.1) == "0.1");
  CHECK(std::strtod(format_metric_value(1.0 / 3).c_str(), nullptr) == 1.0 / 3);
  CHECK(format_metric_value(1.0 / 0.0) == "+Inf");
  CHECK(format_metric_value(-1.0 / 0.0) == "-Inf");
  CHECK(format_metric_value(std::nan("")) == "NaN");
  CHECK(std::string{metrics_registry::content_type()}
        == "text/plain; version=0.0.4; charset=utf-8");
}

TEST_CASE("promtool accepts the registry's text with escapes and histograms") {
  metrics_registry m;
  m.describe("styx_x_total", metric_type::counter, "With \\ and\nnew line.", {"v"});
  m.set("styx_x_total", {"a\\b\"c\nd"}, 3);
  m.describe("styx_y_seconds", metric_type::histogram, "Seconds.", {"p"}, {0.5, 1, 10});
  m.observe("styx_y_seconds", {"q"}, 0.7);
  std::string out;
  int rc = promtool_check(m.text(), out);
  if (rc < 0) {
    WARN("promtool not installed (Debian's prometheus package): not checked");
    return;
  }
  INFO(out);
  CHECK(rc == 0);
}

TEST_CASE("the engine's metrics after a fan-out on the simulated cloud") {
  auto eng = engine::start(test::fast_config("", 23));
  auto before = eng->metrics_text();
  CHECK(has_line(before, "# TYPE styx_api_calls_total counter"));
  CHECK(sample(before, "styx_instances{state=\"running\"}") == 0);
  auto done = eng->submit(provision_request::make("m", resources{}.cpus(2)).count(40)).wait();
  REQUIRE(done.ok);
  auto t = eng->metrics_text();
  INFO(t);
  auto p = std::string{"provider=\"sim/us-east-1\""};
  CHECK(sample(t, "styx_instances_created_total{" + p + "}") == 40);
  CHECK(sample(t, "styx_api_calls_total{" + p + ",op=\"create\",outcome=\"ok\"}") >= 1);
  CHECK(sample(t, "styx_instances{state=\"running\"}") == 40);
  CHECK(sample(t, "styx_time_to_created_seconds_count") == 40);
  CHECK(sample(t, "styx_time_to_running_seconds_count") == 40);
  CHECK(sample(t, "styx_request_duration_seconds_count") == 1);
  CHECK(sample(t, "styx_requests_total{outcome=\"ok\"}") == 1);
  // Every create instance went out in some coalesced call: the batch sizes add up to 40.
  CHECK(sample(t, "styx_batch_size_sum{" + p + "}") >= 40);
  CHECK(sample(t, "styx_batch_size_count{" + p + "}") >= 1);
  CHECK(sample(t, "styx_in_flight{" + p + "}") >= 0);
  CHECK(sample(t, "styx_retry_budget{" + p + "}") > 0);
  CHECK(sample(t, "styx_throttles_total{" + p + "}") == 0);
  CHECK(sample(t, "styx_blocklist_entries{" + p + "}") == 0);
  REQUIRE(eng->terminate(selector::everything()) == 40);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated,
                              std::chrono::seconds(60)));
  t = eng->metrics_text();
  CHECK(sample(t, "styx_instances{state=\"running\"}") == 0);
  CHECK(sample(t, "styx_instances{state=\"terminated\"}") == 40);
  CHECK(sample(t, "styx_api_calls_total{" + p + ",op=\"terminate\",outcome=\"ok\"}") >= 1);
  std::string out;
  int rc = promtool_check(t, out);
  if (rc >= 0) {
    INFO(out);
    CHECK(rc == 0);
  }
}

TEST_CASE("the engine's bucket gauges show EC2's limits on the simulated cloud") {
  engine_config cfg; // EC2's default buckets
  cfg.threads = 2;
  cfg.sim.regions = {"us-east-1"};
  auto eng = engine::start(cfg);
  auto t = eng->metrics_text();
  INFO(t);
  auto p = std::string{"provider=\"sim/us-east-1\""};
  CHECK(sample(t, "styx_bucket_capacity{" + p + ",bucket=\"create_requests\"}") > 0);
  CHECK(sample(t, "styx_bucket_tokens{" + p + ",bucket=\"create_requests\"}") > 0);
  CHECK(sample(t, "styx_bucket_capacity{" + p + ",bucket=\"create_instances\"}") > 0);
}

TEST_CASE("the engine's metrics count instances not created yet as requested") {
  auto cfg = test::fast_config("", 29);
  // Five creates now, then one every 100 ms: most of the 30 wait in requested for a while.
  cfg.providers[0].limits.limits.create_instances = bucket_config{5, 10};
  auto eng = engine::start(cfg);
  auto h = eng->submit(provision_request::make("r", resources{}.cpus(1)).count(30));
  double most = 0;
  for (int i = 0; i < 300 && most < 10; ++i) {
    most = std::max(most, sample(eng->metrics_text(), "styx_instances{state=\"requested\"}"));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(most >= 10);
  auto done = h.wait_for(std::chrono::seconds(60));
  if (!done)
    WARN(eng->metrics_text()); // what waited, and where
  REQUIRE(done);
  REQUIRE(done->ok);
  auto t = eng->metrics_text();
  INFO(t);
  CHECK(sample(t, "styx_instances{state=\"requested\"}") == 0);
  CHECK(sample(t, "styx_instances{state=\"running\"}") == 30);
}
