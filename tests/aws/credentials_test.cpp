// The AWS credential chain (runtime/aws_credentials): environment, then the shared files,
// with an injected environment and temporary files.

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "runtime/aws_credentials.hpp"

using namespace styx;

namespace {

// A temporary HOME with an injectable environment; removed on destruction.
struct fake_home {
  std::string dir;
  std::map<std::string, std::string> vars;

  fake_home() {
    char tmpl[] = "/tmp/styx_awscreds_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    vars["HOME"] = dir;
  }
  ~fake_home() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string write(const std::string& rel, const std::string& text) {
    auto path = dir + "/" + rel;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
    return path;
  }

  env_lookup env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end())
        return std::nullopt;
      return it->second;
    };
  }

  std::variant<aws_settings, std::string> resolve(const std::string& region_override = "") const {
    return resolve_aws_settings(region_override, env());
  }

  aws_settings ok(const std::string& region_override = "") const {
    auto r = resolve(region_override);
    if (auto* err = std::get_if<std::string>(&r))
      FAIL("unexpected error: " << *err);
    return std::get<aws_settings>(r);
  }

  std::string error(const std::string& region_override = "") const {
    auto r = resolve(region_override);
    if (auto* s = std::get_if<aws_settings>(&r))
      FAIL("unexpected success, source " << s->source);
    return std::get<std::string>(r);
  }
};

const char* const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

} // namespace

TEST_CASE("credentials from the environment only") {
  fake_home h;
  h.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV000001";
  h.vars["AWS_SECRET_ACCESS_KEY"] = secret;
  h.vars["AWS_SESSION_TOKEN"] = "envtoken";
  h.vars["AWS_REGION"] = "us-west-2";
  auto s = h.ok();
  CHECK(s.creds.access_key_id == "AKIAENV000001");
  CHECK(s.creds.secret_access_key == secret);
  CHECK(s.creds.session_token == "envtoken");
  CHECK(s.source == "environment");
  CHECK(s.region == "us-west-2");
  CHECK(s.region_source == "AWS_REGION");
  CHECK(s.endpoint == "https://ec2.us-west-2.amazonaws.com");
  CHECK(s.endpoint_is_default);
}

TEST_CASE("environment credentials win over the files, and the files are then not read") {
  fake_home h;
  h.write(".aws/credentials", "this is not an ini file\n");
  h.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV000001";
  h.vars["AWS_SECRET_ACCESS_KEY"] = secret;
  h.vars["AWS_DEFAULT_REGION"] = "eu-west-1";
  auto s = h.ok();
  CHECK(s.source == "environment");
  CHECK(s.creds.session_token.empty());
  CHECK(s.region_source == "AWS_DEFAULT_REGION");
}

