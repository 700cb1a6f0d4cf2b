#pragma once
// The simulated cloud's state between processes: a snapshot with times relative to the
// moment of the save, its JSON text (written by hand, read with simdjson), and the file I/O
// (atomic: temp file, fsync, rename). Only sim_cloud uses this.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_types.hpp"

namespace styx {

constexpr int sim_state_version = 1;

struct sim_saved_instance {
  std::string region;
  cloud_instance info; // info.state is the sim's own state (starting stays starting)
  // Relative to the save, in nanoseconds.
  std::optional<int64_t> deadline_ns;   // until the current transition ends
  std::optional<int64_t> preempt_ns;    // until a spot preemption
  std::optional<int64_t> terminated_ns; // since it became terminated (>= 0)
};

struct sim_snapshot {
  int64_t version = sim_state_version;
  unix_ms saved_wall_ms = 0;
  std::string rng; // std::mt19937_64's state as operator<< writes it
  std::vector<sim_saved_instance> instances;
  std::vector<std::pair<std::string, std::vector<std::string>>> client_tokens;
};

std::string encode_sim_snapshot(const sim_snapshot& x);

/// False with a description of what is wrong (no file name) on malformed text.
bool decode_sim_snapshot(const std::string& text, sim_snapshot* out, std::string* error);

/// Reads the whole file. A missing file is not an error: *missing = true, *out empty.
bool read_whole_file(const std::string& path, std::string* out, bool* missing,
                     std::string* error);

/// Writes `path` + ".tmp", fsyncs it, renames it over `path` and fsyncs the directory.
bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string* error);

} // namespace styx
