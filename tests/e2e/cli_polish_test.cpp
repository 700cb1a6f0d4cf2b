// The CLI as users of kubectl and the aws CLI expect it (issue 19, part 4): --version, the
// exit codes in --help, `styx check`, `styx up --provider --help`, an impossible placement
// that names what exists, the status summary per provider and bash completion.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "tests/styx_cli.hpp"

using namespace styx::test;

namespace {

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path()
             / ("styx-polish-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

/// No cloud credentials in reach while it lives: HOME an empty directory, the AWS, GCP, Azure
/// and Kubernetes variables unset or pointing at nothing. The old environment comes back after.
class bare_env {
public:
  explicit bare_env(const std::string& home) {
    std::filesystem::create_directories(home);
    set("HOME", home);
    set("KUBECONFIG", home + "/no-kubeconfig");
    set("AWS_CONFIG_FILE", home + "/no-aws-config");
    set("AWS_SHARED_CREDENTIALS_FILE", home + "/no-aws-credentials");
    set("CLOUDSDK_CONFIG", home + "/no-gcloud");
    for (auto* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                    "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                    "AWS_ENDPOINT_URL_EC2", "GOOGLE_APPLICATION_CREDENTIALS",
                    "CLOUDSDK_AUTH_ACCESS_TOKEN", "CLOUDSDK_CORE_PROJECT", "AZURE_CLIENT_ID",
                    "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID",
                    "AZURE_RESOURCE_GROUP", "STYX_STATE_DIR"}) {
      save(v);
      unsetenv(v);
    }
  }
  ~bare_env() {
    for (auto& [name, value] : saved_)
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
  }

private:
  void save(const char* name) {
    auto* v = std::getenv(name);
    saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  void set(const char* name, const std::string& value) {
    save(name);
    setenv(name, value.c_str(), 1);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

/// `body` run by bash after sourcing `script_file`, stdout and stderr together.
styx_run run_bash(const std::string& script_file, const std::string& body) {
  return shell_run("bash -c 'source " + script_file + " && " + body + "' 2>&1");
}

} // namespace

TEST_CASE("styx --version prints the project version and --help lists the exit codes") {
  auto dir = temp_dir("version");
  auto v = styx_cli(dir, "--version");
  CHECK(v.rc == 0);
  // The project's version, as CMakeLists.txt's project() line says it.
  std::ifstream cmake{std::string{STYX_SOURCE_DIR} + "/CMakeLists.txt"};
  std::string text{std::istreambuf_iterator<char>(cmake), {}};
  auto at = text.find("project(styx VERSION ");
  REQUIRE(at != std::string::npos);
  at += std::string("project(styx VERSION ").size();
  auto version = text.substr(at, text.find(' ', at) - at);
  CHECK(v.out == "styx " + version + "\n");
  auto help = styx_cli(dir, "--help");
  CHECK(help.rc == 0);
  CHECK(help.out.find("Exit codes:") != std::string::npos);
  CHECK(help.out.find("  2    bad input") != std::string::npos);
  CHECK(help.out.find("  130  styx up interrupted by SIGINT") != std::string::npos);
  CHECK(help.out.find("check") != std::string::npos);
  CHECK(help.out.find("completion") != std::string::npos);
}

TEST_CASE("styx check: sim and local are usable - a cloud without credentials says why") {
  auto dir = temp_dir("check");
  bare_env env{dir + "-home"};
  auto ok = styx_cli(dir, "check --provider sim --provider local");
  INFO(ok.out);
  CHECK(ok.rc == 0);
  CHECK(ok.out.find("sim: usable; credentials: none needed (the simulated cloud); answered "
                    "(us-east-1, us-west-2, eu-west-1)")
        != std::string::npos);
  CHECK(ok.out.find("local: usable; credentials: none needed (processes on this machine); "
                    "answered (localhost)")
        != std::string::npos);
  CHECK(ok.out.find("2 of 2 cloud(s) usable for styx up") != std::string::npos);

  auto aws = styx_cli(dir, "check --provider sim --provider aws --region us-east-1");
  INFO(aws.out);
  CHECK(aws.rc == 1); // a requested cloud is not usable
  CHECK(aws.out.find("sim: usable") != std::string::npos);
  auto at = aws.out.find("aws: not usable: no credentials: ");
  REQUIRE(at != std::string::npos);
  auto line = aws.out.substr(at, aws.out.find('\n', at) - at);
  CHECK(line.find("CAF") == std::string::npos);
  CHECK(line.size() < 300); // one plain line
  CHECK(aws.out.find("1 of 2 cloud(s) usable") != std::string::npos);

  // Every cloud, without --provider: exit 0 while one is usable; JSON for programs.
  auto all = shell_run(std::string{STYX_BINARY} + " --state-dir " + dir + " check --json"
                       + " 2>/dev/null"); // stdout alone: the warnings go to stderr
  INFO(all.out);
  CHECK(all.rc == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(all.out).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array clouds = doc["clouds"];
  CHECK(clouds.size() == 6);
  int usable = 0;
  for (auto c : clouds) {
    bool u = c["usable"];
    usable += u ? 1 : 0;
    if (std::string_view(c["cloud"]) == "sim")
      CHECK(u);
    if (!u)
      CHECK(std::string_view(c["reason"]).size() > 0);
  }
  CHECK(int64_t(doc["usable"]) == usable);
  CHECK(usable >= 2);

  auto unknown = styx_cli(dir, "check --provider nimbus");
  CHECK(unknown.rc == 2);
  CHECK(unknown.out.find("styx: unknown provider 'nimbus'") != std::string::npos);
}

TEST_CASE("styx up --provider --help lists the clouds and which have credentials") {
  auto dir = temp_dir("provider-help");
  bare_env env{dir + "-home"};
  auto r = styx_cli(dir, "up --provider --help");
  INFO(r.out);
  CHECK(r.rc == 0);
  for (auto* cloud : {"sim", "aws", "gcp", "azure", "kubernetes", "local"})
    CHECK(r.out.find(std::string("\n  ") + cloud + " ") != std::string::npos);
  CHECK(r.out.find("  sim         credentials: none needed") != std::string::npos);
  CHECK(r.out.find("  aws         not available: ") != std::string::npos);
  // The plain --help names them too.
  auto help = styx_cli(dir, "up --help");
  CHECK(help.out.find("sim, aws, gcp, azure, kubernetes, local") != std::string::npos);
}

TEST_CASE("an impossible placement names the known regions and the closest offering") {
  auto dir = temp_dir("mars");
  auto r = styx_cli(dir, "up --region mars-1 --cpus 2");
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(r.out.find("no provider has an offering that fits the request") != std::string::npos);
  CHECK(r.out.find("known regions: sim/eu-west-1, sim/us-east-1, sim/us-west-2")
        != std::string::npos);
  auto at = r.out.find("closest offering: sim/");
  REQUIRE(at != std::string::npos);
  CHECK(r.out.find("(2 vCPU", at) != std::string::npos); // the size asked for, elsewhere
  auto json = styx_cli(dir, "up --region mars-1 --json");
  CHECK(json.rc == 1);
  CHECK(json.out.find("known regions: sim/") != std::string::npos);
}

TEST_CASE("styx status ends with a summary line per provider and state") {
  auto dir = temp_dir("summary");
  auto up = styx_cli(dir, "up --count 5 --region us-east-1 --name a");
  REQUIRE(up.rc == 0);
  REQUIRE(styx_cli(dir, "up --count 2 --region eu-west-1 --name b").rc == 0);
  REQUIRE(styx_cli(dir, "up --count 1 --region eu-west-1 --name c --tag pause=yes").rc == 0);
  auto stop = styx_cli(dir, "stop --tag pause=yes");
  INFO(stop.out);
  REQUIRE(stop.rc == 0);
  auto st = styx_cli(dir, "status");
  INFO(st.out);
  CHECK(st.rc == 0);
  CHECK(st.out.find("8 instance(s), 7 running, 1 stopped\n") != std::string::npos);
  CHECK(st.out.find("\n  sim/eu-west-1: 3 (2 running, 1 stopped)\n") != std::string::npos);
  CHECK(st.out.find("\n  sim/us-east-1: 5 (5 running)\n") != std::string::npos);
  styx_cli(dir, "down --all");
}

TEST_CASE("styx completion bash: a script bash accepts that completes commands and flags") {
  auto dir = temp_dir("completion");
  auto r = styx_cli(dir, "completion bash");
  REQUIRE(r.rc == 0);
  auto file = dir + "-completion.bash";
  std::ofstream{file} << r.out;
  auto syntax = run_bash(file, "true");
  CHECK(syntax.rc == 0);
  CHECK(std::system(("bash -n " + file).c_str()) == 0);
  auto words = [&](const std::string& line, int cword) {
    return run_bash(file, "COMP_WORDS=(" + line + "); COMP_CWORD=" + std::to_string(cword)
                            + "; _styx; echo \"${COMPREPLY[*]}\"")
      .out;
  };
  CHECK(words("styx st \"\"", 1) == "status stop start\n");
  CHECK(words("styx ch", 1) == "check\n");
  CHECK(words("styx up --prov", 2) == "--provider\n");
  CHECK(words("styx up --provider a", 3) == "aws azure\n");
  CHECK(words("styx status --js", 2) == "--json\n");
  CHECK(words("styx completion \"\"", 2) == "bash\n");
  CHECK(run_bash(file, "complete -p styx").out == "complete -F _styx styx\n");
  auto bad = styx_cli(dir, "completion zsh");
  CHECK(bad.rc == 2);
  CHECK(bad.out.find("styx: unknown shell 'zsh' (known: bash)") != std::string::npos);
}
