#include "providers/sim/sim_state_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>

#include "common/json.hpp"

namespace styx {

// -- encoding ----------------------------------------------------------------------------------

namespace {

json instance_json(const sim_saved_instance& x) {
  const auto& i = x.info;
  json tags = json_object(i.tags);
  json out = {{"id", i.cloud_id},
              {"region", x.region},
              {"zone", i.zone},
              {"type", i.instance_type},
              {"market", to_string(i.market)},
              {"state", to_string(i.state)},
              {"reason", to_string(i.reason)},
              {"launched_at", i.launched_at},
              {"tags", std::move(tags)}};
  if (x.deadline_ns)
    out["deadline_ns"] = *x.deadline_ns;
  if (x.preempt_ns)
    out["preempt_ns"] = *x.preempt_ns;
  if (x.terminated_ns)
    out["terminated_ns"] = *x.terminated_ns;
  return out;
}

/// `key`'s array of `items`, one element a line (the file diffs and greps by instance).
template <class T, class F>
void put_lines(std::string& out, const char* key, const std::vector<T>& items, F to_json) {
  out += json_quote(key) + ":[";
  for (size_t n = 0; n < items.size(); ++n) {
    out += n == 0 ? "\n" : ",\n";
    out += json_text(to_json(items[n]));
  }
  out += ']';
}

} // namespace

std::string encode_sim_snapshot(const sim_snapshot& x) {
  // The header fields through the library, then the two arrays a line per element.
  std::string out;
  out.reserve(256 + x.instances.size() * 400);
  json head = {{"version", x.version}, {"saved_wall_ms", x.saved_wall_ms}, {"rng", x.rng}};
  out = json_text(head);
  out.pop_back(); // the closing brace: the arrays follow
  out += ',';
  put_lines(out, "instances", x.instances, instance_json);
  out += ',';
  put_lines(out, "client_tokens", x.client_tokens, [](auto& t) {
    return json{{"token", t.first}, {"ids", t.second}};
  });
  out += "}\n";
  return out;
}

// -- decoding ----------------------------------------------------------------------------------

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Each getter sets *error to "<where>: <what>" and returns false when the field is wrong.
bool fail(std::string* error, const std::string& where, const std::string& what) {
  *error = where + ": " + what;
  return false;
}

bool get_string(object obj, const char* key, const std::string& where, std::string* out,
                std::string* error) {
  std::string_view sv;
  if (auto err = obj[key].get_string().get(sv))
    return fail(error, where + "." + key, simdjson::error_message(err));
  *out = std::string(sv);
  return true;
}

bool get_int(object obj, const char* key, const std::string& where, int64_t* out,
             std::string* error) {
  if (auto err = obj[key].get_int64().get(*out))
    return fail(error, where + "." + key, simdjson::error_message(err));
  return true;
}

bool get_optional(object obj, const char* key, const std::string& where,
                  std::optional<int64_t>* out, std::string* error) {
  element e;
  if (obj[key].get(e) != simdjson::SUCCESS) {
    out->reset();
    return true;
  }
  int64_t v = 0;
  if (auto err = e.get_int64().get(v))
    return fail(error, where + "." + key, simdjson::error_message(err));
  *out = v;
  return true;
}

bool decode_instance(object obj, const std::string& where, sim_saved_instance* x,
                     std::string* error) {
  auto& i = x->info;
  std::string market, state, reason;
  if (!get_string(obj, "id", where, &i.cloud_id, error)
      || !get_string(obj, "region", where, &x->region, error)
      || !get_string(obj, "zone", where, &i.zone, error)
      || !get_string(obj, "type", where, &i.instance_type, error)
      || !get_string(obj, "market", where, &market, error)
      || !get_string(obj, "state", where, &state, error)
      || !get_string(obj, "reason", where, &reason, error)
      || !get_int(obj, "launched_at", where, &i.launched_at, error)
      || !get_optional(obj, "deadline_ns", where, &x->deadline_ns, error)
      || !get_optional(obj, "preempt_ns", where, &x->preempt_ns, error)
      || !get_optional(obj, "terminated_ns", where, &x->terminated_ns, error))
    return false;
  if (market == "spot")
    i.market = market_kind::spot;
  else if (market == "on-demand")
    i.market = market_kind::on_demand;
  else
    return fail(error, where + ".market", "unknown market '" + market + "'");
  auto parsed = parse_instance_state(state);
  if (!parsed)
    return fail(error, where + ".state", "unknown state '" + state + "'");
  i.state = *parsed;
  auto why = parse_state_reason(reason);
  if (!why)
    return fail(error, where + ".reason", "unknown reason '" + reason + "'");
  i.reason = *why;
  object tags;
  if (auto err = obj["tags"].get_object().get(tags))
    return fail(error, where + ".tags", simdjson::error_message(err));
  for (auto field : tags) {
    std::string_view v;
    if (auto err = field.value.get_string().get(v))
      return fail(error, where + ".tags." + std::string(field.key), simdjson::error_message(err));
    i.tags.emplace(std::string(field.key), std::string(v));
  }
  return true;
}

} // namespace

