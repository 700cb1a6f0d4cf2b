#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "runtime/request_spec.hpp"

using namespace styx;

namespace {

constexpr unix_ms now_ms = 1'767'225'600'000;

provision_request parse(const std::string& yaml) {
  return parse_request_spec(yaml, "spec.yaml", now_ms);
}

/// The error parsing `yaml` throws; empty if it parses.
std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const spec_error& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_CASE("a spec with every field", "[request_spec]") {
  auto req = parse("name: web\n"
                   "count: 100\n"
                   "min_count: 80\n"
                   "cpus: 4\n"
                   "memory: 16.5\n"
                   "gpus: 1\n"
                   "gpu_kind: v100\n"
                   "provider: sim\n"
                   "region: us-east-1\n"
                   "zone: us-east-1a\n"
                   "instance_type: m5.xlarge\n"
                   "spot: true\n"
                   "max_price: 0.1\n"
                   "image: ami-123\n"
                   "tags: {env: prod, team: infra}\n"
                   "timeout: 600\n");
  CHECK(req.name() == "web");
  CHECK(req.count() == 100);
  CHECK(req.min_count() == 80);
  CHECK(req.shape().cpus() == 4);
  CHECK(req.shape().memory_gib() == 16.5);
  CHECK(req.shape().gpus() == 1);
  CHECK(req.shape().gpu_kind() == "v100");
  CHECK(req.where().providers == std::vector<std::string>{"sim"});
  CHECK(req.where().regions == std::vector<std::string>{"us-east-1"});
  CHECK(req.where().zones == std::vector<std::string>{"us-east-1a"});
  CHECK(req.where().instance_types == std::vector<std::string>{"m5.xlarge"});
  CHECK(req.pay().kind == market_kind::spot);
  CHECK(req.pay().max_price == 0.1);
  CHECK(req.image() == "ami-123");
  CHECK(req.tags() == tag_map{{"env", "prod"}, {"team", "infra"}});
  CHECK(req.deadline() == now_ms + 600'000);
}

TEST_CASE("a spec with only a name takes the defaults", "[request_spec]") {
  auto req = parse("name: tiny\n");
  CHECK(req.name() == "tiny");
  CHECK(req.count() == 1);
  CHECK(req.min_count() == 0);
  CHECK(req.shape().cpus() == 1);
  CHECK(req.shape().memory_gib() == 1);
  CHECK(req.shape().gpus() == 0);
  CHECK(req.pay().kind == market_kind::on_demand);
  CHECK(req.pay().max_price == 0);
  CHECK(req.where().regions.empty());
  CHECK(req.tags().empty());
  CHECK(req.image().empty());
  CHECK(req.deadline() == 0); // no timeout: no deadline
}

TEST_CASE("a spec field order does not matter, shape fields included", "[request_spec]") {
  auto req = parse("memory: 8\ncount: 3\ncpus: 2\nname: x\n");
  CHECK(req.shape().cpus() == 2);
  CHECK(req.shape().memory_gib() == 8);
  CHECK(req.count() == 3);
}

TEST_CASE("placement fields take a single value or a list", "[request_spec]") {
  auto req = parse("name: x\n"
                   "provider: [sim, aws]\n"
                   "region:\n"
                   "  - us-east-1\n"
                   "  - us-west-2\n"
                   "zone: [us-east-1a]\n"
                   "instance_type: [m5.large, c5.large, r5.large]\n");
  CHECK(req.where().providers == std::vector<std::string>{"sim", "aws"});
  CHECK(req.where().regions == std::vector<std::string>{"us-east-1", "us-west-2"});
  CHECK(req.where().zones == std::vector<std::string>{"us-east-1a"});
  CHECK(req.where().instance_types
        == std::vector<std::string>{"m5.large", "c5.large", "r5.large"});
}

TEST_CASE("spec spot and timeout forms", "[request_spec]") {
  CHECK(parse("name: x\nspot: false\n").pay().kind == market_kind::on_demand);
  CHECK(parse("name: x\nspot: true\n").pay().kind == market_kind::spot);
  CHECK(parse("name: x\ntimeout: 1.5\n").deadline() == now_ms + 1500);
  CHECK(parse("name: x\ntimeout: 3600\n").deadline() == now_ms + 3'600'000);
}

TEST_CASE("spec tags are strings, whatever they look like", "[request_spec]") {
  auto req = parse("name: x\ntags:\n  env: prod\n  port: 8080\n  on: true\n");
  CHECK(req.tags() == tag_map{{"env", "prod"}, {"port", "8080"}, {"on", "true"}});
}

TEST_CASE("an unknown key is an error naming the key and its line", "[request_spec]") {
  CHECK(error_of("name: x\ncount: 2\ncout: 5\n") == "spec.yaml: line 3: unknown field 'cout'");
  CHECK(error_of("memory_gib: 4\n") == "spec.yaml: line 1: unknown field 'memory_gib'");
}

TEST_CASE("malformed YAML is a one-line error with the line number", "[request_spec]") {
  auto err = error_of("name: x\ncount: 2\ntags: {env: prod\nspot: true\n");
  INFO(err);
  CHECK(err.rfind("spec.yaml: line ", 0) == 0);
  CHECK(err.find("malformed YAML") != std::string::npos);
  CHECK(err.find('\n') == std::string::npos);
  auto err2 = error_of("name: x\n  count: 2\n");
  INFO(err2);
  CHECK(err2.rfind("spec.yaml: line 2: malformed YAML", 0) == 0);
  CHECK(err2.find('\n') == std::string::npos);
}

TEST_CASE("invalid values are errors naming the key, the value and the line", "[request_spec]") {
  CHECK(error_of("name: x\ncount: abc\n")
        == "spec.yaml: line 2: 'count' has an invalid value 'abc'");
  CHECK(error_of("count: 1.5\n") == "spec.yaml: line 1: 'count' has an invalid value '1.5'");
  CHECK(error_of("min_count: x\n") == "spec.yaml: line 1: 'min_count' has an invalid value 'x'");
  CHECK(error_of("cpus: lots\n") == "spec.yaml: line 1: 'cpus' has an invalid value 'lots'");
  CHECK(error_of("memory: 16GiB\n")
        == "spec.yaml: line 1: 'memory' has an invalid value '16GiB'");
  CHECK(error_of("gpus: one\n") == "spec.yaml: line 1: 'gpus' has an invalid value 'one'");
  CHECK(error_of("spot: maybe\n") == "spec.yaml: line 1: 'spot' has an invalid value 'maybe'");
  CHECK(error_of("max_price: cheap\n")
        == "spec.yaml: line 1: 'max_price' has an invalid value 'cheap'");
  CHECK(error_of("timeout: 10m\n") == "spec.yaml: line 1: 'timeout' has an invalid value '10m'");
  CHECK(error_of("count: 99999999999\n")
        == "spec.yaml: line 1: 'count' has an invalid value '99999999999'");
}

TEST_CASE("fields that take one value refuse a list or a mapping", "[request_spec]") {
  CHECK(error_of("name: x\ncount: [1, 2]\n")
        == "spec.yaml: line 2: 'count' must be a single value");
  CHECK(error_of("name: {a: b}\n") == "spec.yaml: line 1: 'name' must be a single value");
  CHECK(error_of("region: [[us-east-1]]\n")
        == "spec.yaml: line 1: 'region' must be a single value");
  CHECK(error_of("tags: [env, prod]\n")
        == "spec.yaml: line 1: 'tags' must be a mapping of key: value");
  CHECK(error_of("tags: {env: [a, b]}\n") == "spec.yaml: line 1: 'tags' must be a single value");
}

TEST_CASE("keys that are not plain words are refused", "[request_spec]") {
  CHECK(error_of("name: x\n? [a, b]\n: 1\n")
        == "spec.yaml: line 2: a field name must be a single word");
  CHECK(error_of("name: x\ntags:\n  ? [a]\n  : b\n")
        == "spec.yaml: line 3: 'tags' must be a mapping of key: value");
}

TEST_CASE("a spec that is not a mapping is refused", "[request_spec]") {
  CHECK(error_of("- name: x\n")
        == "spec.yaml: expected a mapping of fields (name, count, cpus, ...)");
  CHECK(error_of("just words\n")
        == "spec.yaml: expected a mapping of fields (name, count, cpus, ...)");
  CHECK(error_of("") == "spec.yaml: expected a mapping of fields (name, count, cpus, ...)");
}

TEST_CASE("a spec that parses but does not validate says why", "[request_spec]") {
  CHECK(error_of("name: x\ncount: 5\nmin_count: 6\n")
        == "spec.yaml: min-count (6) exceeds count (5)");
  CHECK(error_of("name: x\ncount: 0\n") == "spec.yaml: count must be positive, got 0");
  CHECK(error_of("name: x\ncount: -2\n") == "spec.yaml: count must be positive, got -2");
  CHECK(error_of("name: x\ncpus: 0\n") == "spec.yaml: cpus must be positive");
  CHECK(error_of("name: x\nmax_price: -1\n") == "spec.yaml: max price must not be negative");
  CHECK(error_of("name: ''\n") == "spec.yaml: name must not be empty");
  CHECK(error_of("name: x\ntags: {'styx:engine': me}\n")
        == "spec.yaml: tag key 'styx:engine' is empty or reserved (styx:*)");
}

TEST_CASE("every spec error is a single line", "[request_spec]") {
  const char* bad[] = {"name: [", "count: abc", "cout: 1", "count: 0", "{", "tags: 5",
                       "name: x\ncount: 1\n\tspot: true\n", "timeout: -5", "? [a, b]\n: 1\n"};
  for (auto yaml : bad) {
    INFO(yaml);
    auto err = error_of(yaml);
    CHECK_FALSE(err.empty());
    CHECK(err.rfind("spec.yaml", 0) == 0);
    CHECK(err.find('\n') == std::string::npos);
  }
}

TEST_CASE("a spec timeout is a sane number of seconds, and 0 means none", "[request_spec]") {
  CHECK(parse("name: x\ntimeout: 0\n").deadline() == 0); // as `styx up --timeout 0`
  CHECK(error_of("name: x\ntimeout: -5\n") == "spec.yaml: line 2: 'timeout' must not be negative");
  CHECK(error_of("name: x\ntimeout: .nan\n")
        == "spec.yaml: line 2: 'timeout' must not be negative");
  CHECK(error_of("name: x\ntimeout: .inf\n")
        == "spec.yaml: line 2: 'timeout' must be at most 10 years (315360000 seconds)");
  CHECK(error_of("name: x\ntimeout: 1e300\n")
        == "spec.yaml: line 2: 'timeout' must be at most 10 years (315360000 seconds)");
  CHECK(parse("name: x\ntimeout: 315360000\n").deadline() == now_ms + 315'360'000'000);
}

TEST_CASE("load_request_spec reads a file and names it in errors", "[request_spec]") {
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("styx-spec-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto good = (dir / "good.yaml").string();
  auto bad = (dir / "bad.yaml").string();
  std::ofstream{good} << "name: from-file\ncount: 7\nregion: [a, b]\ntimeout: 60\n";
  std::ofstream{bad} << "name: x\nbogus: 1\n";
  auto req = load_request_spec(good, now_ms);
  CHECK(req.name() == "from-file");
  CHECK(req.count() == 7);
  CHECK(req.where().regions == std::vector<std::string>{"a", "b"});
  CHECK(req.deadline() == now_ms + 60'000);
  try {
    load_request_spec(bad, now_ms);
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(std::string(e.what()) == bad + ": line 2: unknown field 'bogus'");
  }
  auto missing = (dir / "missing.yaml").string();
  try {
    load_request_spec(missing, now_ms);
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(std::string(e.what()) == missing + ": cannot read the file");
  }
  fs::remove_all(dir);
}
