// Secrets never leave the process: with -vv (debug logging) and known credentials on every
// cloud — an AWS secret key and session token (moto), a GCP service-account private key
// exchanged at the fake's token endpoint, an Azure client secret (the fake Resource Manager
// over HTTPS), a Kubernetes bearer token (the fake API server) — up, status and down run with
// --json and a refused credential runs too; then every byte they printed, every file of the
// state dir (the SQLite store and the state files included) is searched for those values,
// the SigV4 signing keys derived from the secret, the private key's lines and the bearer
// tokens the fakes issued. None may appear.

#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "providers/aws/sigv4.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/azure/azure_fake_fixture.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"
#include "tests/gcp/gcp_key.hpp"
#include "tests/kubernetes/k8s_fake_fixture.hpp"
#include "tests/styx_cli.hpp"

using namespace styx;
using namespace styx::test;

namespace {

const std::string aws_key = "AKIASTYXSECRETTEST01";
const std::string aws_secret = "StyxSecret/0123456789abcdefghijKLMNOPQRSTuv";
const std::string aws_session = "StyxSessionToken//FwoGZXIvYXdzEXAMPLE0123456789abcdef";
const std::string azure_refused_secret = "styx-refused-secret-0123456789";

std::string hex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

/// The UTC dates a SigV4 key of this run may have been derived for (today and its
/// neighbours, should the run cross midnight).
std::vector<std::string> sigv4_dates() {
  std::vector<std::string> out;
  for (int d : {-1, 0, 1}) {
    std::time_t t = std::time(nullptr) + d * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
    out.emplace_back(buf);
  }
  return out;
}

/// Every file under `dir`, as bytes.
std::vector<std::pair<std::string, std::string>> files_under(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file())
      continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.emplace_back(e.path().string(), ss.str());
  }
  return out;
}

/// The lines of a PEM body (the base64 of the key), each long enough to be the key's own.
std::vector<std::string> pem_lines(const std::string& pem) {
  std::vector<std::string> out;
  std::istringstream in(pem);
  for (std::string line; std::getline(in, line);)
    if (line.size() >= 40 && line.find("-----") == std::string::npos)
      out.push_back(line);
  return out;
}

} // namespace

TEST_CASE("secrets: at -vv no output, log line, state file or store row of any cloud holds a "
          "credential, a derived signing key or a token") {
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-secrets-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/keys");
  auto state = dir + "/state";

  moto_fixture moto;
  use_aws_env(moto.endpoint(), aws_key, aws_secret);
  setenv("AWS_SESSION_TOKEN", aws_session.c_str(), 1);

  auto key = make_rsa_key();
  auto key_file = dir + "/keys/sa.json";
  write_file(key_file, service_account_json(key, "http://unused/token"));
  gcp_fake::options o;
  o.args = {"--service-account", key_file};
  gcp_fake gcp{o};
  gcp.use_env(""); // no fixed token: the key is exchanged
  write_file(key_file, service_account_json(key, gcp.token_uri()));
  setenv("GOOGLE_APPLICATION_CREDENTIALS", key_file.c_str(), 1);

  azure_fake azure;
  azure.use_env();

  k8s_fake k8s{"s"};
  auto kubeconfig = dir + "/keys/kubeconfig";
  write_kubeconfig(kubeconfig, {&k8s});
  setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  setenv("STYX_KUBE_QPS", "50", 1);

  std::string printed;
  auto run = [&](const std::string& args, bool must_pass = true) {
    auto r = styx_cli(state, "-vv " + args);
    INFO(args << "\n" << r.out.substr(0, 2000));
    if (must_pass)
      CHECK(r.rc == 0);
    printed += r.out;
    return r;
  };
  for (auto* cloud : {"aws", "gcp", "azure", "kubernetes"})
    run(std::string("up --provider ") + cloud + " --count 2 --json"
        + (std::string(cloud) == "aws" ? " --region us-east-1" : ""));
  CHECK(gcp.stat("issued", "auth") >= 1); // the private key was used
  run("status --json");
  run("stop --all --json", false); // pods refuse, in words
  run("down --all --json");

  // A credential that is refused: its error message is printed, not the secret.
  azure.use_env(azure_refused_secret);
  auto refused = run("up --provider azure --count 1 --json", false);
  CHECK(refused.rc != 0);
  azure.use_env();

  std::vector<std::string> secrets{aws_secret, aws_session, azure_test_secret,
                                   azure_refused_secret, k8s_test_token, "ya29.fake-",
                                   "aad-token-", "PRIVATE KEY", "AWS4" + aws_secret};
  for (auto& date : sigv4_dates())
    for (auto* service : {"ec2"}) {
      auto signing = sigv4_signing_key(aws_secret, date, "us-east-1", service);
      secrets.push_back(hex(signing));
      secrets.push_back(signing);
    }
  for (auto& line : pem_lines(key.private_pem))
    secrets.push_back(line);

  auto places = files_under(state);
  REQUIRE(places.size() >= 2); // the store and the state files, at least
  places.emplace_back("the commands' stdout and stderr", printed);
  CHECK(printed.find(" debug ") != std::string::npos); // -vv did log at debug level
  for (auto& [where, bytes] : places)
    for (auto& secret : secrets) {
      INFO(where << " holds a secret (" << secret.size() << " bytes, starting "
                 << hex(secret.substr(0, 4)) << ")");
      CHECK(bytes.find(secret) == std::string::npos);
    }

  // Every cloud ended what it made (each read from the cloud itself).
  CHECK(gcp.wait_until([](auto& all) { return all.empty(); }));
  CHECK(azure.wait_until([](auto& all) { return all.empty(); }));
  CHECK(k8s.wait_until([](auto& pods) { return pods.empty(); }));
  for (auto* var : {"AWS_SESSION_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "KUBECONFIG",
                    "STYX_KUBE_QPS"})
    unsetenv(var);
  std::filesystem::remove_all(dir);
}