bool decode_sim_snapshot(const std::string& text, sim_snapshot* out, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  object root;
  if (auto err = parser.parse(padded).get_object().get(root))
    return fail(error, "not a JSON object", simdjson::error_message(err));
  sim_snapshot x;
  if (!get_int(root, "version", "$", &x.version, error))
    return false;
  if (x.version != sim_state_version)
    return fail(error, "$.version", "unsupported version " + std::to_string(x.version));
  if (!get_int(root, "saved_wall_ms", "$", &x.saved_wall_ms, error)
      || !get_string(root, "rng", "$", &x.rng, error))
    return false;
  simdjson::dom::array instances, tokens;
  if (auto err = root["instances"].get_array().get(instances))
    return fail(error, "$.instances", simdjson::error_message(err));
  size_t n = 0;
  for (auto e : instances) {
    auto where = "$.instances[" + std::to_string(n++) + "]";
    object obj;
    if (auto err = e.get_object().get(obj))
      return fail(error, where, simdjson::error_message(err));
    sim_saved_instance si;
    if (!decode_instance(obj, where, &si, error))
      return false;
    x.instances.push_back(std::move(si));
  }
  if (auto err = root["client_tokens"].get_array().get(tokens))
    return fail(error, "$.client_tokens", simdjson::error_message(err));
  n = 0;
  for (auto e : tokens) {
    auto where = "$.client_tokens[" + std::to_string(n++) + "]";
    object obj;
    simdjson::dom::array ids;
    std::pair<std::string, std::vector<std::string>> entry;
    if (auto err = e.get_object().get(obj))
      return fail(error, where, simdjson::error_message(err));
    if (!get_string(obj, "token", where, &entry.first, error))
      return false;
    if (auto err = obj["ids"].get_array().get(ids))
      return fail(error, where + ".ids", simdjson::error_message(err));
    for (auto id : ids) {
      std::string_view sv;
      if (auto err = id.get_string().get(sv))
        return fail(error, where + ".ids", simdjson::error_message(err));
      entry.second.emplace_back(sv);
    }
    x.client_tokens.push_back(std::move(entry));
  }
  *out = std::move(x);
  return true;
}

// -- files -------------------------------------------------------------------------------------

namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

} // namespace

bool read_whole_file(const std::string& path, std::string* out, bool* missing,
                     std::string* error) {
  out->clear();
  *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *error = errno_text("cannot open", path);
    return false;
  }
  char buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *error = errno_text("cannot read", path);
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string* error) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = errno_text("cannot create", tmp);
    return false;
  }
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    auto n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *error = errno_text("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    *error = errno_text("cannot fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = errno_text("cannot rename onto", path);
    ::unlink(tmp.c_str());
    return false;
  }
  // Make the rename itself durable.
  auto slash = path.rfind('/');
  auto dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash + 1);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

} // namespace styx
