#include "runtime/node_memory.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "runtime/engine.hpp"
#include "runtime/node_client.hpp"

namespace styx {

namespace {

std::string memory_path(const std::string& state_dir) {
  return state_dir + "/nodes";
}

std::string absolute(const std::string& path) {
  if (path.empty())
    return path;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

bool same(const remote_node& a, const remote_node& b) {
  return a.host == b.host && a.port == b.port;
}

bool same(const node_transport& a, const node_transport& b) {
  return a.insecure == b.insecure && a.tls.cafile == b.tls.cafile
         && a.tls.certificate == b.tls.certificate && a.tls.key == b.tls.key;
}

} // namespace

node_memory load_node_memory(const std::string& state_dir) {
  node_memory m;
  auto path = memory_path(state_dir);
  if (!std::filesystem::exists(path))
    return m;
  try {
    load_nodes_file(path, m.nodes, m.transport);
    auto root = YAML::LoadFile(path);
    if (auto ids = root["node_ids"]) {
      if (!ids.IsMap())
        throw std::runtime_error("nodes file " + path + ": 'node_ids' must be a map");
      for (auto entry : ids)
        m.addresses[entry.first.as<std::string>()] = entry.second.as<std::string>();
    }
  } catch (const std::exception& e) {
    throw engine_error(std::string{e.what()} + " (remembered by styx; fix or delete it)");
  }
  return m;
}

void remember_nodes(const std::string& state_dir, const std::vector<remote_node>& nodes,
                    const node_transport& transport,
                    const std::map<std::string, std::string>& addresses) {
  auto m = load_node_memory(state_dir);
  auto before = m;
  for (auto& n : nodes)
    if (std::none_of(m.nodes.begin(), m.nodes.end(), [&](auto& k) { return same(k, n); }))
      m.nodes.push_back(n);
  if (m.nodes.empty())
    return;
  if (!nodes.empty()) {
    m.transport.insecure = transport.insecure;
    m.transport.tls = node_tls{absolute(transport.tls.cafile),
                               absolute(transport.tls.certificate), absolute(transport.tls.key)};
  }
  for (auto& [id, at] : addresses)
    m.addresses[id] = at;
  if (m.nodes.size() == before.nodes.size() && same(m.transport, before.transport)
      && m.addresses == before.addresses)
    return;
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "nodes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (auto& n : m.nodes)
    out << n.to_string();
  out << YAML::EndSeq;
  out << YAML::Key << "insecure" << YAML::Value << m.transport.insecure;
  if (!m.transport.tls.empty())
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap << YAML::Key << "cafile"
        << YAML::Value << m.transport.tls.cafile << YAML::Key << "certificate" << YAML::Value
        << m.transport.tls.certificate << YAML::Key << "key" << YAML::Value
        << m.transport.tls.key << YAML::EndMap;
  out << YAML::Key << "node_ids" << YAML::Value << YAML::BeginMap;
  for (auto& [id, at] : m.addresses)
    out << YAML::Key << id << YAML::Value << at;
  out << YAML::EndMap << YAML::EndMap;
  auto path = memory_path(state_dir);
  auto tmp = path + ".tmp";
  {
    std::ofstream file{tmp, std::ios::trunc};
    file << "# nodes styx has used from this state dir (--nodes FILE overrides them)\n"
         << out.c_str() << '\n';
    if (!file)
      throw engine_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw engine_error("cannot rename " + tmp + " to " + path);
}

} // namespace styx
