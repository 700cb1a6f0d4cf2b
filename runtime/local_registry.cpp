#include "runtime/local_registry.hpp"

#include <simdjson.h>

#include "common/json.hpp"
#include "providers/sim/sim_state_file.hpp" // read_whole_file, write_file_atomically

namespace styx {

namespace {

// In process_wish's order.
constexpr const char* wish_names[] = {"none", "stop", "resume", "end"};

const char* wish_name(process_wish w) {
  return wish_names[static_cast<int>(w)];
}

process_wish parse_wish(std::string_view s) {
  for (int i = 0; i < 4; ++i)
    if (s == wish_names[i])
      return static_cast<process_wish>(i);
  throw std::runtime_error("unknown wish '" + std::string(s) + "'");
}

} // namespace

std::string encode_registry(const std::vector<registry_entry>& entries) {
  // One process a line, as the file was laid out when it was written by hand.
  std::string out = "{\"version\":" + std::to_string(local_registry_version) + ",\"processes\":[";
  bool first = true;
  for (auto& e : entries) {
    auto& f = e.fact;
    json p = {{"key", f.key},
              {"pid", f.pid},
              {"pgid", f.pgid},
              {"start_time", f.start_time},
              {"command", f.command},
              {"cpus", f.cpus},
              {"memory_gib", f.memory_gib},
              {"launched_at", f.launched_at},
              {"wish", wish_name(f.wish)},
              {"seen_up", f.seen_up},
              {"ended", f.status == process_status::ended},
              {"ended_at", e.ended_at},
              {"exit_known", f.exit_known},
              {"exit_code", f.exit_code},
              {"exit_signal", f.exit_signal},
              {"note", f.note},
              {"labels", json_object(f.labels)}};
    out += first ? "\n" : ",\n";
    first = false;
    out += json_text(p);
  }
  out += "]}\n";
  return out;
}

bool decode_registry(const std::string& text, std::vector<registry_entry>* out,
                     std::string* error) {
  out->clear();
  try {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::object root = parser.parse(padded).get_object();
    if (int64_t(root["version"]) != local_registry_version)
      throw std::runtime_error("unknown version");
    for (simdjson::dom::object p : simdjson::dom::array(root["processes"])) {
      registry_entry e;
      auto& f = e.fact;
      f.key = std::string(std::string_view(p["key"]));
      f.pid = static_cast<int>(int64_t(p["pid"]));
      f.pgid = static_cast<int>(int64_t(p["pgid"]));
      f.start_time = uint64_t(p["start_time"]);
      f.command = std::string(std::string_view(p["command"]));
      f.cpus = double(p["cpus"]);
      f.memory_gib = double(p["memory_gib"]);
      f.launched_at = int64_t(p["launched_at"]);
      f.wish = parse_wish(std::string_view(p["wish"]));
      f.seen_up = bool(p["seen_up"]);
      f.status = bool(p["ended"]) ? process_status::ended : process_status::running;
      e.ended_at = int64_t(p["ended_at"]);
      f.exit_known = bool(p["exit_known"]);
      f.exit_code = static_cast<int>(int64_t(p["exit_code"]));
      f.exit_signal = static_cast<int>(int64_t(p["exit_signal"]));
      f.note = std::string(std::string_view(p["note"]));
      for (auto field : simdjson::dom::object(p["labels"]))
        f.labels.emplace(std::string(field.key), std::string(std::string_view(field.value)));
      out->push_back(std::move(e));
    }
  } catch (const std::exception& e) { // simdjson_error included
    *error = e.what();
    return false;
  }
  return true;
}

bool load_registry(const std::string& path, std::vector<registry_entry>* out,
                   std::string* error) {
  std::string text;
  bool missing = false;
  if (!read_whole_file(path, &text, &missing, error))
    return false;
  if (missing) {
    out->clear();
    return true;
  }
  if (!decode_registry(text, out, error)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

bool save_registry(const std::string& path, const std::vector<registry_entry>& entries,
                   std::string* error) {
  return write_file_atomically(path, encode_registry(entries), error);
}

} // namespace styx
