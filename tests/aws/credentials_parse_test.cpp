// Pure parsing of the AWS credentials/config INI files, and aws_credentials::redacted().

#include <catch2/catch.hpp>

#include "providers/aws/credentials.hpp"

using namespace styx;

namespace {

aws_ini_file parse_ok(const std::string& text, aws_file_kind kind) {
  auto r = parse_aws_ini(text, "/x/file", kind);
  if (auto* err = std::get_if<std::string>(&r))
    FAIL("unexpected error: " << *err);
  return std::get<aws_ini_file>(r);
}

std::string parse_error(const std::string& text) {
  auto r = parse_aws_ini(text, "/x/credentials", aws_file_kind::credentials);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

} // namespace

TEST_CASE("credentials file: sections, comments, keys") {
  auto file = parse_ok("# leading comment\n"
                       "; another\n"
                       "[default]\r\n"
                       "aws_access_key_id = AKIADEFAULT1234\r\n"
                       "AWS_Secret_Access_Key=sec#ret;x   # inline comment\n"
                       "\n"
                       "  [work]  ; comment after header\n"
                       "aws_access_key_id: AKIAWORK5678\n"
                       "aws_secret_access_key = worksecret\n"
                       "aws_session_token = tok\n"
                       "region = eu-west-3\n"
                       "[profile odd]\n"
                       "aws_access_key_id = AKIAODD\n",
                       aws_file_kind::credentials);
  REQUIRE(file.sections.size() == 3);
  CHECK(file.sections[0].line == 3);

  auto d = find_aws_profile(file, "default");
  REQUIRE(d);
  CHECK(d->access_key_id == "AKIADEFAULT1234");
  CHECK(d->secret_access_key == "sec#ret;x");
  CHECK(d->where == "/x/file [default]");

  auto w = find_aws_profile(file, "work");
  REQUIRE(w);
  CHECK(w->access_key_id == "AKIAWORK5678");
  CHECK(w->secret_access_key == "worksecret");
  CHECK(w->session_token == "tok");
  CHECK(w->region == "eu-west-3");

  // In a credentials file, section names are profile names verbatim.
  CHECK_FALSE(find_aws_profile(file, "odd"));
  CHECK(find_aws_profile(file, "profile odd"));
  CHECK_FALSE(find_aws_profile(file, "missing"));
}

TEST_CASE("config file: (profile name) syntax and nested settings") {
  auto file = parse_ok("[default]\n"
                       "region = us-east-2\n"
                       "[profile dev]\n"
                       "region = ap-south-1\n"
                       "s3 =\n"
                       "  max_concurrent_requests = 20\n"
                       "  # comment inside\n"
                       "aws_access_key_id = AKIADEV\n"
                       "aws_secret_access_key = devsecret\n"
                       "[prod]\n"
                       "region = sa-east-1\n"
                       "[profile \"quoted name\"]\n"
                       "region = ca-central-1\n"
                       "[sso-session corp]\n"
                       "sso_region = us-east-1\n",
                       aws_file_kind::config);
  CHECK(find_aws_profile(file, "default")->region == "us-east-2");
  auto dev = find_aws_profile(file, "dev");
  REQUIRE(dev);
  CHECK(dev->region == "ap-south-1");
  CHECK(dev->access_key_id == "AKIADEV");
  CHECK(dev->where == "/x/file [profile dev]");
  CHECK(file.sections[1].values.at("s3") == "\nmax_concurrent_requests = 20");
  // [prod] without "profile " is not a profile in the config file.
  CHECK_FALSE(find_aws_profile(file, "prod"));
  CHECK(find_aws_profile(file, "quoted name")->region == "ca-central-1");
  CHECK_FALSE(find_aws_profile(file, "sso-session corp"));
  CHECK_FALSE(find_aws_profile(file, "corp"));
}

TEST_CASE("config file: (profile default) is the default profile and wins over (default)") {
  auto file = parse_ok("[profile default]\nregion = eu-north-1\n[default]\nregion = us-east-1\n",
                       aws_file_kind::config);
  CHECK(find_aws_profile(file, "default")->region == "eu-north-1");
}

TEST_CASE("malformed INI reports file:line") {
  CHECK(parse_error("aws_access_key_id = AKIA\n")
        == "/x/credentials:1: setting 'aws_access_key_id' before any [section]");
  CHECK(parse_error("[default]\naws_access_key_id = AKIA\njust some words\n")
        == "/x/credentials:3: expected 'key = value' or '[section]'");
  CHECK(parse_error("# c\n[default\n") == "/x/credentials:2: section header is missing its closing ']'");
  CHECK(parse_error("[]\n") == "/x/credentials:1: empty section name '[]'");
  CHECK(parse_error("[a]\n[b]\n\n[a]\n") == "/x/credentials:4: duplicate section [a] (first at line 1)");
  CHECK(parse_error("[a]\nregion=x\nREGION=y\n")
        == "/x/credentials:3: duplicate key 'region' in section [a]");
  CHECK(parse_error("[a] trailing\n") == "/x/credentials:1: unexpected text after the section header");
  CHECK(parse_error("  indented = first\n")
        == "/x/credentials:1: indented line does not continue any setting");
  CHECK(parse_error("[a]\n= value\n") == "/x/credentials:2: missing key before '='");
}

TEST_CASE("malformed INI errors never echo values") {
  auto err = parse_error("[a]\naws_secret_access_key = TOPSECRETVALUE\naws_secret_access_key = TOPSECRETVALUE\n");
  CHECK(err.find("TOPSECRETVALUE") == std::string::npos);
  err = parse_error("TOPSECRETVALUE\n");
  CHECK(err.find("TOPSECRETVALUE") == std::string::npos);
}

TEST_CASE("redacted() shows only the access key's last 4 characters") {
  aws_credentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SESSIONTOKEN"};
  auto r = c.redacted();
  CHECK(r == "access key ****MPLE (with session token)");
  CHECK(r.find("wJalr") == std::string::npos);
  CHECK(r.find("SESSIONTOKEN") == std::string::npos);
  CHECK(r.find("AKIA") == std::string::npos);
  CHECK(aws_credentials{"AKIAXYZ1", "s", ""}.redacted() == "access key ****XYZ1");
  CHECK(aws_credentials{"abc", "s", ""}.redacted() == "access key ****");
  CHECK(aws_credentials{}.redacted() == "access key (none)");
  CHECK(aws_credentials{}.empty());
}
