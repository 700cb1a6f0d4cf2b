#include "providers/aws/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

namespace styx {

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Trims and collapses every run of whitespace to one space.
std::string collapse_ws(const std::string& s) {
  std::string out;
  bool pending_space = false;
  for (char c : s) {
    if (is_ws(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space)
      out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool unsigned_header(const std::string& lname) {
  static const char* const names[] = {
      "authorization", "connection", "expect",  "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
      "user-agent", "x-amzn-trace-id"};
  for (auto* n : names)
    if (lname == n)
      return true;
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void remove_headers(http_headers& headers, const std::string& lname) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](auto& h) { return lower(h.first) == lname; }),
                headers.end());
}

bool has_header(const http_headers& headers, const std::string& lname) {
  for (auto& h : headers)
    if (lower(h.first) == lname)
      return true;
  return false;
}

} // namespace

std::string hex_encode(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return hex_encode(std::string(reinterpret_cast<char*>(md), len));
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string aws_uri_encode(const std::string& s, bool keep_slash) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

std::string aws_uri_decode(const std::string& s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
        && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

url_parts split_url(const std::string& url) {
  url_parts parts;
  size_t pos = 0;
  auto scheme_end = url.find("://");
  if (scheme_end != std::string::npos) {
    parts.scheme = lower(url.substr(0, scheme_end));
    pos = scheme_end + 3;
  }
  auto authority_end = url.find_first_of("/?#", pos);
  if (authority_end == std::string::npos)
    authority_end = url.size();
  auto authority = url.substr(pos, authority_end - pos);
  auto at = authority.rfind('@');
  if (at != std::string::npos)
    authority = authority.substr(at + 1);
  // Port: after the last ':' unless inside an IPv6 literal "[::1]".
  std::string host = authority, port;
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  parts.host = lower(host);
  bool default_port = (parts.scheme == "http" && port == "80")
                      || (parts.scheme == "https" && port == "443");
  if (!port.empty() && !default_port)
    parts.host += ":" + port;
  auto rest = url.substr(authority_end);
  auto hash = rest.find('#');
  if (hash != std::string::npos)
    rest.resize(hash);
  auto q = rest.find('?');
  parts.path = rest.substr(0, q);
  if (q != std::string::npos)
    parts.query = rest.substr(q + 1);
  return parts;
}

std::string sigv4_canonical_uri(const std::string& raw_path) {
  if (raw_path.empty())
    return "/";
  // RFC 3986 5.2.4 dot-segment removal; AWS also drops empty segments ("//").
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= raw_path.size()) {
    auto end = raw_path.find('/', start);
    if (end == std::string::npos)
      end = raw_path.size();
    auto seg = raw_path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty())
        segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string path = raw_path[0] == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i)
    path += (i ? "/" : "") + segments[i];
  if (raw_path.back() == '/' && !segments.empty())
    path += '/';
  return aws_uri_encode(path, true);
}

std::string sigv4_canonical_query(const std::string& raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= raw_query.size()) {
    auto end = raw_query.find('&', start);
    if (end == std::string::npos)
      end = raw_query.size();
    auto item = raw_query.substr(start, end - start);
    if (!item.empty()) {
      auto eq = item.find('=');
      auto key = item.substr(0, eq);
      auto value = eq == std::string::npos ? std::string() : item.substr(eq + 1);
      pairs.emplace_back(aws_uri_encode(aws_uri_decode(key, true)),
                         aws_uri_encode(aws_uri_decode(value, true)));
    }
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (auto& [k, v] : pairs)
    out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

sigv4_headers sigv4_canonical_headers(const http_headers& headers) {
  std::map<std::string, std::string> merged;  // sorted by lower-cased name
  for (auto& [name, value] : headers) {
    auto lname = lower(collapse_ws(name));
    if (unsigned_header(lname))
      continue;
    auto it = merged.find(lname);
    if (it == merged.end())
      merged.emplace(lname, collapse_ws(value));
    else
      it->second += "," + collapse_ws(value);
  }
  sigv4_headers out;
  for (auto& [name, value] : merged) {
    out.canonical += name + ":" + value + "\n";
    out.signed_names += (out.signed_names.empty() ? "" : ";") + name;
  }
  return out;
}

std::string sigv4_canonical_request(const http_request& req) {
  auto url = split_url(req.url);
  auto headers = sigv4_canonical_headers(req.headers);
  std::string method = req.method;
  for (auto& c : method)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // As botocore does: an explicit X-Amz-Content-Sha256 (e.g. UNSIGNED-PAYLOAD) is the payload hash.
  std::string payload_hash;
  for (auto& [name, value] : req.headers)
    if (lower(name) == "x-amz-content-sha256")
      payload_hash = value;
  if (payload_hash.empty())
    payload_hash = sha256_hex(req.body);
  return method + "\n" + sigv4_canonical_uri(url.path) + "\n" + sigv4_canonical_query(url.query)
         + "\n" + headers.canonical + "\n" + headers.signed_names + "\n" + payload_hash;
}

std::string sigv4_amz_date(int64_t now_ms) {
  int64_t secs = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - days * 86400;
  // civil_from_days (H. Hinnant): days since 1970-01-01 -> y/m/d.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2)
    ++y;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", static_cast<int>(y),
                static_cast<int>(m), static_cast<int>(d), static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

std::string sigv4_scope(const std::string& amz_date, const std::string& region,
                        const std::string& service) {
  return amz_date.substr(0, 8) + "/" + region + "/" + service + "/aws4_request";
}

std::string sigv4_string_to_sign(const std::string& amz_date, const std::string& scope,
                                 const std::string& canonical_request) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(canonical_request);
}

std::string sigv4_signing_key(const std::string& secret_access_key, const std::string& date,
                              const std::string& region, const std::string& service) {
  auto k_date = hmac_sha256("AWS4" + secret_access_key, date);
  auto k_region = hmac_sha256(k_date, region);
  auto k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

void sigv4_sign(http_request& req, const aws_credentials& creds, const std::string& region,
                const std::string& service, int64_t now_ms, bool sign_payload_header) {
  for (auto* name : {"authorization", "x-amz-date", "x-amz-security-token"})
    remove_headers(req.headers, name);
  if (!has_header(req.headers, "host"))
    req.headers.emplace_back("Host", split_url(req.url).host);
  auto amz_date = sigv4_amz_date(now_ms);
  req.headers.emplace_back("X-Amz-Date", amz_date);
  if (!creds.session_token.empty())
    req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  if (sign_payload_header) {
    remove_headers(req.headers, "x-amz-content-sha256");
    req.headers.emplace_back("X-Amz-Content-Sha256", sha256_hex(req.body));
  }
  auto scope = sigv4_scope(amz_date, region, service);
  auto canonical = sigv4_canonical_request(req);
  auto to_sign = sigv4_string_to_sign(amz_date, scope, canonical);
  auto key = sigv4_signing_key(creds.secret_access_key, amz_date.substr(0, 8), region, service);
  auto signature = hex_encode(hmac_sha256(key, to_sign));
  auto signed_names = sigv4_canonical_headers(req.headers).signed_names;
  req.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id
                                                + "/" + scope + ", SignedHeaders=" + signed_names
                                                + ", Signature=" + signature);
}

} // namespace styx
