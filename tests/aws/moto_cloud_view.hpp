#pragma once
// moto as the crash and chaos tests see it (tests/aws/crash_moto_test.cpp,
// tests/aws/chaos_moto_test.cpp): moto_server that says when it is idle
// (tests/fixtures/crash_moto_server.py), EC2's own view of the region through boto3
// (tests/fixtures/crash_ec2_view.py; not the engine's view), and the crash invariants checked
// against it. Header-only; one moto per fixture object, killed by its destructor.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/crash_invariants.hpp"

namespace styx::test::moto_view {

inline const char* const region = "us-east-1";

struct ec2_instance {
  std::string id, state;
  std::map<std::string, std::string> tags;
  std::string client_token;
  int launch_index = -1;
};

/// The cloud's side: every instance of the region, as boto3 sees it.
inline std::vector<ec2_instance> ec2_all(const std::string& endpoint) {
  auto out = test::run_command("python3 " + test::fixture_path("crash_ec2_view.py") + " "
                               + endpoint + " " + region + " live");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS)
    throw std::runtime_error("crash_ec2_view.py printed no JSON: " + out.substr(0, 300));
  std::vector<ec2_instance> xs;
  for (auto inst : doc["instances"].get_array()) {
    ec2_instance x;
    x.id = std::string(std::string_view(inst["id"]));
    x.state = std::string(std::string_view(inst["state"]));
    for (auto field : inst["tags"].get_object())
      x.tags[std::string(field.key)] = std::string(std::string_view(field.value));
    x.client_token = std::string(std::string_view(inst["client_token"]));
    x.launch_index = static_cast<int>(int64_t(inst["launch_index"]));
    xs.push_back(std::move(x));
  }
  return xs;
}

inline std::vector<std::string> ec2_run(const std::string& endpoint, int count,
                                 const std::vector<std::string>& tags) {
  auto cmd = "python3 " + test::fixture_path("crash_ec2_view.py") + " " + endpoint + " "
             + region + " run " + std::to_string(count);
  for (auto& t : tags)
    cmd += " '" + t + "'";
  auto out = test::run_command(cmd);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS)
    throw std::runtime_error("crash_ec2_view.py run printed no JSON: " + out.substr(0, 300));
  std::vector<std::string> ids;
  for (auto id : doc["ids"].get_array())
    ids.emplace_back(std::string_view(id));
  return ids;
}

/// tests/fixtures/crash_moto_server.py (moto that says when it is idle) on a free loopback
/// port, killed by the destructor (and by the kernel should the test die first).
class idle_moto {
public:
  idle_moto() {
    port_ = test::free_loopback_port();
    auto script = test::fixture_path("crash_moto_server.py");
    auto port = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::execlp("python3", "python3", script.c_str(), "--port", port.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 600; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("crash_moto_server.py exited at start");
      }
      if (test::loopback_http(port_, "GET", "/crash/idle").rfind("HTTP/", 0) == 0)
        return;
      ::usleep(100'000);
    }
    test::stop_child(pid_);
    throw std::runtime_error("crash_moto_server.py did not answer within 60 s");
  }
  ~idle_moto() { test::stop_child(pid_); }
  idle_moto(const idle_moto&) = delete;
  idle_moto& operator=(const idle_moto&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  /// Forgets every resource.
  void reset() const {
    auto answer = test::loopback_http(port_, "POST", "/moto-api/reset");
    if (answer.find(" 200 ") == std::string::npos)
      throw std::runtime_error("moto reset failed: " + answer.substr(0, 80));
  }

  /// Waits until the calls a killed client left inside moto are served: none in flight and
  /// nothing new served over three looks 200 ms apart.
  void wait_idle() const {
    int64_t last = -1;
    int quiet = 0;
    for (int i = 0; i < 3000 && quiet < 3; ++i) {
      auto body = test::http_body(test::loopback_http(port_, "GET", "/crash/idle"));
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      int64_t in_flight = 1, served = -1;
      if (parser.parse(body).get(doc) != simdjson::SUCCESS || doc["in_flight"].get(in_flight)
          || doc["served"].get(served))
        in_flight = 1; // not an answer: not idle
      quiet = in_flight == 0 && served == last ? quiet + 1 : 0;
      last = served;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

private:
  int port_ = 0;
  pid_t pid_ = -1;
};

/// Checks the invariants from EC2's side; returns the live instances per request id.
inline std::map<std::string, int> check_invariants(const std::string& dir, const std::string& endpoint) {
  std::vector<test::cloud_live> live;
  for (auto& ci : ec2_all(endpoint)) // pending and running only
    live.push_back({ci.id, ci.tags[ownership_tag::request], ci.tags[ownership_tag::instance],
                    ci.client_token, ci.launch_index});
  return test::check_store_against(dir + "/styx.db", live);
}

inline std::string temp_dir(const std::string& stem) {
  auto dir = (std::filesystem::temp_directory_path()
              / (stem + "-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  return dir;
}

} // namespace styx::test::moto_view