TEST_CASE("half a key pair in the environment is an error naming the missing variable") {
  fake_home h;
  h.vars["AWS_REGION"] = "us-east-1";
  h.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV000001";
  h.vars["AWS_SECRET_ACCESS_KEY"] = "";  // empty counts as unset
  CHECK(h.error() == "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  h.vars.erase("AWS_ACCESS_KEY_ID");
  h.vars["AWS_SECRET_ACCESS_KEY"] = secret;
  auto err = h.error();
  CHECK(err == "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
}

TEST_CASE("credentials and region from the files only") {
  fake_home h;
  auto creds = h.write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE0001\n"
                                           "aws_secret_access_key = filesecret\n");
  auto config = h.write(".aws/config", "[default]\nregion = ap-northeast-2\n");
  auto s = h.ok();
  CHECK(s.creds.access_key_id == "AKIAFILE0001");
  CHECK(s.creds.secret_access_key == "filesecret");
  CHECK(s.creds.session_token.empty());
  CHECK(s.source == creds + " [default]");
  CHECK(s.region == "ap-northeast-2");
  CHECK(s.region_source == config + " [default]");
  CHECK(s.endpoint == "https://ec2.ap-northeast-2.amazonaws.com");
}

TEST_CASE("AWS_PROFILE selects the profile in both files") {
  fake_home h;
  auto creds = h.write(".aws/credentials",
                       "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n"
                       "[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = w\n"
                       "aws_session_token = worktoken\n");
  auto config = h.write(".aws/config", "[default]\nregion = us-east-1\n"
                                       "[work]\nregion = sa-east-1\n"  // not a profile in config
                                       "[profile work]\nregion = eu-central-1\n");
  h.vars["AWS_PROFILE"] = "work";
  auto s = h.ok();
  CHECK(s.creds.access_key_id == "AKIAWORK");
  CHECK(s.creds.session_token == "worktoken");
  CHECK(s.source == creds + " [work]");
  CHECK(s.region == "eu-central-1");
  CHECK(s.region_source == config + " [profile work]");

  h.vars["AWS_PROFILE"] = "nosuch";
  auto err = h.error();
  CHECK(err.find("profile 'nosuch'") != std::string::npos);
  CHECK(err.find(creds + " (no [nosuch] section)") != std::string::npos);
  CHECK(err.find(config + " (no [profile nosuch] section)") != std::string::npos);
}

TEST_CASE("credentials in the config file's (profile X), files named by variables") {
  fake_home h;
  auto config = h.write("elsewhere/cfg", "[profile ci]\naws_access_key_id = AKIACONFIG\n"
                                         "aws_secret_access_key = cfgsecret\nregion = us-east-2\n");
  h.vars["AWS_CONFIG_FILE"] = config;
  h.vars["AWS_SHARED_CREDENTIALS_FILE"] = h.dir + "/does/not/exist";
  h.vars["AWS_PROFILE"] = "ci";
  auto s = h.ok();
  CHECK(s.creds.access_key_id == "AKIACONFIG");
  CHECK(s.source == config + " [profile ci]");
  CHECK(s.region == "us-east-2");
}

TEST_CASE("the credentials file wins over the config file - a profile without keys falls through") {
  fake_home h;
  h.write(".aws/credentials", "[default]\nregion = us-west-1\n");
  auto config = h.write(".aws/config", "[default]\naws_access_key_id = AKIACFG\n"
                                       "aws_secret_access_key = c\n");
  auto s = h.ok();
  CHECK(s.source == config + " [default]");
  CHECK(s.region == "us-west-1");  // the credentials file's region, as the config has none

  h.write(".aws/credentials", "[default]\naws_access_key_id = AKIACRED\naws_secret_access_key = x\n");
  h.vars["AWS_REGION"] = "us-east-1";
  CHECK(h.ok().creds.access_key_id == "AKIACRED");
}

TEST_CASE("A tilde in AWS_SHARED_CREDENTIALS_FILE is the injected HOME") {
  fake_home h;
  h.write("custom/creds", "[default]\naws_access_key_id = AKIATILDE\naws_secret_access_key = t\n");
  h.vars["AWS_SHARED_CREDENTIALS_FILE"] = "~/custom/creds";
  h.vars["AWS_REGION"] = "us-east-1";
  auto s = h.ok();
  CHECK(s.creds.access_key_id == "AKIATILDE");
  CHECK(s.source == h.dir + "/custom/creds [default]");
}

TEST_CASE("half a key pair in a file is an error naming the file, without the value") {
  fake_home h;
  auto creds = h.write(".aws/credentials", "[default]\naws_access_key_id = AKIAHALF\n");
  h.vars["AWS_REGION"] = "us-east-1";
  CHECK(h.error() == creds + " [default]: aws_access_key_id is set but aws_secret_access_key is not");
  h.write(".aws/credentials", "[default]\naws_secret_access_key = HALFSECRET\n");
  auto err = h.error();
  CHECK(err == creds + " [default]: aws_secret_access_key is set but aws_access_key_id is not");
  CHECK(err.find("HALFSECRET") == std::string::npos);
}

TEST_CASE("nothing found: the error names the variables and both files") {
  fake_home h;
  h.vars["AWS_REGION"] = "us-east-1";
  auto err = h.error();
  CHECK(err.find("no AWS credentials found for profile 'default'") != std::string::npos);
  CHECK(err.find("AWS_ACCESS_KEY_ID") != std::string::npos);
  CHECK(err.find("AWS_SECRET_ACCESS_KEY") != std::string::npos);
  CHECK(err.find(h.dir + "/.aws/credentials (not found)") != std::string::npos);
  CHECK(err.find(h.dir + "/.aws/config (not found)") != std::string::npos);

  h.vars.erase("HOME");
  err = h.error();
  CHECK(err.find("~/.aws/credentials (HOME is not set)") != std::string::npos);
  CHECK(err.find("~/.aws/config (HOME is not set)") != std::string::npos);

  fake_home empty_profile;
  empty_profile.write(".aws/credentials", "[default]\n");
  err = empty_profile.error();
  CHECK(err.find(empty_profile.dir + "/.aws/credentials ([default] has no aws_access_key_id)")
        != std::string::npos);
}

TEST_CASE("region precedence: override, AWS_REGION, AWS_DEFAULT_REGION, profile") {
  fake_home h;
  h.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  h.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  auto config = h.write(".aws/config", "[default]\nregion = eu-west-2\n");
  h.vars["AWS_REGION"] = "us-west-1";
  h.vars["AWS_DEFAULT_REGION"] = "us-west-2";
  auto s = h.ok("ap-east-1");
  CHECK(s.region == "ap-east-1");
  CHECK(s.region_source == "override");
  CHECK(h.ok().region == "us-west-1");
  h.vars.erase("AWS_REGION");
  CHECK(h.ok().region == "us-west-2");
  h.vars["AWS_DEFAULT_REGION"] = "";
  CHECK(h.ok().region == "eu-west-2");

  h.write(".aws/config", "[default]\noutput = json\n");
  auto err = h.error();
  CHECK(err.find("no AWS region") != std::string::npos);
  CHECK(err.find("AWS_REGION") != std::string::npos);
  CHECK(err.find("AWS_DEFAULT_REGION") != std::string::npos);
  CHECK(err.find(config + " ([default] has no region)") != std::string::npos);

  h.vars["AWS_REGION"] = "us-east-1/../evil";
  CHECK(h.error().find("invalid AWS region 'us-east-1/../evil' (from AWS_REGION)") == 0);
}

TEST_CASE("endpoint precedence: AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, default") {
  fake_home h;
  h.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  h.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  h.vars["AWS_REGION"] = "us-east-1";
  h.vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000/";
  h.vars["AWS_ENDPOINT_URL_EC2"] = "http://127.0.0.1:6000";
  auto s = h.ok();
  CHECK(s.endpoint == "http://127.0.0.1:6000");
  CHECK_FALSE(s.endpoint_is_default);
  h.vars.erase("AWS_ENDPOINT_URL_EC2");
  CHECK(h.ok().endpoint == "http://127.0.0.1:5000");
  h.vars.erase("AWS_ENDPOINT_URL");
  s = h.ok();
  CHECK(s.endpoint == "https://ec2.us-east-1.amazonaws.com");
  CHECK(s.endpoint_is_default);
  CHECK(h.ok("cn-north-1").endpoint == "https://ec2.cn-north-1.amazonaws.com.cn");
  h.vars["AWS_ENDPOINT_URL_EC2"] = "127.0.0.1:6000";
  CHECK(h.error().find("AWS_ENDPOINT_URL_EC2 must start with http:// or https://") == 0);
}

TEST_CASE("a malformed file is a file:line error") {
  fake_home h;
  auto creds = h.write(".aws/credentials", "[default]\naws_access_key_id = AKIA\nnot ini\n");
  CHECK(h.error() == creds + ":3: expected 'key = value' or '[section]'");
  h.write(".aws/credentials", "");
  auto config = h.write(".aws/config", "[profile x\n");
  CHECK(h.error() == config + ":1: section header is missing its closing ']'");
}

TEST_CASE("resolved settings never put the secret in source or errors - redacted() hides it") {
  fake_home h;
  h.write(".aws/credentials", std::string("[default]\naws_access_key_id = AKIAREDACT99\n"
                                          "aws_secret_access_key = ") + secret + "\n"
                                          "aws_session_token = SECRETTOKEN\n");
  h.vars["AWS_REGION"] = "us-east-1";
  auto s = h.ok();
  CHECK(s.source.find(secret) == std::string::npos);
  auto r = s.creds.redacted();
  CHECK(r.find(secret) == std::string::npos);
  CHECK(r.find("SECRETTOKEN") == std::string::npos);
  CHECK(r.find("CT99") != std::string::npos);
  CHECK(r.find("AKIAREDA") == std::string::npos);
}

TEST_CASE("the CA bundle: AWS_CA_BUNDLE, else ca_bundle in the config file's profile - one "
          "that cannot be read is an error naming where it came from") {
  fake_home h;
  h.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV000001";
  h.vars["AWS_SECRET_ACCESS_KEY"] = secret;
  h.vars["AWS_REGION"] = "us-east-1";
  CHECK(h.ok().ca_bundle.empty()); // the system's CAs
  auto pem = h.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  h.write(".aws/config", "[default]\nca_bundle = " + pem + "\n");
  auto from_file = h.ok();
  CHECK(from_file.ca_bundle == pem);
  CHECK(from_file.ca_bundle_source.find(".aws/config [default]") != std::string::npos);
  CHECK(from_file.describe().find("CA bundle " + pem) != std::string::npos);
  h.vars["AWS_CA_BUNDLE"] = pem + ".missing";
  auto err = h.error();
  CHECK(err.find("the AWS CA bundle " + pem + ".missing (from AWS_CA_BUNDLE) cannot be read")
        == 0);
}
