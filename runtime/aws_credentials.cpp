#include "runtime/aws_credentials.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace styx {

namespace {

// One of the two INI files, read on first use.
class profile_file {
public:
  profile_file(std::string path, aws_file_kind kind) : path_(std::move(path)), kind_(kind) {}

  const std::string& path() const { return path_; }

  /// Loads the file if needed; returns an error for an unreadable or malformed file.
  std::optional<std::string> load() {
    if (loaded_)
      return error_;
    loaded_ = true;
    if (path_.empty())
      return error_;
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0) {
      if (errno != ENOENT && errno != ENOTDIR)
        error_ = "cannot read " + path_ + ": " + std::strerror(errno);
      return error_;
    }
    if (S_ISDIR(st.st_mode))
      return error_ = "cannot read " + path_ + ": it is a directory";
    std::ifstream in(path_, std::ios::binary);
    if (!in)
      return error_ = "cannot read " + path_ + ": " + std::strerror(errno);
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_aws_ini(text.str(), path_, kind_);
    if (auto* err = std::get_if<std::string>(&parsed))
      return error_ = *err;
    file_ = std::get<aws_ini_file>(std::move(parsed));
    return error_;
  }

  /// The profile, if the file exists and has it (call load() first).
  std::optional<aws_profile> profile(const std::string& name) const {
    if (!file_)
      return std::nullopt;
    return find_aws_profile(*file_, name);
  }

  /// What looking here found, for the "nothing found" message.
  std::string looked(const std::string& name, const std::string& what) const {
    std::string section = kind_ == aws_file_kind::config && name != "default"
                              ? "[profile " + name + "]" : "[" + name + "]";
    if (path_.empty())
      return (kind_ == aws_file_kind::config ? "~/.aws/config" : "~/.aws/credentials")
             + std::string(" (HOME is not set)");
    if (!file_)
      return path_ + " (not found)";
    if (!profile(name))
      return path_ + " (no " + section + " section)";
    return path_ + " (" + section + " has no " + what + ")";
  }

private:
  std::string path_;
  aws_file_kind kind_;
  bool loaded_ = false;
  std::optional<std::string> error_;
  std::optional<aws_ini_file> file_;
};

bool valid_region(const std::string& r) {
  if (r.empty())
    return false;
  for (char c : r)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return true;
}

} // namespace

env_lookup non_empty(const env_lookup& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto v = env(name);
    if (!v || v->empty())
      return std::nullopt;
    return v;
  };
}

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str()))
      return std::string(v);
    return std::nullopt;
  };
}

std::variant<aws_settings, std::string> resolve_aws_settings(const std::string& region_override,
                                                             const env_lookup& env) {
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    auto v = env(name);
    if (!v || v->empty())
      return std::nullopt;
    return v;
  };
  auto home = get("HOME");
  auto file_path = [&](const char* var, const char* rel) -> std::string {
    if (auto v = get(var)) {
      if (home && (*v == "~" || v->compare(0, 2, "~/") == 0))
        return *home + v->substr(1);
      return *v;
    }
    return home ? *home + rel : std::string();
  };
  profile_file creds_file(file_path("AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials"),
                          aws_file_kind::credentials);
  profile_file config_file(file_path("AWS_CONFIG_FILE", "/.aws/config"), aws_file_kind::config);
  const std::string profile = get("AWS_PROFILE").value_or("default");

  aws_settings out;

  // Credentials.
  auto key = get("AWS_ACCESS_KEY_ID");
  auto secret = get("AWS_SECRET_ACCESS_KEY");
  if (key && !secret)
    return std::string("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  if (secret && !key)
    return std::string("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  if (key) {
    out.creds = {*key, *secret, get("AWS_SESSION_TOKEN").value_or("")};
    out.source = "environment";
  } else {
    for (auto* file : {&creds_file, &config_file}) {
      if (auto err = file->load())
        return *err;
      auto p = file->profile(profile);
      if (!p || (p->access_key_id.empty() && p->secret_access_key.empty()))
        continue;
      if (p->secret_access_key.empty())
        return p->where + ": aws_access_key_id is set but aws_secret_access_key is not";
      if (p->access_key_id.empty())
        return p->where + ": aws_secret_access_key is set but aws_access_key_id is not";
      out.creds = {p->access_key_id, p->secret_access_key, p->session_token};
      out.source = p->where;
      break;
    }
    if (out.source.empty())
      return "no AWS credentials found for profile '" + profile + "'; looked in: "
             + "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set), "
             + creds_file.looked(profile, "aws_access_key_id") + ", "
             + config_file.looked(profile, "aws_access_key_id");
  }

  // Region.
  if (!region_override.empty()) {
    out.region = region_override;
    out.region_source = "override";
  } else if (auto r = get("AWS_REGION")) {
    out.region = *r;
    out.region_source = "AWS_REGION";
  } else if (auto r = get("AWS_DEFAULT_REGION")) {
    out.region = *r;
    out.region_source = "AWS_DEFAULT_REGION";
  } else {
    for (auto* file : {&config_file, &creds_file}) {
      if (auto err = file->load())
        return *err;
      auto p = file->profile(profile);
      if (p && !p->region.empty()) {
        out.region = p->region;
        out.region_source = p->where;
        break;
      }
    }
    if (out.region.empty())
      return "no AWS region for profile '" + profile
             + "'; looked in: the region option, AWS_REGION, AWS_DEFAULT_REGION, "
             + config_file.looked(profile, "region") + ", "
             + creds_file.looked(profile, "region");
  }
  if (!valid_region(out.region))
    return "invalid AWS region '" + out.region + "' (from " + out.region_source
           + "): expected lower-case letters, digits and '-', like us-east-1";

  // Endpoint.
  for (auto* var : {"AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"}) {
    if (auto e = get(var)) {
      if (e->compare(0, 7, "http://") != 0 && e->compare(0, 8, "https://") != 0)
        return std::string(var) + " must start with http:// or https:// (got '" + *e + "')";
      while (e->size() > 1 && e->back() == '/')
        e->pop_back();
      out.endpoint = *e;
      out.endpoint_is_default = false;
      break;
    }
  }
  if (out.endpoint.empty()) {
    bool china = out.region.compare(0, 3, "cn-") == 0;
    out.endpoint = "https://ec2." + out.region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
  }

  // CA bundle.
  if (auto b = get("AWS_CA_BUNDLE")) {
    out.ca_bundle = *b;
    out.ca_bundle_source = "AWS_CA_BUNDLE";
  } else { // the config file's alone, as the AWS CLI reads it
    if (auto err = config_file.load())
      return *err;
    auto p = config_file.profile(profile);
    if (p && !p->ca_bundle.empty()) {
      out.ca_bundle = p->ca_bundle;
      out.ca_bundle_source = p->where;
    }
  }
  if (home && out.ca_bundle.compare(0, 2, "~/") == 0)
    out.ca_bundle = *home + out.ca_bundle.substr(1);
  if (!out.ca_bundle.empty() && ::access(out.ca_bundle.c_str(), R_OK) != 0)
    return "the AWS CA bundle " + out.ca_bundle + " (from " + out.ca_bundle_source
           + ") cannot be read: " + std::strerror(errno);
  return out;
}

std::string aws_settings::describe() const {
  auto out = "endpoint " + endpoint + ", credentials " + creds.redacted() + " from " + source;
  if (!ca_bundle.empty())
    out += ", CA bundle " + ca_bundle + " from " + ca_bundle_source;
  return out;
}

} // namespace styx
