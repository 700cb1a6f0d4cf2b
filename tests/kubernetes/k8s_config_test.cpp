// Where the Kubernetes provider finds clusters and credentials (runtime/k8s_config.hpp):
// KUBECONFIG's files merged as kubectl merges them, ~/.kube/config, current-context or an
// override, the cluster's CA as a file or -data, tokens and token files, client certificates,
// exec and auth-provider plugins refused, the in-cluster service account; regions that keep a
// context's odd characters out of provider ids; no secret in describe().

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "runtime/k8s_config.hpp"

using namespace styx;

namespace {

/// A scratch directory with files, and an environment of its own.
struct scratch {
  std::filesystem::path dir;
  std::map<std::string, std::string> vars;

  scratch() {
    dir = std::filesystem::temp_directory_path()
          / ("styx-k8s-config-" + std::to_string(::getpid()) + "-"
             + std::to_string(reinterpret_cast<uintptr_t>(this) & 0xffff));
    std::filesystem::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    auto p = dir / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream{p} << text;
    return p.string();
  }
  env_lookup env() const {
    return [vars = vars](const std::string& k) -> std::optional<std::string> {
      auto i = vars.find(k);
      if (i == vars.end())
        return std::nullopt;
      return i->second;
    };
  }
  std::variant<k8s_settings, std::string> resolve(const std::string& ctx = {},
                                                  const std::string& ns = {}) const {
    return resolve_k8s_settings(ctx, ns, env(), (dir / "sa").string());
  }
};

const char* first_file = R"(apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster:
    server: https://one:6443
    certificate-authority: certs/ca.pem
- name: shared
  cluster:
    server: https://first-wins:6443
users:
- name: u1
  user:
    token: secret-token-1
contexts:
- name: one
  context: {cluster: c1, user: u1, namespace: ns1}
- name: dup
  context: {cluster: shared, user: u1}
)";

const char* second_file = R"(apiVersion: v1
kind: Config
current-context: two
clusters:
- name: c2
  cluster:
    server: https://two:6443
    certificate-authority-data: UEVNLUNB
    insecure-skip-tls-verify: true
- name: shared
  cluster:
    server: https://second-loses:6443
users:
- name: u2
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: u3
  user:
    tokenFile: tok.txt
- name: plugin
  user:
    exec: {command: gke-gcloud-auth-plugin}
- name: provider
  user:
    auth-provider: {name: oidc}
contexts:
- name: two
  context: {cluster: c2, user: u2}
- name: three
  context: {cluster: c2, user: u3, namespace: from-ctx}
- name: execing
  context: {cluster: c2, user: plugin}
- name: oidc
  context: {cluster: c2, user: provider}
- name: kubernetes-admin@kubernetes
  context: {cluster: c2, user: u2}
)";

} // namespace

TEST_CASE("kubernetes config: KUBECONFIG files merged as kubectl does - current-context of "
          "the first - CA file relative to its kubeconfig - token") {
  scratch s;
  auto one = s.write("a/config", first_file);
  s.write("a/certs/ca.pem", "PEM-FILE-CA");
  auto two = s.write("b/config", second_file);
  s.vars["KUBECONFIG"] = one + ":" + s.dir.string() + "/missing:" + two;
  auto r = s.resolve();
  REQUIRE(std::holds_alternative<k8s_settings>(r));
  auto& k = std::get<k8s_settings>(r);
  CHECK(k.context == "one");
  CHECK(k.target.server == "https://one:6443");
  CHECK(k.target.namespace_ == "ns1");
  CHECK(k.target.token == "secret-token-1");
  CHECK(k.target.tls->ca_pem == "PEM-FILE-CA");
  CHECK_FALSE(k.insecure);
  CHECK(k.describe().find("secret-token-1") == std::string::npos);
  // The first file to name a cluster wins.
  auto dup = s.resolve("dup");
  REQUIRE(std::holds_alternative<k8s_settings>(dup));
  CHECK(std::get<k8s_settings>(dup).target.server == "https://first-wins:6443");
  CHECK(std::get<k8s_settings>(dup).target.namespace_ == "default");
  // --namespace overrides the context's.
  CHECK(std::get<k8s_settings>(s.resolve("one", "other")).target.namespace_ == "other");
}

