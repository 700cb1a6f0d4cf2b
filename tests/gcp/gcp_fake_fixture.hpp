#pragma once
// The fake Compute API (tests/fakes/gcp/compute_fake.py) for tests: started on a free loopback
// port as a child process, waited for until it answers, killed by the destructor (and by the
// kernel should the test die first). Header-only.
//
//   gcp_fake fake;                          // throws if python3 / Flask are missing
//   fake.endpoint()                         // "http://127.0.0.1:PORT/compute/v1/"
//   fake.faults(R"({"zone": "us-central1-a", "capacity": 0})");
//   fake.stat("instances.bulkInsert")       // its request counters
//   fake.use_env()                          // CLOUDSDK_* for Styx and gcloud alike
//   gcloud(fake, "compute instances list --format=json")
//   libcloud_nodes(fake, "styx-engine=E")    // Apache libcloud's GCE driver's view

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <simdjson.h>

#include "tests/aws/ec2_engine_fixture.hpp" // run_command, http_body
#include "tests/aws/moto_fixture.hpp"       // free_loopback_port, stop_child, loopback_http
#include "tests/fake_process.hpp"

namespace styx::test {

constexpr const char* gcp_test_token = "styx-test-token";
constexpr const char* gcp_test_project = "styx-test";

inline std::string gcp_fake_script() {
  return std::string{STYX_SOURCE_DIR} + "/tests/fakes/gcp/compute_fake.py";
}

/// The fake as a child process. Thread rules: its methods may be called from any thread (each
/// is one HTTP exchange or reads nothing mutable). Lifetimes: the process lives as long as the
/// object (and never longer than the test process: PR_SET_PDEATHSIG).
class gcp_fake {
public:
  struct options {
    std::vector<std::string> args; // more flags: --service-account K, --token-lifetime N, ...
    double op_seconds = 0.2;
    double boot_seconds = 0.4;
  };

  gcp_fake() : gcp_fake(options{}) {}

  explicit gcp_fake(options o) {
    for (int attempt = 0; attempt < 3; ++attempt) { // a port may be taken between probe and bind
      port_ = free_loopback_port();
      spawn(o);
      if (wait_ready())
        return;
      stop_child(pid_);
    }
    throw std::runtime_error("the fake Compute API did not start (python3 with Flask and "
                             "cryptography is needed): " + gcp_fake_script());
  }

  ~gcp_fake() { stop_child(pid_); }
  gcp_fake(const gcp_fake&) = delete;
  gcp_fake& operator=(const gcp_fake&) = delete;

  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string endpoint() const { return base() + "/compute/v1/"; }
  std::string token_uri() const { return base() + "/token"; }

  /// The body of an admin POST (a JSON body).
  std::string post(const std::string& path, const std::string& json) const {
    return http_body(loopback_http(port_, "POST", path, json, "application/json"));
  }

  std::string get(const std::string& path) const {
    return http_body(loopback_http(port_, "GET", path));
  }

  void faults(const std::string& json) const { post("/fake/faults", json); }
  void reset() const { post("/fake/reset", "{}"); }

  /// A request counter (by method, "instances.bulkInsert"; "requests" for all of Compute's).
  int64_t stat(const std::string& name, const char* group = "calls") const {
    auto body = get("/fake/stats");
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    int64_t n = 0;
    if (parser.parse(body).get(doc) != simdjson::SUCCESS || doc[group][name].get(n) != simdjson::SUCCESS)
      return 0;
    return n;
  }

