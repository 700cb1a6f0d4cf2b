#include "runtime/request_spec.hpp"

#include "common/one_line.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace styx {

namespace {

constexpr int64_t max_timeout_s = 10 * 365 * 24 * 3600;

[[noreturn]] void fail(const std::string& origin, const YAML::Node& node,
                       const std::string& what) {
  auto mark = node.Mark();
  std::string where = mark.line >= 0 ? ": line " + std::to_string(mark.line + 1) : "";
  throw spec_error(one_line(origin + where + ": " + what));
}

template <class T>
T scalar(const std::string& origin, const std::string& key, const YAML::Node& node) {
  if (!node.IsScalar())
    fail(origin, node, "'" + key + "' must be a single value");
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    fail(origin, node, "'" + key + "' has an invalid value '" + node.Scalar() + "'");
  }
}

std::vector<std::string> one_or_many(const std::string& origin, const std::string& key,
                                     const YAML::Node& node) {
  std::vector<std::string> result;
  if (node.IsSequence()) {
    for (auto item : node)
      result.push_back(scalar<std::string>(origin, key, item));
  } else {
    result.push_back(scalar<std::string>(origin, key, node));
  }
  return result;
}

} // namespace

provision_request parse_request_spec(const std::string& yaml_text, const std::string& origin,
                                     unix_ms now_ms) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw spec_error(one_line(origin + ": line " + std::to_string(e.mark.line + 1)
                              + ": malformed YAML: " + e.msg));
  }
  if (!root.IsMap())
    throw spec_error(origin + ": expected a mapping of fields (name, count, cpus, ...)");
  static const std::set<std::string> known = {
    "name", "count", "min_count", "cpus", "memory", "gpus", "gpu_kind", "provider", "region",
    "zone", "instance_type", "spot", "max_price", "image", "tags", "timeout"};
  resources shape;
  auto req = provision_request::make("styx", shape);
  for (auto kv : root) {
    if (!kv.first.IsScalar())
      fail(origin, kv.first, "a field name must be a single word");
    auto key = kv.first.as<std::string>();
    auto& v = kv.second;
    if (known.count(key) == 0)
      fail(origin, kv.first, "unknown field '" + key + "'");
    if (key == "name")
      req.name(scalar<std::string>(origin, key, v));
    else if (key == "count")
      req.count(scalar<int>(origin, key, v));
    else if (key == "min_count")
      req.min_count(scalar<int>(origin, key, v));
    else if (key == "cpus")
      shape.cpus(scalar<double>(origin, key, v));
    else if (key == "memory")
      shape.memory_gib(scalar<double>(origin, key, v));
    else if (key == "gpus")
      shape.gpus(scalar<int>(origin, key, v));
    else if (key == "gpu_kind")
      shape.gpu_kind(scalar<std::string>(origin, key, v));
    else if (key == "provider")
      for (auto& x : one_or_many(origin, key, v))
        req.provider(x);
    else if (key == "region")
      for (auto& x : one_or_many(origin, key, v))
        req.region(x);
    else if (key == "zone")
      for (auto& x : one_or_many(origin, key, v))
        req.zone(x);
    else if (key == "instance_type")
      for (auto& x : one_or_many(origin, key, v))
        req.instance_type(x);
    else if (key == "spot")
      req.spot(scalar<bool>(origin, key, v));
    else if (key == "max_price")
      req.max_price(scalar<double>(origin, key, v));
    else if (key == "image")
      req.image(scalar<std::string>(origin, key, v));
    else if (key == "timeout") {
      // Checked before the cast: NaN, infinity or a huge value would not fit in unix_ms.
      auto secs = scalar<double>(origin, key, v);
      if (!(secs >= 0))
        fail(origin, v, "'timeout' must not be negative");
      if (secs > max_timeout_s)
        fail(origin, v, "'timeout' must be at most 10 years (" + std::to_string(max_timeout_s)
                          + " seconds)");
      if (secs > 0) // 0: no deadline, as for `styx up --timeout`
        req.deadline(now_ms + static_cast<unix_ms>(secs * 1000));
    } else if (key == "tags") {
      if (!v.IsMap())
        fail(origin, v, "'tags' must be a mapping of key: value");
      for (auto tag : v) {
        if (!tag.first.IsScalar())
          fail(origin, tag.first, "'tags' must be a mapping of key: value");
        req.tag(tag.first.as<std::string>(), scalar<std::string>(origin, "tags", tag.second));
      }
    }
  }
  req.shape(shape);
  if (auto problem = req.validate())
    throw spec_error(one_line(origin + ": " + *problem));
  return req;
}

provision_request load_request_spec(const std::string& path, unix_ms now_ms) {
  std::ifstream in{path};
  if (!in)
    throw spec_error(path + ": cannot read the file");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_request_spec(buf.str(), path, now_ms);
}

} // namespace styx
