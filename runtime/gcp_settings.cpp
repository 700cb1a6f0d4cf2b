#include "runtime/gcp_settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "providers/gcp/gcp_names.hpp"

namespace styx {

namespace {

/// A file's text; nullopt when it does not exist; `error` set when it cannot be read.
std::optional<std::string> read_text(const std::string& path, std::string& error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "cannot read " + path + ": it is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

/// gcloud's properties file: "[section]" lines and "key = value" lines; '#' and ';' comment.
using properties = std::map<std::string, std::string>; // "section/key" -> value

std::optional<std::string> parse_properties(const std::string& text, const std::string& path,
                                            properties& out) {
  std::istringstream in(text);
  std::string line, section;
  for (int n = 1; std::getline(in, line); ++n) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        return path + ":" + std::to_string(n) + ": expected [section]";
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos || section.empty())
      return path + ":" + std::to_string(n) + ": expected 'key = value' in a [section]";
    out[section + "/" + trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return std::nullopt;
}

/// gcloud's config dir and active configuration, read on first use.
class gcloud_config {
public:
  explicit gcloud_config(const env_lookup& get) {
    if (auto dir = get("CLOUDSDK_CONFIG"))
      dir_ = *dir;
    else if (auto home = get("HOME"))
      dir_ = *home + "/.config/gcloud";
    name_ = get("CLOUDSDK_ACTIVE_CONFIG_NAME").value_or("");
  }

  const std::string& dir() const { return dir_; }

  /// The property section/key, empty when unset; `error` for an unreadable config.
  std::string get(const std::string& key, std::string& error) {
    load(error);
    auto i = props_.find(key);
    return i == props_.end() ? std::string{} : i->second;
  }

  std::string where(const std::string& key) const {
    auto dot = key.find('/');
    return path_.empty() ? "gcloud's config (HOME is not set)"
                         : path_ + " [" + key.substr(0, dot) + "] " + key.substr(dot + 1);
  }

private:
  void load(std::string& error) {
    if (loaded_ || dir_.empty())
      return;
    loaded_ = true;
    if (name_.empty()) {
      std::string err;
      auto active = read_text(dir_ + "/active_config", err);
      name_ = active ? trim(*active) : "default";
      if (name_.empty())
        name_ = "default";
    }
    path_ = dir_ + "/configurations/config_" + name_;
    std::string err;
    if (auto text = read_text(path_, err)) {
      if (auto bad = parse_properties(*text, path_, props_))
        error = *bad;
    } else if (!err.empty()) {
      error = err;
    }
  }

  std::string dir_;
  std::string name_;
  std::string path_;
  bool loaded_ = false;
  properties props_;
};

bool valid_name(const std::string& s, bool allow_colon_dot) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
          || (allow_colon_dot && (c == ':' || c == '.'))))
      return false;
  return true;
}

gcp_region_result region_from(const std::string& override_, const env_lookup& get,
                              gcloud_config& config) {
  gcp_region_result out;
  auto take = [&](std::string value, std::string source) {
    out.region = std::move(value);
    out.source = std::move(source);
  };
  if (!override_.empty()) {
    take(override_, "override");
  } else if (auto r = get("CLOUDSDK_COMPUTE_REGION")) {
    take(*r, "CLOUDSDK_COMPUTE_REGION");
  } else if (auto r = config.get("compute/region", out.error); !r.empty()) {
    take(r, config.where("compute/region"));
  } else if (auto z = get("CLOUDSDK_COMPUTE_ZONE")) {
    take(gcp_region_of_zone(*z), "CLOUDSDK_COMPUTE_ZONE");
  } else if (auto z = config.get("compute/zone", out.error); !z.empty()) {
    take(gcp_region_of_zone(z), config.where("compute/zone"));
  } else {
    take(gcp_default_region, "default");
  }
  if (out.error.empty() && !valid_name(out.region, false))
    out.error = "invalid GCP region '" + out.region + "' (from " + out.source
                + "): expected lower-case letters, digits and '-', like us-central1";
  return out;
}

} // namespace

std::string gcp_settings::describe() const {
  std::string who = access_token.empty() ? creds.who() + " from " + creds_source
                                         : "a bearer token from " + creds_source;
  return "project " + project + " (" + project_source + "), " + who + ", endpoint " + endpoint
         + (ca_bundle.empty() ? std::string{} : ", CA bundle " + ca_bundle);
}

