// The CLI on Kubernetes, against two fake clusters: `styx up --provider kubernetes --context C
// --namespace N`, `styx status`, `styx stop` (refused in one line: pods cannot be stopped),
// `styx down`; a kubeconfig whose user needs an exec plugin is refused in one line with exit
// code 2; the token never reaches a log, even at -vv.

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/kubernetes/k8s_fake_fixture.hpp"
#include "tests/styx_cli.hpp"

using namespace styx;
using namespace styx::test;

namespace {

size_t lines(const std::string& s) {
  size_t n = 0;
  for (char c : s)
    n += c == '\n' ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("kubernetes cli: up with --context and --namespace - status - stop refused in one "
          "line - down - no token in the log") {
  k8s_fake a{"a"}, b{"b"};
  auto kubeconfig = a.dir() + "/kubeconfig";
  write_kubeconfig(kubeconfig, {&a, &b}); // current-context: ctx-a
  setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  setenv("STYX_KUBE_QPS", "50", 1);
  auto dir = a.dir() + "/state";

  auto up = styx_cli(dir, "-vv up --provider kubernetes --context ctx-b --namespace team-x "
                          "--count 5 --tag team=ml");
  INFO(up.out);
  REQUIRE(up.rc == 0);
  CHECK(up.out.find(k8s_test_token) == std::string::npos); // never logged, even at -vv
  CHECK(up.out.find("kubernetes/ctx-b/team-x") != std::string::npos);
  auto on_b = b.pods();
  CHECK(on_b.size() == 5);
  CHECK(a.pods().empty());
  for (auto& p : on_b) {
    CHECK(p.ns == "team-x");
    CHECK(p.phase == "Running");
    CHECK(p.labels.at("team") == "ml");
  }
  auto status = styx_cli(dir, "status");
  INFO(status.out);
  CHECK(status.out.find("kubernetes/ctx-b/team-x") != std::string::npos);
  CHECK(status.out.find("running") != std::string::npos);

  // Pods cannot be stopped: each says so in one line, and they keep running.
  // The refusal ends the wait: it does not sit out --wait.
  auto stop = styx_cli(dir, "stop --all --wait 120");
  INFO(stop.out);
  CHECK(stop.rc == 1); // not stopped
  CHECK(stop.out.find("5 refused by the cloud") != std::string::npos);
  CHECK(stop.out.find("still changing") == std::string::npos);
  auto after = styx_cli(dir, "status --json");
  CHECK(after.out.find("cannot be stopped") != std::string::npos);
  CHECK(b.pods().size() == 5);

  // A later command reaches the remembered (context, namespace) and deletes them.
  auto down = styx_cli(dir, "down --all");
  INFO(down.out);
  CHECK(down.rc == 0);
  CHECK(b.wait_until([](auto& pods) { return pods.empty(); }));

  // An exec plugin is refused in one line, exit code 2.
  std::ofstream{kubeconfig, std::ios::app} << "";
  auto exec_config = a.dir() + "/exec-kubeconfig";
  std::ofstream{exec_config} << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                                "    server: " << a.server() << "\nusers:\n- name: u\n  user:\n"
                                "    exec:\n      command: aws-iam-authenticator\n"
                                "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                                "current-context: x\n";
  setenv("KUBECONFIG", exec_config.c_str(), 1);
  auto refused = styx_cli(a.dir() + "/state2", "up --provider kubernetes --count 1");
  INFO(refused.out);
  CHECK(refused.rc == 2);
  CHECK(lines(refused.out) == 1);
  CHECK(refused.out.find("exec credential plugins are not supported") != std::string::npos);
  unsetenv("KUBECONFIG");
  unsetenv("STYX_KUBE_QPS");
}

TEST_CASE("kubernetes cli: a cluster whose CA the kubeconfig does not name is refused in plain "
          "words and gets no pod") {
  k8s_fake a{"a"};
  auto kubeconfig = a.dir() + "/kubeconfig-without-ca";
  write_kubeconfig(kubeconfig, {&a}, false); // the fake's certificate is not the system's
  setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  auto refused = styx_cli(a.dir() + "/state", "up --provider kubernetes --count 2");
  INFO(refused.out);
  CHECK(refused.rc != 0);
  CHECK(refused.out.find("TLS certificate is not trusted") != std::string::npos);
  CHECK(refused.out.find("certificate-authority in the kubeconfig") != std::string::npos);
  CHECK(refused.out.find("system_error") == std::string::npos);
  CHECK(refused.out.find(k8s_test_token) == std::string::npos);
  CHECK(a.pods().empty()); // the cluster's own view
  unsetenv("KUBECONFIG");
}
