#pragma once
// Helpers of the EC2 engine tests (tests/aws/ec2_engine_*_test.cpp): the whole engine against
// moto, checked independently with boto3.
//
//   use_aws_env(endpoint, key, secret)  the process environment resolve_aws_settings() reads
//   aws_engine_config(region)           one aws provider, fast polling, EC2's real buckets
//   inspect_ec2(endpoint, region, tag)  boto3's view (tests/fixtures/ec2_engine_inspect.py)
//   fault_proxy                         tests/fixtures/ec2_fault_proxy.py on a free port: moto
//                                       with EC2 errors on demand
//   loopback_http(port, ...)            (moto_fixture.hpp) one plain HTTP/1.0 exchange

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <simdjson.h>

#include "runtime/engine.hpp"
#include "tests/aws/moto_fixture.hpp" // free_loopback_port, stop_child, loopback_http

namespace styx::test {

/// Sets the variables the AWS credential chain reads, and unsets those that would interfere.
inline void use_aws_env(const std::string& endpoint, const std::string& key = "testing",
                        const std::string& secret = "testing") {
  setenv("AWS_ACCESS_KEY_ID", key.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  setenv("AWS_ENDPOINT_URL_EC2", endpoint.c_str(), 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent/styx-test-aws-config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/styx-test-aws-credentials", 1);
  for (auto* var : {"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION",
                    "AWS_DEFAULT_REGION"})
    unsetenv(var);
}

/// One aws provider in `region`: EC2's buckets, short windows, polling every 200 ms.
inline engine_config aws_engine_config(const std::string& region = "us-east-1") {
  provider_config limits;
  limits.create_window = window_policy{milliseconds(20), milliseconds(200), 1000};
  limits.change_window = window_policy{milliseconds(20), milliseconds(200), 500};
  limits.poll_interval = milliseconds(200);
  limits.sweep_interval = seconds(5);
  limits.retry = backoff_policy{milliseconds(50), seconds(1), 6};
  engine_config cfg;
  cfg.providers = {provider_spec{"aws", {region}, limits}};
  cfg.threads = 2;
  cfg.seed = 7;
  return cfg;
}

/// Runs `cmd` and returns what it printed on stdout.
inline std::string run_command(const std::string& cmd) {
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0)
    out.append(buf, n);
  pclose(pipe);
  return out;
}

inline std::string fixture_path(const std::string& name) {
  return std::string{STYX_SOURCE_DIR} + "/tests/fixtures/" + name;
}

/// One instance as boto3 sees it.
struct ec2_seen {
  std::string id, state, type, zone;
  std::map<std::string, std::string> tags;
};

struct ec2_view {
  std::vector<ec2_seen> instances;
  int reservations = 0;
};

/// Every instance tagged `key`=`value`, whatever its state, as boto3 describes it.
inline ec2_view inspect_ec2(const std::string& endpoint, const std::string& region,
                            const std::string& key, const std::string& value,
                            const std::string& access = "testing",
                            const std::string& secret = "testing") {
  auto out = run_command("python3 " + fixture_path("ec2_engine_inspect.py") + " " + endpoint
                         + " " + region + " '" + key + "=" + value + "' " + access + " '"
                         + secret + "'");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS)
    throw std::runtime_error("ec2_engine_inspect.py printed no JSON: " + out.substr(0, 300));
  ec2_view view;
  view.reservations = static_cast<int>(int64_t(doc["reservations"]));
  for (auto inst : doc["instances"].get_array()) {
    ec2_seen s;
    s.id = std::string(std::string_view(inst["id"]));
    s.state = std::string(std::string_view(inst["state"]));
    s.type = std::string(std::string_view(inst["type"]));
    s.zone = std::string(std::string_view(inst["zone"]));
    for (auto field : inst["tags"].get_object())
      s.tags[std::string(field.key)] = std::string(std::string_view(field.value));
    view.instances.push_back(std::move(s));
  }
  return view;
}

/// The body of a raw HTTP answer.
inline std::string http_body(const std::string& answer) {
  auto at = answer.find("\r\n\r\n");
  return at == std::string::npos ? std::string{} : answer.substr(at + 4);
}

/// tests/fixtures/ec2_fault_proxy.py (moto inside, faults on demand) on a free loopback port,
/// killed by the destructor (and by the kernel should the test die first).
class fault_proxy {
public:
  fault_proxy() {
    port_ = free_loopback_port();
    auto script = fixture_path("ec2_fault_proxy.py");
    auto port = std::to_string(port_);
    pid_ = fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
      }
      execlp("python3", "python3", script.c_str(), "--port", port.c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 600; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("ec2_fault_proxy.py exited at start");
      }
      if (loopback_http(port_, "GET", "/fault/stats").rfind("HTTP/", 0) == 0)
        return;
      usleep(100'000);
    }
    stop_child(pid_);
    throw std::runtime_error("ec2_fault_proxy.py did not answer within 60 s");
  }

  ~fault_proxy() { stop_child(pid_); }
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  int port() const { return port_; }

  /// Replaces the fault rules (a JSON list, see the script's header).
  void set_rules(const std::string& json) const {
    loopback_http(port_, "POST", "/fault/rules", json, "application/json");
  }

  /// The counter `group` ("calls", "paged", "injected") of EC2 `action`.
  int64_t count(const std::string& group, const std::string& action) const {
    auto body = http_body(loopback_http(port_, "GET", "/fault/stats"));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc) != simdjson::SUCCESS)
      throw std::runtime_error("fault proxy stats are not JSON: " + body);
    int64_t n = 0;
    if (doc[group][action].get(n) != simdjson::SUCCESS)
      return 0;
    return n;
  }

private:


  int port_ = 0;
  pid_t pid_ = -1;
};

} // namespace styx::test
