// SigV4 against the AWS documented examples and against botocore (tests/fixtures/sigv4_botocore.py),
// an independent implementation run through python3 from PATH.

#include <catch2/catch.hpp>

#include <strings.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "providers/aws/sigv4.hpp"

using namespace styx;

namespace {

const char* const example_key = "AKIDEXAMPLE";
const char* const example_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const int64_t example_ms = 1440938160000;  // 2015-08-30T12:36:00Z

std::string header_of(const http_request& req, const std::string& name) {
  std::string found;
  int count = 0;
  for (auto& [k, v] : req.headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) {
      found = v;
      ++count;
    }
  REQUIRE(count <= 1);
  return found;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

struct signing_case {
  std::string name;
  http_request req;
  aws_credentials creds;
  std::string region, service;
  int64_t now_ms;
  bool payload_header = false;
};

std::string to_json(const signing_case& c) {
  std::string headers = "[";
  for (auto& [k, v] : c.req.headers)
    headers += (headers.size() > 1 ? "," : "") + std::string("[") + json_string(k) + ","
               + json_string(v) + "]";
  headers += "]";
  return "{\"method\":" + json_string(c.req.method) + ",\"url\":" + json_string(c.req.url)
         + ",\"headers\":" + headers + ",\"body\":" + json_string(c.req.body)
         + ",\"access_key_id\":" + json_string(c.creds.access_key_id)
         + ",\"secret_access_key\":" + json_string(c.creds.secret_access_key)
         + ",\"session_token\":" + json_string(c.creds.session_token)
         + ",\"region\":" + json_string(c.region) + ",\"service\":" + json_string(c.service)
         + ",\"timestamp_ms\":" + std::to_string(c.now_ms)
         + ",\"sign_payload_header\":" + (c.payload_header ? "true" : "false") + "}";
}

// Runs the botocore fixture over all cases; returns its output lines.
std::vector<std::string> botocore_sign(const std::vector<signing_case>& cases) {
  char path[] = "/tmp/styx_sigv4_XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "[";
    for (size_t i = 0; i < cases.size(); ++i)
      out << (i ? "," : "") << to_json(cases[i]);
    out << "]";
  }
  std::string cmd = std::string("python3 ") + STYX_SOURCE_DIR
                    + "/tests/fixtures/sigv4_botocore.py < " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
    output.append(buf, n);
  int status = pclose(pipe);
  std::remove(path);
  INFO("fixture output:\n" << output);
  REQUIRE(status == 0);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < output.size()) {
    auto end = output.find('\n', start);
    if (end == std::string::npos)
      end = output.size();
    lines.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

signing_case make_case(std::string name, std::string method, std::string url,
                       http_headers headers, std::string body) {
  signing_case c;
  c.name = std::move(name);
  c.req.method = std::move(method);
  c.req.url = std::move(url);
  c.req.headers = std::move(headers);
  c.req.body = std::move(body);
  c.creds = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  c.region = "us-east-1";
  c.service = "ec2";
  c.now_ms = 1700000000123;
  return c;
}

std::vector<signing_case> varied_cases() {
  const http_headers form = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  std::vector<signing_case> cases;

  cases.push_back(make_case("ec2 RunInstances form body", "POST",
                            "https://ec2.us-east-1.amazonaws.com/", form,
                            "Action=RunInstances&Version=2016-11-15&ImageId=ami-0abcdef1234567890"
                            "&InstanceType=t3.micro&MinCount=1&MaxCount=50&ClientToken=styx-42"
                            "&TagSpecification.1.ResourceType=instance"
                            "&TagSpecification.1.Tag.1.Key=styx%3Afleet"
                            "&TagSpecification.1.Tag.1.Value=web%20tier"));

  auto c = make_case("session token, eu-west-1", "POST", "https://ec2.eu-west-1.amazonaws.com/",
                     form, "Action=DescribeInstances&Version=2016-11-15&MaxResults=1000");
  c.region = "eu-west-1";
  c.creds.session_token = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==";
  cases.push_back(c);

  cases.push_back(make_case("query with reserved characters, spaces, repeated keys", "GET",
                            "https://ec2.us-east-1.amazonaws.com/?Action=DescribeInstances"
                            "&Filter.1.Name=tag%3AName&Filter.1.Value.2=b%2Fc%3Fd%26e%3Df"
                            "&Filter.1.Value.1=a%20b+c&z=%21%2A%27%28%29%3B%40%24%2C%5B%5D"
                            "&dup=2&dup=1&dup=10&empty=&flag&tilde=~_.-",
                            {}, ""));

  cases.push_back(make_case("lower-case hex escapes and unicode", "GET",
                            "https://ec2.us-east-1.amazonaws.com/?name=%c3%bcber%2fx&%C3%A9=1",
                            {}, ""));

  c = make_case("path with literal spaces", "GET",
                "https://example.amazonaws.com/my path/file name.txt?x=1", {}, "");
  c.service = "service";
  cases.push_back(c);

  c = make_case("path already percent-encoded", "GET",
                "https://example.amazonaws.com/my%20path/a+b/%E2%82%AC", {}, "");
  c.service = "service";
  cases.push_back(c);

  c = make_case("dot segments and repeated slashes", "GET",
                "https://example.amazonaws.com/a/./b/../c//d/", {}, "");
  c.service = "service";
  cases.push_back(c);

  c = make_case("header whitespace, case, repeats, unsigned User-Agent", "POST",
                "https://ec2.ap-southeast-2.amazonaws.com/",
                {{"Content-Type", "  application/x-www-form-urlencoded;   charset=utf-8 "},
                 {"X-Custom", "first   value"},
                 {"x-custom", "\tsecond value  "},
                 {"User-Agent", "styx/0.1"},
                 {"My-Header", "a    b   c"}},
                "Action=DescribeRegions&Version=2016-11-15");
  c.region = "ap-southeast-2";
  cases.push_back(c);

  c = make_case("loopback endpoint with a port, over http", "POST", "http://127.0.0.1:5123/", form,
                "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0");
  c.creds = {"testing", "testing", "testing-token"};
  cases.push_back(c);

  c = make_case("explicit default port", "GET", "https://sts.amazonaws.com:443/"
                "?Action=GetCallerIdentity&Version=2011-06-15", {}, "");
  c.service = "sts";
  cases.push_back(c);

  c = make_case("host header given, sts in another region", "POST",
                "https://sts.ap-northeast-1.amazonaws.com/",
                {{"Host", "sts.ap-northeast-1.amazonaws.com"}, {"Content-Type", "text/plain"}},
                "Action=GetCallerIdentity&Version=2011-06-15");
  c.region = "ap-northeast-1";
  c.service = "sts";
  cases.push_back(c);

  c = make_case("payload hash header, unicode body", "PUT",
                "https://bucket.s3.us-west-2.amazonaws.com/key", {{"Content-Type", "text/plain"}},
                "h\xc3\xa9llo w\xc3\xb6rld\n");
  c.region = "us-west-2";
  c.service = "s3";
  c.payload_header = true;
  cases.push_back(c);

  c = make_case("year boundary, last millisecond", "DELETE",
                "https://example.amazonaws.com/thing", {}, "");
  c.service = "service";
  c.now_ms = 1735689599999;  // 2024-12-31T23:59:59.999Z
  cases.push_back(c);

  c = make_case("leap day, lower-case method", "get",
                "https://ec2.us-gov-west-1.amazonaws.com/?Action=DescribeAvailabilityZones", {}, "");
  c.region = "us-gov-west-1";
  c.now_ms = 1709164800000;  // 2024-02-29T00:00:00Z
  cases.push_back(c);

  return cases;
}

} // namespace

TEST_CASE("sigv4 helpers: encoding, hashing, dates") {
  CHECK(aws_uri_encode("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(aws_uri_encode("a b/c+d*e%") == "a%20b%2Fc%2Bd%2Ae%25");
  CHECK(aws_uri_encode("a b/c", true) == "a%20b/c");
  CHECK(aws_uri_encode("\xc3\xbc") == "%C3%BC");
  CHECK(aws_uri_decode("a%20b+c%2f%zz%4", true) == "a b c/%zz%4");
  CHECK(aws_uri_decode("a+b", false) == "a+b");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_encode(hmac_sha256("key", "The quick brown fox jumps over the lazy dog"))
        == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  CHECK(sigv4_amz_date(example_ms) == "20150830T123600Z");
  CHECK(sigv4_amz_date(0) == "19700101T000000Z");
  CHECK(sigv4_amz_date(951782400000) == "20000229T000000Z");
  CHECK(sigv4_amz_date(-1) == "19691231T235959Z");
  CHECK(sigv4_amz_date(4102444800000 - 1) == "20991231T235959Z");
}

TEST_CASE("sigv4 canonical pieces") {
  CHECK(sigv4_canonical_query("b=2&a=3&a=1&c") == "a=1&a=3&b=2&c=");
  CHECK(sigv4_canonical_query("") == "");
  CHECK(sigv4_canonical_query("k=a+b%20c&&x=%7e") == "k=a%20b%20c&x=~");
  CHECK(sigv4_canonical_uri("") == "/");
  CHECK(sigv4_canonical_uri("/a/./b/../c//d/") == "/a/c/d/");
  CHECK(sigv4_canonical_uri("/my%20doc") == "/my%2520doc");
  auto h = sigv4_canonical_headers({{"X-B", " 1   2 "}, {"host", "h"}, {"x-b", "3"},
                                    {"User-Agent", "u"}, {"Authorization", "old"}});
  CHECK(h.canonical == "host:h\nx-b:1 2,3\n");
  CHECK(h.signed_names == "host;x-b");
  auto u = split_url("HTTPS://User@EC2.Example.com:443/p/q?x=1#frag");
  CHECK(u.scheme == "https");
  CHECK(u.host == "ec2.example.com");
  CHECK(u.path == "/p/q");
  CHECK(u.query == "x=1");
  CHECK(split_url("http://127.0.0.1:5000").host == "127.0.0.1:5000");
  CHECK(split_url("http://127.0.0.1:5000").path == "");
  CHECK(split_url("http://[::1]:8080/x").host == "[::1]:8080");
}

TEST_CASE("sigv4 matches the AWS documented IAM ListUsers example") {
  http_request req;
  req.method = "GET";
  req.url = "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  sigv4_sign(req, {example_key, example_secret, ""}, "us-east-1", "iam", example_ms);

  CHECK(header_of(req, "Host") == "iam.amazonaws.com");
  CHECK(header_of(req, "X-Amz-Date") == "20150830T123600Z");
  CHECK(header_of(req, "X-Amz-Security-Token").empty());
  CHECK(header_of(req, "X-Amz-Content-Sha256").empty());
  CHECK(sha256_hex(sigv4_canonical_request(req))
        == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  CHECK(hex_encode(sigv4_signing_key(example_secret, "20150830", "us-east-1", "iam"))
        == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  CHECK(header_of(req, "Authorization")
        == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
           "SignedHeaders=content-type;host;x-amz-date, "
           "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST_CASE("sigv4 matches the SigV4 test suite's get-vanilla") {
  http_request req;
  req.url = "https://example.amazonaws.com/";
  sigv4_sign(req, {example_key, example_secret, ""}, "us-east-1", "service", example_ms);
  CHECK(header_of(req, "Authorization")
        == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
           "SignedHeaders=host;x-amz-date, "
           "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("sigv4 re-signing replaces the previous signature headers") {
  http_request req;
  req.method = "POST";
  req.url = "https://ec2.us-east-1.amazonaws.com/";
  req.body = "Action=DescribeInstances&Version=2016-11-15";
  aws_credentials creds{"AKIAIOSFODNN7EXAMPLE", "secret", "token-1"};
  sigv4_sign(req, creds, "us-east-1", "ec2", example_ms);
  auto first = header_of(req, "Authorization");
  creds.session_token = "token-2";
  sigv4_sign(req, creds, "us-east-1", "ec2", example_ms + 60000);
  CHECK(req.headers.size() == 4);  // Host, X-Amz-Date, X-Amz-Security-Token, Authorization
  CHECK(header_of(req, "X-Amz-Security-Token") == "token-2");
  CHECK(header_of(req, "X-Amz-Date") == "20150830T123700Z");
  CHECK(header_of(req, "Authorization") != first);
  CHECK(header_of(req, "Authorization").find("secret") == std::string::npos);
  CHECK(header_of(req, "Authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,")
        != std::string::npos);
}

TEST_CASE("sigv4 matches botocore's SigV4Auth byte for byte") {
  auto cases = varied_cases();
  auto lines = botocore_sign(cases);
  REQUIRE(lines.size() == 2 * cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    auto c = cases[i];
    sigv4_sign(c.req, c.creds, c.region, c.service, c.now_ms, c.payload_header);
    INFO("case: " << c.name << "\ncanonical request:\n" << sigv4_canonical_request(c.req));
    CHECK("Authorization: " + header_of(c.req, "Authorization") == lines[2 * i]);
    CHECK("X-Amz-Date: " + header_of(c.req, "X-Amz-Date") == lines[2 * i + 1]);
    if (!c.creds.session_token.empty())
      CHECK(header_of(c.req, "X-Amz-Security-Token") == c.creds.session_token);
    CHECK(header_of(c.req, "X-Amz-Content-Sha256").empty() == !c.payload_header);
  }
}
