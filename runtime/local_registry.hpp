#pragma once
// The local cloud's registry: every process the process manager started and has not
// forgotten (pid, start time, process group, command, labels, size, what was last asked of
// it, how it ended), in <state_dir>/local/processes.json, written atomically (temp file,
// fsync, rename). It is how a later engine, or one restarted after kill -9, finds its
// processes again. Only runtime/process_manager.cpp uses it; plain functions, any thread.

#include <string>
#include <vector>

#include "providers/local/process_host.hpp"

namespace styx {

constexpr int local_registry_version = 1;

struct registry_entry {
  process_fact fact;   // fact.status ended is final; running/stopped are re-read from /proc
  unix_ms ended_at = 0; // when it was found ended (0: it has not)
};

std::string encode_registry(const std::vector<registry_entry>& entries);

/// False with what is wrong (no file name) on malformed text.
bool decode_registry(const std::string& text, std::vector<registry_entry>* out,
                     std::string* error);

/// The file's entries; a missing file is an empty registry. False with an error on an
/// unreadable or malformed file.
bool load_registry(const std::string& path, std::vector<registry_entry>* out,
                   std::string* error);

bool save_registry(const std::string& path, const std::vector<registry_entry>& entries,
                   std::string* error);

} // namespace styx
