#pragma once
// The fake Kubernetes API (tests/fakes/kubernetes/kube_fake.py) for tests: a throwaway CA and
// server certificate made with openssl, the fake started on free loopback ports as a child
// process (HTTPS for the API, plain HTTP for its admin side), waited for until it answers,
// killed by the destructor (and by the kernel should the test die first). Header-only.
//
//   k8s_fake a{"a"}, b{"b"};               // throws if python3 or openssl are missing
//   write_kubeconfig(path, {&a, &b});       // contexts ctx-a and ctx-b, current ctx-a
//   a.faults(R"({"unschedulable_every": 10})");
//   a.pods()                                // the fake's own state
//   kubectl(path, "get pods -o json")

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <simdjson.h>

#include "runtime/engine.hpp"
#include "tests/aws/ec2_engine_fixture.hpp" // run_command, http_body
#include "tests/aws/moto_fixture.hpp"       // free_loopback_port, stop_child, loopback_http
#include "tests/python_child.hpp"

namespace styx::test {

constexpr const char* k8s_test_token = "styx-k8s-test-token-0123456789";

/// One pod as the fake holds it.
struct k8s_seen {
  std::string ns, name, phase;
  bool deleting = false, unschedulable = false;
  std::map<std::string, std::string> labels;
};

/// The fake as a child process. Thread rules: its methods may be called from any thread (each
/// is one HTTP exchange or reads nothing mutable). Lifetimes: the process and its certificate
/// directory live as long as the object.
class k8s_fake {
public:
  explicit k8s_fake(std::string name, double boot_seconds = 0.4, std::vector<std::string> args = {})
    : name_(std::move(name)) {
    dir_ = std::filesystem::temp_directory_path()
           / ("styx-k8s-" + name_ + "-" + std::to_string(::getpid()) + "-"
              + std::to_string(reinterpret_cast<uintptr_t>(this) & 0xffff));
    std::filesystem::create_directories(dir_);
    make_certificates();
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = free_loopback_port();
      admin_ = free_loopback_port();
      spawn(boot_seconds, args);
      if (wait_ready())
        return;
      stop_child(pid_);
    }
    throw std::runtime_error("the fake Kubernetes API did not start: " + script());
  }

