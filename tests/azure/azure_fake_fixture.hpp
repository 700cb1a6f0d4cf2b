#pragma once
// The fake Resource Manager (tests/fakes/azure/arm_fake.py) for tests: a throwaway CA and a
// server certificate for 127.0.0.1 made with openssl in a temporary directory, the fake started
// on free loopback ports (HTTPS for ARM and the token endpoint, plain HTTP for its admin
// routes), waited for, and killed by the destructor (and by the kernel should the test die
// first). Header-only.
//
//   azure_fake fake;                        // throws if openssl, python3 or Flask are missing
//   fake.use_env()                          // AZURE_* and STYX_AZURE_* for Styx, and
//                                           // REQUESTS_CA_BUNDLE for the Azure SDK
//   fake.faults(R"({"zone": "1", "capacity": 0})");
//   fake.stat("virtualMachines.createOrUpdate")   // its request counters
//   fake.vms()                              // the fake's own state
//   sdk_vms(fake, "styx:engine=E")          // the Azure SDK for Python's view

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <simdjson.h>

#include "tests/aws/ec2_engine_fixture.hpp" // run_command, http_body, aws_engine_config
#include "tests/aws/moto_fixture.hpp"       // free_loopback_port, stop_child, loopback_http
#include "tests/python_child.hpp"

namespace styx::test {

constexpr const char* azure_test_tenant = "00000000-0000-4000-8000-00000000a2e0";
constexpr const char* azure_test_client = "00000000-0000-4000-8000-0000000c11e7";
constexpr const char* azure_test_secret = "styx-test-secret";
constexpr const char* azure_test_subscription = "00000000-0000-4000-8000-000000005b5c";
constexpr const char* azure_test_group = "styx-test";

inline std::string azure_fakes_dir() {
  return std::string{STYX_SOURCE_DIR} + "/tests/fakes/azure/";
}

/// One VM as the fake or an outside client sees it.
struct azure_seen {
  std::string name, zone, size, priority, provisioning, power;
  std::map<std::string, std::string> tags;
};

inline std::vector<azure_seen> parse_seen(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS)
    throw std::runtime_error("no JSON: " + json.substr(0, 400));
  auto text = [](simdjson::dom::element e, const char* k) {
    std::string_view v;
    return e[k].get(v) == simdjson::SUCCESS ? std::string{v} : std::string{};
  };
  std::vector<azure_seen> out;
  for (auto vm : doc[key].get_array()) {
    azure_seen s{text(vm, "name"), text(vm, "zone"), text(vm, "size"), text(vm, "priority"),
                 text(vm, "provisioning"), text(vm, "power"), {}};
    if (s.provisioning.empty())
      s.provisioning = text(vm, "provisioningState");
    for (auto field : vm["tags"].get_object())
      s.tags[std::string(field.key)] = std::string(std::string_view(field.value));
    out.push_back(std::move(s));
  }
  return out;
}

/// The fake as a child process. Thread rules: its methods may be called from any thread (each
/// is one HTTP exchange or reads nothing mutable). Lifetimes: the process and the certificate
/// directory live as long as the object.
class azure_fake {
public:
  struct options {
    std::vector<std::string> args; // more flags: --writes 100:10, --token-lifetime N, ...
    double op_seconds = 0.2;
    double boot_seconds = 0.5;
  };

  azure_fake() : azure_fake(options{}) {}

  explicit azure_fake(options o) {
    dir_ = "/tmp/styx-azure-fake-" + std::to_string(::getpid()) + "-" + std::to_string(++count());
    make_certificates();
    for (int attempt = 0; attempt < 3; ++attempt) { // a port may be taken between probe and bind
      port_ = free_loopback_port();
      admin_port_ = free_loopback_port();
      std::vector<std::string> argv{"python3", azure_fakes_dir() + "arm_fake.py", "--port",
                                    std::to_string(port_), "--admin-port",
                                    std::to_string(admin_port_), "--cert", dir_ + "/server.pem",
                                    "--key", dir_ + "/server.key", "--op-seconds",
                                    std::to_string(o.op_seconds), "--boot-seconds",
                                    std::to_string(o.boot_seconds)};
      argv.insert(argv.end(), o.args.begin(), o.args.end());
      pid_ = spawn_quiet(std::move(argv));
      if (wait_answering(pid_, admin_port_, "/fake/stats"))
        return;
      stop_child(pid_);
    }
    throw std::runtime_error("the fake Resource Manager did not start (python3 with Flask is "
                             "needed): " + azure_fakes_dir() + "arm_fake.py");
  }

  ~azure_fake() {
    stop_child(pid_);
    run_command("rm -rf '" + dir_ + "'");
  }
  azure_fake(const azure_fake&) = delete;
  azure_fake& operator=(const azure_fake&) = delete;

  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::string ca_file() const { return dir_ + "/ca.pem"; }
  std::string subnet() const {
    return std::string{"/subscriptions/"} + azure_test_subscription + "/resourceGroups/"
           + azure_test_group + "/providers/Microsoft.Network/virtualNetworks/v/subnets/default";
  }