  /// The environment Styx's gcloud chain and gcloud itself read: this fake, `token`.
  void use_env(const std::string& token = gcp_test_token) const {
    setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", endpoint().c_str(), 1);
    setenv("CLOUDSDK_CORE_PROJECT", gcp_test_project, 1);
    setenv("CLOUDSDK_CORE_DISABLE_PROMPTS", "1", 1);
    setenv("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "1", 1);
    setenv("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "1", 1);
    auto config = "/tmp/styx-gcloud-config-" + std::to_string(::getpid());
    setenv("CLOUDSDK_CONFIG", config.c_str(), 1);
    if (token.empty())
      unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN");
    else
      setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", token.c_str(), 1);
    for (auto* var : {"GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT",
                      "CLOUDSDK_COMPUTE_REGION", "CLOUDSDK_COMPUTE_ZONE",
                      "CLOUDSDK_ACTIVE_CONFIG_NAME"})
      unsetenv(var);
  }

  /// The fake's own view (no auth, no counters): name -> status of every instance.
  std::map<std::string, std::string> statuses() const {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::map<std::string, std::string> out;
    if (parser.parse(get("/fake/state")).get(doc) != simdjson::SUCCESS)
      return out;
    for (auto inst : doc["instances"].get_array())
      out[std::string(std::string_view(inst["name"]))] =
        std::string(std::string_view(inst["status"]));
    return out;
  }

  /// Waits up to `secs` until `pred(statuses())`; false if it never held.
  template <class Pred>
  bool wait_until(Pred pred, double secs = 20) const {
    for (int i = 0; i < static_cast<int>(secs * 20); ++i) {
      auto now = statuses();
      if (pred(now))
        return true;
      usleep(50'000);
    }
    return false;
  }

private:
  void spawn(const options& o) {
    std::vector<std::string> argv{"python3",
                                  gcp_fake_script(),
                                  "--port",
                                  std::to_string(port_),
                                  "--project",
                                  gcp_test_project,
                                  "--token",
                                  gcp_test_token,
                                  "--op-seconds",
                                  std::to_string(o.op_seconds),
                                  "--boot-seconds",
                                  std::to_string(o.boot_seconds),
                                  "--staging-seconds",
                                  std::to_string(o.boot_seconds / 2),
                                  "--stop-seconds",
                                  std::to_string(o.op_seconds)};
    argv.insert(argv.end(), o.args.begin(), o.args.end());
    pid_ = spawn_quiet(std::move(argv));
  }

  bool wait_ready() { return wait_http_ready(pid_, port_, "/fake/stats"); }

  int port_ = 0;
  pid_t pid_ = -1;
};

/// One gcp provider in `region`, with the EC2 engine tests' short windows and fast polling;
/// its buckets: the project's default quotas (engine_config::gcp).
inline engine_config gcp_engine_config(const std::string& region = "us-central1") {
  auto cfg = aws_engine_config();
  cfg.providers.front().cloud = "gcp";
  cfg.providers.front().regions = {region};
  return cfg;
}

/// Runs gcloud with `args` (the environment of gcp_fake::use_env) and returns its stdout.
inline std::string gcloud(const std::string& args) {
  return run_command("gcloud " + args + " 2>/dev/null");
}

/// One instance as an outside client sees it.
struct gcp_seen {
  std::string name, zone, status, machine_type;
  std::map<std::string, std::string> labels;
};

/// Every instance of the project as gcloud lists it (`--filter` given: those it keeps).
inline std::vector<gcp_seen> gcloud_instances(const std::string& filter = {}) {
  auto out = gcloud("compute instances list --format=json"
                    + (filter.empty() ? std::string{} : " --filter='" + filter + "'"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS || !doc.is_array())
    throw std::runtime_error("gcloud printed no JSON list: " + out.substr(0, 300));
  std::vector<gcp_seen> xs;
  for (auto inst : doc.get_array()) {
    gcp_seen s;
    s.name = std::string(std::string_view(inst["name"]));
    s.status = std::string(std::string_view(inst["status"]));
    std::string_view zone = inst["zone"], type = inst["machineType"];
    s.zone = std::string(zone.substr(zone.rfind('/') + 1));
    s.machine_type = std::string(type.substr(type.rfind('/') + 1));
    simdjson::dom::object labels;
    if (inst["labels"].get(labels) == simdjson::SUCCESS)
      for (auto field : labels)
        s.labels[std::string(field.key)] = std::string(std::string_view(field.value));
    xs.push_back(std::move(s));
  }
  return xs;
}

/// The instances Apache libcloud's GCE driver lists (tests/fakes/gcp/libcloud_list.py under
/// Debian's /usr/bin/python3), those with every label of `label_filter` ("k=v k2=v2").
inline std::vector<gcp_seen> libcloud_nodes(const gcp_fake& fake, const std::string& label_filter) {
  auto out = run_command("/usr/bin/python3 " + std::string{STYX_SOURCE_DIR}
                         + "/tests/fakes/gcp/libcloud_list.py " + fake.base() + " "
                         + gcp_test_project + " " + gcp_test_token + " " + label_filter
                         + " 2>&1");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS)
    throw std::runtime_error("libcloud_list.py printed no JSON: " + out.substr(0, 400));
  std::vector<gcp_seen> xs;
  for (auto node : doc["nodes"].get_array()) {
    gcp_seen s;
    s.name = std::string(std::string_view(node["name"]));
    s.zone = std::string(std::string_view(node["zone"]));
    s.status = std::string(std::string_view(node["state"]));
    s.machine_type = std::string(std::string_view(node["size"]));
    for (auto field : node["labels"].get_object())
      s.labels[std::string(field.key)] = std::string(std::string_view(field.value));
    xs.push_back(std::move(s));
  }
  return xs;
}

} // namespace styx::test