TEST_CASE("kubernetes config: -data forms - client certificates - token files - "
          "insecure-skip-tls-verify - plugins refused in one line") {
  scratch s;
  auto two = s.write("config", second_file);
  s.write("tok.txt", "file-token\n");
  s.vars["KUBECONFIG"] = two;
  auto r = s.resolve();
  REQUIRE(std::holds_alternative<k8s_settings>(r));
  auto& k = std::get<k8s_settings>(r);
  CHECK(k.context == "two");
  CHECK(k.target.tls->ca_pem == "PEM-CA");
  CHECK(k.target.tls->client_cert_pem == "CERT");
  CHECK(k.target.tls->client_key_pem == "KEY");
  CHECK(k.target.token.empty());
  CHECK(k.insecure);
  CHECK(k.target.tls->insecure_skip_verify);
  CHECK(k.describe().find("NOT VERIFIED") != std::string::npos);
  CHECK(k.describe().find("KEY") == std::string::npos);
  auto three = s.resolve("three");
  REQUIRE(std::holds_alternative<k8s_settings>(three));
  CHECK(std::get<k8s_settings>(three).target.token == "file-token");
  CHECK(std::get<k8s_settings>(three).target.namespace_ == "from-ctx");
  auto exec = s.resolve("execing");
  REQUIRE(std::holds_alternative<std::string>(exec));
  CHECK(std::get<std::string>(exec).find("exec credential plugins are not supported")
        != std::string::npos);
  auto oidc = s.resolve("oidc");
  REQUIRE(std::holds_alternative<std::string>(oidc));
  CHECK(std::get<std::string>(oidc).find("auth-provider plugins are not supported")
        != std::string::npos);
  auto missing = s.resolve("nope");
  REQUIRE(std::holds_alternative<std::string>(missing));
  CHECK(std::get<std::string>(missing).find("context 'nope' is not in") != std::string::npos);
}

TEST_CASE("kubernetes config: ~/.kube/config without KUBECONFIG - the in-cluster service "
          "account - nothing at all") {
  scratch s;
  s.vars["HOME"] = s.dir.string();
  auto none = s.resolve();
  REQUIRE(std::holds_alternative<std::string>(none));
  CHECK(std::get<std::string>(none).find("no kubeconfig found") != std::string::npos);

  s.vars["KUBERNETES_SERVICE_HOST"] = "10.0.0.1";
  s.vars["KUBERNETES_SERVICE_PORT"] = "6443";
  s.write("sa/token", "sa-token\n");
  s.write("sa/ca.crt", "SA-CA");
  s.write("sa/namespace", "jobs");
  auto in = s.resolve();
  REQUIRE(std::holds_alternative<k8s_settings>(in));
  auto& k = std::get<k8s_settings>(in);
  CHECK(k.context == "in-cluster");
  CHECK(k.target.server == "https://10.0.0.1:6443");
  CHECK(k.target.token == "sa-token");
  CHECK(k.target.tls->ca_pem == "SA-CA");
  CHECK(k.target.namespace_ == "jobs");

  s.write(".kube/config", first_file); // a kubeconfig wins over the service account
  s.write(".kube/certs/ca.pem", "CA");
  auto home = s.resolve();
  REQUIRE(std::holds_alternative<k8s_settings>(home));
  CHECK(std::get<k8s_settings>(home).context == "one");
}

TEST_CASE("kubernetes regions: a context's odd characters are escaped and read back") {
  CHECK(k8s_region_of("kind-dev", "default") == "kind-dev/default");
  auto odd = k8s_region_of("kubernetes-admin@kubernetes", "ns");
  CHECK(odd == "kubernetes-admin%40kubernetes/ns");
  CHECK(odd.find('@') == std::string::npos);
  CHECK(k8s_split_region(odd) == std::make_pair(std::string{"kubernetes-admin@kubernetes"},
                                                std::string{"ns"}));
  CHECK(k8s_split_region(k8s_region_of("a/b c", "x")).first == "a/b c");
  CHECK(k8s_split_region("nonamespace").second.empty());
  auto id = provider_id::parse("kubernetes/" + odd);
  CHECK(id.region == odd);
  CHECK(id.node.empty());
}