  std::string post(const std::string& path, const std::string& json) const {
    return http_body(loopback_http(admin_port_, "POST", path, json, "application/json"));
  }
  std::string get(const std::string& path) const {
    return http_body(loopback_http(admin_port_, "GET", path));
  }
  void faults(const std::string& json) const { post("/fake/faults", json); }
  void reset() const { post("/fake/reset", "{}"); }

  /// A counter: by route in "calls" ("virtualMachines.createOrUpdate"), by code in "errors",
  /// or a top-level one ("created", "throttled", "tokens") with group "".
  int64_t stat(const std::string& name, const char* group = "calls") const {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    int64_t n = 0;
    if (parser.parse(get("/fake/stats")).get(doc) != simdjson::SUCCESS)
      return 0;
    auto e = *group ? doc[group][name] : doc[name];
    return e.get(n) == simdjson::SUCCESS ? n : 0;
  }

  /// The fake's own state: every VM.
  std::vector<azure_seen> vms() const { return parse_seen(get("/fake/state"), "vms"); }

  /// Waits up to `secs` until `pred(vms())`; false if it never held.
  template <class Pred>
  bool wait_until(Pred pred, double secs = 30) const {
    for (int i = 0; i < static_cast<int>(secs * 20); ++i) {
      auto now = vms();
      if (pred(now))
        return true;
      usleep(50'000);
    }
    return false;
  }

  /// The environment Styx and the Azure SDK read: this fake, its CA, the test principal.
  void use_env(const std::string& secret = azure_test_secret) const {
    setenv("AZURE_TENANT_ID", azure_test_tenant, 1);
    setenv("AZURE_CLIENT_ID", azure_test_client, 1);
    setenv("AZURE_CLIENT_SECRET", secret.c_str(), 1);
    setenv("AZURE_SUBSCRIPTION_ID", azure_test_subscription, 1);
    setenv("AZURE_RESOURCE_GROUP", azure_test_group, 1);
    setenv("AZURE_AUTHORITY_HOST", base().c_str(), 1);
    setenv("STYX_AZURE_ARM_ENDPOINT", base().c_str(), 1);
    setenv("STYX_AZURE_CA_BUNDLE", ca_file().c_str(), 1);
    setenv("STYX_AZURE_SUBNET", subnet().c_str(), 1);
    setenv("REQUESTS_CA_BUNDLE", ca_file().c_str(), 1);
    unsetenv("AZURE_DEFAULTS_LOCATION");
    unsetenv("AZURE_DEFAULTS_GROUP");
  }

private:
  static int& count() {
    static int n = 0;
    return n;
  }

  void make_certificates() {
    ::mkdir(dir_.c_str(), 0700);
    auto out = run_command(
      "cd '" + dir_ + "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
      "-days 2 -subj '/CN=styx test CA' -addext 'basicConstraints=critical,CA:TRUE' "
      "-addext 'keyUsage=critical,keyCertSign,cRLSign' 2>&1 && "
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj '/CN=127.0.0.1' 2>&1 && "
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n"
      "extendedKeyUsage=serverAuth\\n' > ext.cnf && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 2 -extfile ext.cnf 2>&1 && echo made");
    if (out.find("made") == std::string::npos)
      throw std::runtime_error("openssl could not make the test CA: " + out.substr(0, 400));
  }

  std::string dir_;
  int port_ = 0;
  int admin_port_ = 0;
  pid_t pid_ = -1;
};

/// One azure provider in `location`, with the EC2 engine tests' short windows and fast
/// polling; its buckets: Resource Manager's defaults (engine_config::azure).
inline engine_config azure_engine_config(const std::string& location = "eastus") {
  auto cfg = aws_engine_config();
  cfg.providers.front().cloud = "azure";
  cfg.providers.front().limits.poll_interval = seconds(1); // a describe lists the whole group
  cfg.providers.front().regions = {location};
  return cfg;
}

/// The Azure SDK for Python (tests/fakes/azure/sdk_client.py under Debian's /usr/bin/python3)
/// against `fake`: `verb` and its arguments; its stdout.
inline std::string azure_sdk(const azure_fake& fake, const std::string& verb) {
  return run_command("REQUESTS_CA_BUNDLE='" + fake.ca_file() + "' /usr/bin/python3 "
                     + azure_fakes_dir() + "sdk_client.py " + fake.base() + " "
                     + azure_test_tenant + " " + azure_test_client + " " + azure_test_secret + " "
                     + azure_test_subscription + " " + azure_test_group + " " + verb + " 2>&1");
}

/// The group's VMs the SDK lists with every tag of `tags` ("k=v k2=v2").
inline std::vector<azure_seen> sdk_vms(const azure_fake& fake, const std::string& tags = {}) {
  return parse_seen(azure_sdk(fake, "list " + tags), "vms");
}

} // namespace styx::test