gcp_region_result resolve_gcp_region(const std::string& region_override, const env_lookup& env) {
  auto get = non_empty(env);
  gcloud_config config{get};
  return region_from(region_override, get, config);
}

std::variant<gcp_settings, std::string> resolve_gcp_settings(const std::string& project_override,
                                                             const std::string& region_override,
                                                             const env_lookup& env) {
  auto get = non_empty(env);
  gcloud_config config{get};
  gcp_settings out;
  std::string error;

  // Credentials.
  if (auto token = get("CLOUDSDK_AUTH_ACCESS_TOKEN")) {
    out.access_token = *token;
    out.creds_source = "CLOUDSDK_AUTH_ACCESS_TOKEN";
  } else {
    std::string path;
    std::optional<std::string> text;
    if (auto file = get("GOOGLE_APPLICATION_CREDENTIALS")) {
      path = *file;
      text = read_text(path, error);
      if (!text)
        return error.empty() ? "GOOGLE_APPLICATION_CREDENTIALS names " + path
                                 + ", which does not exist"
                             : error;
    } else if (!config.dir().empty()) {
      path = config.dir() + "/application_default_credentials.json";
      text = read_text(path, error);
      if (!error.empty())
        return error;
    }
    if (!text)
      return "no GCP credentials found; looked in: CLOUDSDK_AUTH_ACCESS_TOKEN (not set), "
             "GOOGLE_APPLICATION_CREDENTIALS (not set), "
             + (path.empty() ? std::string{"gcloud's config dir (HOME is not set)"}
                             : path + " (not found)");
    auto parsed = gcp_parse_credentials(*text, path);
    if (!parsed.error.empty())
      return parsed.error;
    out.creds = std::move(parsed.creds);
    out.creds_source = path;
  }

  // Project.
  if (!project_override.empty()) {
    out.project = project_override;
    out.project_source = "override";
  } else if (auto p = get("CLOUDSDK_CORE_PROJECT")) {
    out.project = *p;
    out.project_source = "CLOUDSDK_CORE_PROJECT";
  } else if (auto p = get("GOOGLE_CLOUD_PROJECT")) {
    out.project = *p;
    out.project_source = "GOOGLE_CLOUD_PROJECT";
  } else if (auto p = config.get("core/project", error); !p.empty()) {
    out.project = p;
    out.project_source = config.where("core/project");
  } else if (!error.empty()) {
    return error;
  } else if (!out.creds.project_id.empty()) {
    out.project = out.creds.project_id;
    out.project_source = out.creds_source;
  } else {
    return "no GCP project; looked in: the project option, CLOUDSDK_CORE_PROJECT, "
           "GOOGLE_CLOUD_PROJECT, " + config.where("core/project")
           + ", the credentials' project_id";
  }
  if (!valid_name(out.project, true))
    return "invalid GCP project '" + out.project + "' (from " + out.project_source
           + "): expected lower-case letters, digits and '-'";

  // Region.
  auto region = region_from(region_override, get, config);
  if (!region.error.empty())
    return region.error;
  out.region = region.region;
  out.region_source = region.source;

  // Endpoint.
  std::string endpoint, source;
  if (auto e = get("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE")) {
    endpoint = *e;
    source = "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE";
  } else if (auto e = config.get("api_endpoint_overrides/compute", error); !e.empty()) {
    endpoint = e;
    source = config.where("api_endpoint_overrides/compute");
  } else if (!error.empty()) {
    return error;
  }
  if (!endpoint.empty()) {
    if (endpoint.compare(0, 7, "http://") != 0 && endpoint.compare(0, 8, "https://") != 0)
      return source + " must start with http:// or https:// (got '" + endpoint + "')";
    if (endpoint.back() != '/')
      endpoint += '/';
    out.endpoint = endpoint;
    out.endpoint_is_default = false;
  } else {
    out.endpoint = gcp_default_endpoint;
  }

  // CA bundle.
  if (auto b = get("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE")) {
    out.ca_bundle = *b;
  } else if (auto b = config.get("core/custom_ca_certs_file", error); !b.empty()) {
    out.ca_bundle = b;
  } else if (!error.empty()) {
    return error;
  }
  if (!out.ca_bundle.empty() && ::access(out.ca_bundle.c_str(), R_OK) != 0)
    return "the GCP CA bundle " + out.ca_bundle + " cannot be read: " + std::strerror(errno);
  out.creds.ca_bundle = out.ca_bundle;
  return out;
}

} // namespace styx
