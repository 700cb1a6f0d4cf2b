// The styx program as a user runs it: separate processes for up, status and down sharing one
// state directory, and one-line errors with exit code 2 for bad input.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

result styx(const std::string& dir, const std::string& args) {
  auto err_file = dir + ".stderr";
  auto cmd = std::string{"NO_COLOR=1 "} + STYX_BINARY + " --state-dir " + dir + " " + args
             + " 2>" + err_file;
  result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    r.out.append(buf, n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp(err_file);
  return r;
}

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path()
             / ("styx-cli-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
    ++n;
  return n;
}

} // namespace

TEST_CASE("up 1000, status in another process, down --all") {
  auto dir = temp_dir("main");
  auto up = styx(dir, "up --count 1000 --name web --tag app=web");
  INFO(up.err);
  REQUIRE(up.code == 0);
  CHECK(up.out.find("1000/1000 running") != std::string::npos);

  auto status = styx(dir, "status --json");
  REQUIRE(status.code == 0);
  CHECK(status.out.find("\"count\":1000") != std::string::npos);
  CHECK(count_of(status.out, "\"state\":\"running\"") == 1000);
  CHECK(count_of(status.out, "\"app\":\"web\"") == 1000);

  auto down = styx(dir, "down --all");
  INFO(down.err);
  REQUIRE(down.code == 0);
  CHECK(down.out.find("1000 instance(s) asked") != std::string::npos);

  auto after = styx(dir, "status --json");
  REQUIRE(after.code == 0);
  CHECK(after.out.find("\"count\":0") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("stop and start by tag, down by name") {
  auto dir = temp_dir("tags");
  REQUIRE(styx(dir, "up --count 20 --tag team=a").code == 0);
  REQUIRE(styx(dir, "up --count 10 --name other --tag team=b").code == 0);
  REQUIRE(styx(dir, "stop --tag team=b").code == 0);
  auto status = styx(dir, "status --json").out;
  CHECK(count_of(status, "\"state\":\"stopped\"") == 10);
  CHECK(count_of(status, "\"state\":\"running\"") == 20);
  // Starting a running instance is an illegal transition: refused, nothing moves.
  REQUIRE(styx(dir, "start --tag team=b").code == 0);
  status = styx(dir, "status --json").out;
  CHECK(count_of(status, "\"state\":\"running\"") == 30);
  REQUIRE(styx(dir, "down other-0001").code == 0);
  status = styx(dir, "status --json").out;
  CHECK(status.find("\"count\":29") != std::string::npos);
  REQUIRE(styx(dir, "down --all").code == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("bad input gets one line and exit code 2") {
  auto dir = temp_dir("bad");
  auto spec = dir + "-bad.yaml";
  {
    std::ofstream out{spec};
    out << "name: x\ncount: [1, 2\n";
  }
  auto unknown_field = dir + "-unknown.yaml";
  {
    std::ofstream out{unknown_field};
    out << "name: x\ncounts: 3\n";
  }
  const std::pair<std::string, std::string> cases[] = {
    {"up --count 0", "count must be positive"},
    {"up --count -5", "count must be positive"},
    {"up --count 3 --min-count 5", "min-count (5) exceeds count (3)"},
    {"up --provider nope", "unknown provider 'nope'"},
    {"up --bogus", "--bogus"},
    {"up --count abc", "abc"},
    {"up --tag novalue", "--tag expects key=value"},
    {"up --file " + spec, "malformed YAML"},
    {"up --file " + unknown_field, "unknown field 'counts'"},
    {"up --file /nonexistent.yaml", "cannot read"},
    {"down", "nothing selected"},
    {"frobnicate", "frobnicate"},
    {"bench --shape zigzag", "unknown shape 'zigzag'"},
    {"bench --arrival poisson", "needs a positive arrival rate"},
    {"bench --provider oracle", "unknown provider 'oracle'"},
    {"bench --file " + unknown_field, "unknown field 'name'"},
    {"up --policy quick", "unknown policy 'quick'"},
    {"up --policy cheapest-within", "needs a deadline"},
    {"up --policy fastest 30s", "takes no deadline"},
    {"bench --policy cheapest-within soon", "'soon' is not a deadline"},
    {"bench --price-step -1", "price-step must not be negative"},
  };
  for (auto& [args, message] : cases) {
    auto r = styx(dir, args);
    INFO(args << " -> " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(count_of(r.err, "\n") == 1);
    CHECK(r.out.empty());
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a corrupted cloud state is a clear error and is not destroyed") {
  auto dir = temp_dir("corrupt");
  REQUIRE(styx(dir, "up --count 3").code == 0);
  auto state = dir + "/sim-cloud.json";
  {
    std::ofstream out{state, std::ios::trunc};
    out << "{\"version\": 1, \"instances\": [ {\"cloud_id\": ";
  }
  auto before = slurp(state);
  auto r = styx(dir, "status");
  CHECK(r.code == 1);
  CHECK(r.err.find("sim-cloud.json") != std::string::npos);
  CHECK(count_of(r.err, "\n") == 1);
  CHECK(slurp(state) == before);
  std::filesystem::remove_all(dir);
}

TEST_CASE("up prints its plan before it starts and --json carries it") {
  auto dir = temp_dir("plan");
  auto fast = styx(dir, "up --count 30 --policy fastest");
  INFO(fast.err);
  REQUIRE(fast.code == 0);
  auto plan = fast.out.find("plan: 30 on 3 providers");
  CHECK(plan != std::string::npos);
  CHECK(plan < fast.out.find("30/30 running"));
  auto json = styx(dir, "up --count 4 --json");
  INFO(json.err);
  REQUIRE(json.code == 0);
  CHECK(json.out.find("\"plan\":{\"policy\":\"cheapest\",\"count\":4,") != std::string::npos);
  CHECK(json.out.find("\"share\":4,") != std::string::npos);
  REQUIRE(styx(dir, "down --all").code == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("bench from a scenario file: a seeded mix arriving as a Poisson process") {
  auto dir = temp_dir("bench");
  auto scenario = dir + "-scenario.yaml";
  {
    std::ofstream out{scenario};
    out << "count: 600\nshape: mix\narrival: poisson\narrival_rate: 200\nprofile: unlimited\n"
           "seed: 3\n";
  }
  auto r = styx(dir, "bench --file " + scenario + " --json");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("\"count\":600") != std::string::npos);
  CHECK(r.out.find("\"shape\":\"mix\"") != std::string::npos);
  CHECK(r.out.find("\"arrival\":\"poisson\"") != std::string::npos);
  CHECK(r.out.find("\"running\":600") != std::string::npos);
  CHECK(r.out.find("\"failed\":0") != std::string::npos);
  CHECK(r.out.find("\"requests\":1,") == std::string::npos); // a mix is many requests
  std::filesystem::remove(scenario);
  std::filesystem::remove_all(dir);
}
