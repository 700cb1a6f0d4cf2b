#include "runtime/k8s_config.hpp"

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include "common/one_line.hpp"
#include "providers/kubernetes/k8s_names.hpp"

namespace styx {

namespace {

using result = std::variant<k8s_settings, std::string>;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::optional<std::string> base64_decode(const std::string& text) {
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ')
      clean += c;
  if (clean.size() % 4 != 0)
    return std::nullopt;
  std::string out(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0)
    return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < clean.size() && clean[clean.size() - 1 - pad] == '=')
    ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string relative_to(const std::string& file, const std::string& path) {
  if (path.empty() || path[0] == '/')
    return path;
  return dir_of(file) + "/" + path;
}

/// One named entry of a kubeconfig (a cluster, user or context) and the file it came from.
struct entry {
  YAML::Node node;
  std::string file;
};

/// kubectl's merge of several kubeconfig files: the first file to name an entry wins.
struct merged {
  std::map<std::string, entry> clusters, users, contexts;
  std::string current_context;
  std::string files;
};

std::string scalar(const YAML::Node& n, const char* key) {
  auto v = n[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string{};
}

void merge_list(const YAML::Node& doc, const char* list, const char* inner, const std::string& file,
                std::map<std::string, entry>& into) {
  auto xs = doc[list];
  if (!xs || !xs.IsSequence())
    return;
  for (auto x : xs) {
    auto name = scalar(x, "name");
    if (!name.empty() && into.count(name) == 0)
      into[name] = entry{x[inner], file};
  }
}

/// Reads and merges `files`; an error names the file that could not be read or parsed.
std::variant<merged, std::string> load(const std::vector<std::string>& files) {
  merged m;
  for (auto& f : files) {
    auto text = read_file(f);
    if (!text)
      continue; // kubectl skips a KUBECONFIG file that does not exist
    try {
      auto doc = YAML::Load(*text);
      if (!doc || doc.IsNull())
        continue;
      if (!doc.IsMap())
        return f + ": not a kubeconfig (a YAML map expected)";
      merge_list(doc, "clusters", "cluster", f, m.clusters);
      merge_list(doc, "users", "user", f, m.users);
      merge_list(doc, "contexts", "context", f, m.contexts);
      if (m.current_context.empty())
        m.current_context = scalar(doc, "current-context");
    } catch (const YAML::Exception& e) {
      return f + ": " + e.what();
    }
    m.files += (m.files.empty() ? "" : ":") + f;
  }
  return m;
}

std::vector<std::string> kubeconfig_files(const env_lookup& env) {
  std::vector<std::string> files;
  if (auto v = env("KUBECONFIG"); v && !v->empty()) {
    std::stringstream in{*v};
    std::string part;
    while (std::getline(in, part, ':'))
      if (!part.empty())
        files.push_back(part);
    return files;
  }
  if (auto home = env("HOME"); home && !home->empty())
    files.push_back(*home + "/.kube/config");
  return files;
}

/// A PEM from `key`-data (base64) or `key` (a path relative to `file`); "" when neither.
std::variant<std::string, std::string> pem_of(const entry& e, const std::string& key,
                                              const std::string& what) {
  auto data = scalar(e.node, (key + "-data").c_str());
  if (!data.empty()) {
    auto pem = base64_decode(data);
    if (!pem)
      return std::variant<std::string, std::string>{std::in_place_index<1>,
                                                    what + ": " + key + "-data is not base64"};
    return std::variant<std::string, std::string>{std::in_place_index<0>, *pem};
  }
  auto path = scalar(e.node, key.c_str());
  if (path.empty())
    return std::variant<std::string, std::string>{std::in_place_index<0>, std::string{}};
  auto full = relative_to(e.file, path);
  auto pem = read_file(full);
  if (!pem)
    return std::variant<std::string, std::string>{std::in_place_index<1>,
                                                  what + ": cannot read " + key + " " + full};
  return std::variant<std::string, std::string>{std::in_place_index<0>, *pem};
}

result in_cluster(const std::string& ns_override, const env_lookup& env, const std::string& dir) {
  auto host = env("KUBERNETES_SERVICE_HOST").value_or("");
  auto port = env("KUBERNETES_SERVICE_PORT").value_or("443");
  k8s_settings s;
  s.context = "in-cluster";
  s.source = "in-cluster service account (" + dir + ")";
  bool v6 = host.find(':') != std::string::npos;
  s.target.server = "https://" + (v6 ? "[" + host + "]" : host) + ":" + port;
  auto token = read_file(dir + "/token");
  auto ca = read_file(dir + "/ca.crt");
  if (!token || !ca)
    return "in-cluster: cannot read the service account's token and ca.crt in " + dir;
  s.target.token = trim(*token);
  s.auth = "service account token";
  auto tls = std::make_shared<http_tls>();
  tls->ca_pem = *ca;
  s.target.tls = tls;
  s.target.namespace_ = ns_override;
  if (s.target.namespace_.empty())
    s.target.namespace_ = trim(read_file(dir + "/namespace").value_or("default"));
  return s;
}

} // namespace

std::string k8s_settings::describe() const {
  return "context " + context + " (" + source + "), server " + target.server + ", namespace "
         + target.namespace_ + ", " + auth
         + (insecure ? ", TLS NOT VERIFIED (insecure-skip-tls-verify)" : "");
}

namespace {

result settings_of(const std::string& context_override, const std::string& namespace_override,
                   const env_lookup& env, const std::string& service_account_dir) {
  auto files = kubeconfig_files(env);
  auto loaded = load(files);
  if (auto* err = std::get_if<std::string>(&loaded))
    return *err;
  auto& m = std::get<merged>(loaded);
  bool have_service = env("KUBERNETES_SERVICE_HOST").value_or("") != "";
  if (m.contexts.empty() && have_service
      && (context_override.empty() || context_override == "in-cluster"))
    return in_cluster(namespace_override, env, service_account_dir);
  if (m.files.empty())
    return "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not in a cluster";
  auto name = context_override.empty() ? m.current_context : context_override;
  if (name.empty())
    return m.files + ": no current-context; pass --context";
  auto ctx = m.contexts.find(name);
  if (ctx == m.contexts.end())
    return "context '" + name + "' is not in " + m.files;
  k8s_settings s;
  s.context = name;
  s.source = m.files;
  auto cluster_name = scalar(ctx->second.node, "cluster");
  auto user_name = scalar(ctx->second.node, "user");
  s.target.namespace_ = namespace_override.empty() ? scalar(ctx->second.node, "namespace")
                                                   : namespace_override;
  if (s.target.namespace_.empty())
    s.target.namespace_ = "default";
  auto cl = m.clusters.find(cluster_name);
  if (cl == m.clusters.end())
    return "context '" + name + "': cluster '" + cluster_name + "' is not in " + m.files;
  s.target.server = scalar(cl->second.node, "server");
  if (s.target.server.empty())
    return "cluster '" + cluster_name + "' has no server";
  auto tls = std::make_shared<http_tls>();
  auto ca = pem_of(cl->second, "certificate-authority", "cluster '" + cluster_name + "'");
  if (ca.index() == 1)
    return std::get<1>(ca);
  tls->ca_pem = std::get<0>(ca);
  s.insecure = scalar(cl->second.node, "insecure-skip-tls-verify") == "true";
  tls->insecure_skip_verify = s.insecure;
  s.auth = "no credentials";
  if (!user_name.empty()) {
    auto us = m.users.find(user_name);
    if (us == m.users.end())
      return "context '" + name + "': user '" + user_name + "' is not in " + m.files;
    auto& u = us->second;
    auto what = "user '" + user_name + "'";
    if (u.node["exec"])
      return what + ": exec credential plugins are not supported; use a token or a client "
                    "certificate";
    if (u.node["auth-provider"])
      return what + ": auth-provider plugins are not supported; use a token or a client "
                    "certificate";
    if (!scalar(u.node, "username").empty() || !scalar(u.node, "password").empty())
      return what + ": basic authentication is not supported; use a token or a client "
                    "certificate";
    auto token = scalar(u.node, "token");
    auto token_file = scalar(u.node, "tokenFile");
    if (!token.empty()) {
      s.target.token = token;
      s.auth = "token";
    } else if (!token_file.empty()) {
      auto full = relative_to(u.file, token_file);
      auto t = read_file(full);
      if (!t)
        return what + ": cannot read tokenFile " + full;
      s.target.token = trim(*t);
      s.auth = "token file " + full;
    }
    auto cert = pem_of(u, "client-certificate", what);
    if (cert.index() == 1)
      return std::get<1>(cert);
    auto key = pem_of(u, "client-key", what);
    if (key.index() == 1)
      return std::get<1>(key);
    tls->client_cert_pem = std::get<0>(cert);
    tls->client_key_pem = std::get<0>(key);
    if (tls->client_cert_pem.empty() != tls->client_key_pem.empty())
      return what + ": a client certificate needs its key, and a key its certificate";
    if (!tls->client_cert_pem.empty())
      s.auth = s.target.token.empty() ? "client certificate" : s.auth + " and client certificate";
  }
  s.target.tls = tls;
  return s;
}

} // namespace

std::string k8s_region_of(const std::string& context, const std::string& namespace_) {
  return k8s_query_encode(context) + "/" + namespace_;
}

std::pair<std::string, std::string> k8s_split_region(const std::string& region) {
  auto slash = region.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == region.size())
    return {};
  std::string ctx;
  auto enc = region.substr(0, slash);
  for (size_t i = 0; i < enc.size(); ++i) {
    if (enc[i] == '%' && i + 2 < enc.size()) {
      ctx += static_cast<char>(std::stoi(enc.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      ctx += enc[i];
    }
  }
  return {ctx, region.substr(slash + 1)};
}


result resolve_k8s_settings(const std::string& context_override,
                            const std::string& namespace_override, const env_lookup& env,
                            const std::string& service_account_dir) {
  // One line whatever a file holds: yaml-cpp's messages quote the bad bytes, line breaks too.
  // A value of an unexpected YAML type throws from yaml-cpp: an error, not a crash.
  result out;
  try {
    out = settings_of(context_override, namespace_override, env, service_account_dir);
  } catch (const std::exception& e) {
    out = std::string{"kubeconfig: "} + e.what();
  }
  if (auto* err = std::get_if<std::string>(&out))
    *err = one_line(*err);
  return out;
}

k8s_region_result resolve_k8s_region(const std::string& context_override,
                                     const std::string& namespace_override,
                                     const env_lookup& env) {
  auto s = resolve_k8s_settings(context_override, namespace_override, env);
  if (auto* err = std::get_if<std::string>(&s))
    return {{}, *err};
  auto& ok = std::get<k8s_settings>(s);
  return {k8s_region_of(ok.context, ok.target.namespace_), {}};
}

} // namespace styx