  ~k8s_fake() {
    stop_child(pid_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  k8s_fake(const k8s_fake&) = delete;
  k8s_fake& operator=(const k8s_fake&) = delete;

  const std::string& name() const { return name_; }
  std::string context() const { return "ctx-" + name_; }
  std::string server() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  std::string dir() const { return dir_.string(); }
  /// The provider's region for `ns` in this fake's context.
  std::string region(const std::string& ns = "default") const { return context() + "/" + ns; }

  std::string post(const std::string& path, const std::string& json) const {
    return http_body(loopback_http(admin_, "POST", path, json, "application/json"));
  }
  std::string get(const std::string& path) const {
    return http_body(loopback_http(admin_, "GET", path));
  }
  void faults(const std::string& json) const { post("/fake/faults", json); }

  /// A counter of /fake/stats: "create", "list", "get", "delete", "watch", "throttled",
  /// "watches_opened", "created", "requests", "pods".
  int64_t stat(const std::string& key) const {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    int64_t n = 0;
    if (parser.parse(get("/fake/stats")).get(doc) != simdjson::SUCCESS
        || doc[key].get(n) != simdjson::SUCCESS)
      return 0;
    return n;
  }

  /// Every pod the fake holds.
  std::vector<k8s_seen> pods() const {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::vector<k8s_seen> out;
    if (parser.parse(get("/fake/state")).get(doc) != simdjson::SUCCESS)
      return out;
    for (auto p : doc.get_array()) {
      k8s_seen s;
      s.ns = std::string(std::string_view(p["namespace"]));
      s.name = std::string(std::string_view(p["name"]));
      s.phase = std::string(std::string_view(p["phase"]));
      s.deleting = bool(p["deleting"]);
      s.unschedulable = bool(p["unschedulable"]);
      for (auto f : p["labels"].get_object())
        s.labels[std::string(f.key)] = std::string(std::string_view(f.value));
      out.push_back(std::move(s));
    }
    return out;
  }

  /// Waits up to `secs` until `pred(pods())`; false if it never held.
  template <class Pred>
  bool wait_until(Pred pred, double secs = 30) const {
    for (int i = 0; i < static_cast<int>(secs * 10); ++i) {
      auto now = pods();
      if (pred(now))
        return true;
      usleep(100'000);
    }
    return false;
  }

private:
  static std::string script() {
    return std::string{STYX_SOURCE_DIR} + "/tests/fakes/kubernetes/kube_fake.py";
  }

  void make_certificates() {
    auto d = dir_.string();
    std::ofstream{dir_ / "san.cnf"} << "[req]\ndistinguished_name=dn\n[dn]\n[ext]\n"
                                       "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                       "basicConstraints=CA:FALSE\n";
    auto cmd = "cd " + d + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
               "-out ca.pem -days 2 -subj /CN=styx-test-ca && openssl req -newkey rsa:2048 "
               "-nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 && openssl x509 "
               "-req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
               "-days 2 -extfile san.cnf -extensions ext";
    if (std::system(("(" + cmd + ") >/dev/null 2>&1").c_str()) != 0)
      throw std::runtime_error("openssl could not make the fake's certificates in " + d);
  }

  void spawn(double boot_seconds, const std::vector<std::string>& extra) {
    std::vector<std::string> argv{"python3", script(), "--port", std::to_string(port_),
                                  "--admin-port", std::to_string(admin_),
                                  "--cert", (dir_ / "server.pem").string(),
                                  "--key", (dir_ / "server.key").string(),
                                  "--token", k8s_test_token,
                                  "--boot-seconds", std::to_string(boot_seconds)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = spawn_quiet(std::move(argv));
  }

  bool wait_ready() { return wait_answering(pid_, admin_, "/fake/stats"); }

  std::string name_;
  std::filesystem::path dir_;
  int port_ = 0, admin_ = 0;
  pid_t pid_ = -1;
};

/// A kubeconfig at `path` with one context per fake (ctx-NAME, cluster NAME, user NAME with
/// the test token, namespace default), current-context the first's; each cluster's
/// certificate-authority is its fake's CA unless `with_ca` is false.
inline void write_kubeconfig(const std::string& path, const std::vector<const k8s_fake*>& fakes,
                             bool with_ca = true) {
  std::ofstream out{path};
  out << "apiVersion: v1\nkind: Config\nclusters:\n";
  for (auto* f : fakes) {
    out << "- name: " << f->name() << "\n  cluster:\n    server: " << f->server() << "\n";
    if (with_ca)
      out << "    certificate-authority: " << f->ca_file() << "\n";
  }
  out << "users:\n";
  for (auto* f : fakes)
    out << "- name: " << f->name() << "\n  user:\n    token: " << k8s_test_token << "\n";
  out << "contexts:\n";
  for (auto* f : fakes)
    out << "- name: " << f->context() << "\n  context:\n    cluster: " << f->name()
        << "\n    user: " << f->name() << "\n    namespace: default\n";
  out << "current-context: " << fakes.front()->context() << "\n";
}

/// Runs kubectl with `args` against `kubeconfig`; returns its stdout.
inline std::string kubectl(const std::string& kubeconfig, const std::string& args) {
  return run_command("KUBECONFIG=" + kubeconfig + " timeout 60 kubectl " + args + " 2>/dev/null");
}

/// A kubernetes provider per region, fast polling and windows as the EC2 engine tests have;
/// the client's bucket: `qps`, burst 2 x qps.
inline engine_config k8s_engine_config(const std::vector<std::string>& regions, double qps) {
  auto cfg = aws_engine_config();
  cfg.providers.front().cloud = "kubernetes";
  cfg.providers.front().regions = regions;
  cfg.kubernetes.qps = qps;
  cfg.kubernetes.burst = 2 * qps;
  return cfg;
}

} // namespace styx::test
